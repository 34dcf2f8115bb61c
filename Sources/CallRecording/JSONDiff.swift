import DeepstreamProtocol

/// The structural difference of two JSON values: which paths were added, removed or changed.
///
/// Objects are compared member by member regardless of member order; arrays element by element at
/// the same index (a longer array has its extra elements added or removed — no alignment is
/// attempted, so an element inserted at the front shows as every later element changed); numbers are
/// compared by value (`1.50` equals `1.5` and `15e-1`, exactly, without going through `Double`);
/// anything of a different type is one change at that path. Paths matched by an ignore pattern are
/// left out with everything below them.
package enum JSONDiff {
    /// The differences from `old` to `new`, in document order (old's members first, then added ones).
    package static func differences(
        from old: JSONValue, to new: JSONValue, ignoring patterns: [JSONPathPattern] = []
    ) -> [JSONDifference] {
        var result: [JSONDifference] = []
        compare(old, new, at: .root, patterns, into: &result)
        return result
    }

    /// Whether `a` and `b` are equal as JSON (member order and number spelling aside).
    package static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var result: [JSONDifference] = []
        compare(a, b, at: .root, [], into: &result)
        return result.isEmpty
    }

    private static func compare(
        _ old: JSONValue, _ new: JSONValue, at path: JSONPath, _ patterns: [JSONPathPattern],
        into result: inout [JSONDifference]
    ) {
        if isIgnored(path, patterns) { return }
        switch (old, new) {
        case (.object(let a), .object(let b)):
            for (key, value) in a {
                let child = path.appending(.key(key))
                if let other = b[key] {
                    compare(value, other, at: child, patterns, into: &result)
                } else if !isIgnored(child, patterns) {
                    result.append(JSONDifference(path: child, kind: .removed(value)))
                }
            }
            for (key, value) in b where a[key] == nil {
                let child = path.appending(.key(key))
                if !isIgnored(child, patterns) { result.append(JSONDifference(path: child, kind: .added(value))) }
            }
        case (.array(let a), .array(let b)):
            for index in 0..<max(a.count, b.count) {
                let child = path.appending(.index(index))
                if index < a.count, index < b.count {
                    compare(a[index], b[index], at: child, patterns, into: &result)
                } else if isIgnored(child, patterns) {
                    continue
                } else if index < a.count {
                    result.append(JSONDifference(path: child, kind: .removed(a[index])))
                } else {
                    result.append(JSONDifference(path: child, kind: .added(b[index])))
                }
            }
        case (.number(let a), .number(let b)):
            if DecimalKey(a.text) != DecimalKey(b.text) { result.append(JSONDifference(path: path, kind: .changed(from: old, to: new))) }
        default:
            if old != new { result.append(JSONDifference(path: path, kind: .changed(from: old, to: new))) }
        }
    }

    private static func isIgnored(_ path: JSONPath, _ patterns: [JSONPathPattern]) -> Bool {
        !patterns.isEmpty && patterns.contains { $0.matches(path) }
    }
}
