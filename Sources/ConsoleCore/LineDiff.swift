/// A unified line diff: the lines of two texts as kept, removed or added, by a longest common
/// subsequence.
///
/// Common leading and trailing lines are matched first (cheap, and usually most of a JSON response);
/// the middle costs one table of `old × new` cells, so it is refused above ``cellLimit`` (the caller
/// then shows the structural diff only).
package enum LineDiff {
    /// The most table cells (middle lines old × new) computed.
    package static let cellLimit = 4_000_000

    /// One line of the diff.
    package enum Line: Hashable, Sendable {
        /// In both.
        case same(String)
        /// Only in the old text.
        case removed(String)
        /// Only in the new text.
        case added(String)
    }

    /// The diff from `old` to `new`, or nil when the differing middle is too large.
    package static func lines(from old: [String], to new: [String]) -> [Line]? {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        guard a.count * b.count <= cellLimit else { return nil }
        var result = old[..<prefix].map(Line.same)
        result += middle(a, b)
        result += old[(old.count - suffix)...].map(Line.same)
        return result
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Line] {
        if a.isEmpty { return b.map(Line.added) }
        if b.isEmpty { return a.map(Line.removed) }
        let width = b.count + 1
        // lengths[i * width + j]: the LCS length of a[i...] and b[j...].
        var lengths = [Int32](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i * width + j] = a[i] == b[j]
                    ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                result.append(.same(a[i]))
                i += 1
                j += 1
            } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                result.append(.removed(a[i]))
                i += 1
            } else {
                result.append(.added(b[j]))
                j += 1
            }
        }
        result += a[i...].map(Line.removed)
        result += b[j...].map(Line.added)
        return result
    }
}
