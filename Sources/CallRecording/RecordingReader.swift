/// A line of a recording that could not be read, and why.
package struct BadRecordingLine: Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number in the file.
    package var line: Int
    /// The problem.
    package var problem: String
    /// Creates a bad line.
    package init(line: Int, problem: String) {
        self.line = line
        self.problem = problem
    }
    /// `line <n>: <problem>`.
    package var description: String { "line \(line): \(problem)" }
}

/// Reads a recording line by line: the header first, then calls; lines that cannot be read are
/// counted and the first one kept, so a caller can name it and carry on (`open`) or refuse (`replay`).
package struct RecordingReader: Sendable {
    /// The header, once line 1 has been read successfully.
    package private(set) var header: RecordingHeader?
    /// Lines that could not be read (blank lines are ignored, not counted).
    package private(set) var badLineCount = 0
    /// The first line that could not be read.
    package private(set) var firstBadLine: BadRecordingLine?
    private var lineNumber = 0

    /// Creates a reader at the start of a file.
    package init() {}

    /// Takes the next line (without its newline); returns the call it holds, if it is a call line.
    package mutating func read(line: some StringProtocol) -> RecordedCall? {
        lineNumber += 1
        if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return nil }
        let text = String(line)
        if lineNumber == 1 {
            do { header = try RecordingFormat.header(from: text) } catch { fail(error.problem) }
            return nil
        }
        do { return try RecordingFormat.call(from: text) } catch {
            fail(error.problem)
            return nil
        }
    }

    private mutating func fail(_ problem: String) {
        badLineCount += 1
        if firstBadLine == nil { firstBadLine = BadRecordingLine(line: lineNumber, problem: problem) }
    }

    /// Reads a whole recording held in memory.
    package static func read(
        _ text: String
    ) -> (header: RecordingHeader?, calls: [RecordedCall], badLineCount: Int, firstBadLine: BadRecordingLine?) {
        var reader = RecordingReader()
        var calls: [RecordedCall] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let call = reader.read(line: line) { calls.append(call) }
        }
        return (reader.header, calls, reader.badLineCount, reader.firstBadLine)
    }
}
