import ConsoleCore
import Foundation

/// Reads and writes the composer history file: a JSON array of `{"name": …, "body": …}`.
struct HistoryStore: Sendable {
    /// The file.
    var path: String

    /// The saved entries; none when the file does not exist. A damaged file is reported, not fatal.
    func load() -> Result<[ComposerHistoryEntry], HistoryStoreError> {
        guard FileManager.default.fileExists(atPath: path) else { return .success([]) }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return .success(try JSONDecoder().decode([ComposerHistoryEntry].self, from: data))
        } catch {
            return .failure(HistoryStoreError(path: path, message: "cannot read history: \(error.localizedDescription)"))
        }
    }

    /// Replaces the file with `entries` (written to a temporary file, then renamed).
    func save(_ entries: [ComposerHistoryEntry]) -> HistoryStoreError? {
        do {
            try StatePaths.createParentDirectory(of: path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(entries).write(to: URL(fileURLWithPath: path), options: .atomic)
            return nil
        } catch {
            return HistoryStoreError(path: path, message: "cannot save history: \(error.localizedDescription)")
        }
    }
}

/// A history file problem, shown as a notice.
struct HistoryStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    var path: String
    /// What went wrong.
    var message: String

    /// `path: message`.
    var description: String { "\(path): \(message)" }
}
