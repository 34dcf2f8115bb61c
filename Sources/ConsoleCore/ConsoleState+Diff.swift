import CallRecording
import DeepstreamProtocol

/// `m` and `d` in the Calls pane: mark a call, and diff the selected call's response with the marked
/// call's, or else with the previous call of the same name.
extension ConsoleState {
    /// `m`: marks the selected call (again on the marked call: unmarks it).
    mutating func toggleMark() {
        guard let record = selectedCall else { return }
        if markedCall == record.key {
            markedCall = nil
            notify("Mark removed")
        } else {
            markedCall = record.key
            notify("Marked \(record.name) (d on another call diffs against it)")
        }
    }

    /// `d`: opens the diff of the selected call against the marked call (when it is another call still
    /// in the log) or the previous call of the same name.
    mutating func openDiff() {
        guard let record = selectedCall, let sequence = calls.log.sequence(of: record.key) else { return }
        if let marked = markedCall, marked != record.key, calls.log[marked] != nil {
            overlay = .diff(old: marked, new: record.key, scroll: 0)
            return
        }
        guard let previous = calls.log.previousSequence(before: sequence, where: { $0.name == record.name }),
            let old = calls.log[sequence: previous]
        else {
            notify("No earlier call of \(record.name) to diff with (m marks a call to diff against)")
            return
        }
        overlay = .diff(old: old.key, new: record.key, scroll: 0)
    }

    /// The diff overlay's lines: which calls, their outcomes, the structural differences of the
    /// responses and the unified diff of their pretty-printed text (removed lines `-`, added `+`).
    package var diffLines: [StyledLine] {
        guard case .diff(let oldKey, let newKey, _) = overlay, let old = calls.log[oldKey], let new = calls.log[newKey] else {
            return [StyledLine("The calls are no longer in the log.", .dim)]
        }
        let how = markedCall == oldKey ? "marked" : "previous \(old.name)"
        var lines = [
            StyledLine([StyledSpan("- ", .stateError), StyledSpan("\(old.name) #\(old.sequence + 1) (\(how)) · \(old.status.label)", .title)]),
            StyledLine([StyledSpan("+ ", .stateOK), StyledSpan("\(new.name) #\(new.sequence + 1) (selected) · \(new.status.label)", .title)]),
        ]
        if old.isResponseReleased || new.isResponseReleased {
            // A released response is not "no data": say which side is missing instead of diffing.
            lines.append(StyledLine())
            for (sign, record) in [("-", old), ("+", new)] where record.isResponseReleased {
                lines.append(StyledLine(
                    "\(sign) #\(record.sequence + 1): response not kept (payload memory budget, \(DisplayFormat.bytes(record.responseBytes)))",
                    .statePending))
            }
            lines.append(StyledLine("Nothing to diff.", .dim))
            return lines
        }
        let oldValue = old.responseData.map { (try? JSONValue(parsing: $0)) ?? .string($0) }
        let newValue = new.responseData.map { (try? JSONValue(parsing: $0)) ?? .string($0) }
        lines.append(StyledLine())
        switch (oldValue, newValue) {
        case (let a?, let b?):
            let differences = JSONDiff.differences(from: a, to: b)
            if differences.isEmpty && old.status.label == new.status.label {
                lines.append(StyledLine("Same response (member order and number spelling aside).", .stateOK))
            } else if differences.isEmpty {
                lines.append(StyledLine("Same data, different outcome: \(old.status.label) → \(new.status.label).", .statePending))
            } else {
                lines.append(StyledLine("\(differences.count) difference\(differences.count == 1 ? "" : "s"):", .title))
                for difference in differences.prefix(50) {
                    lines.append(StyledLine("  \(difference)", difference.kindName == "added" ? .stateOK : difference.kindName == "removed" ? .stateError : .statePending))
                }
                if differences.count > 50 { lines.append(StyledLine("  … \(differences.count - 50) more", .dim)) }
            }
        default:
            lines.append(StyledLine(oldValue == nil && newValue == nil ? "Neither call has response data." : "Only one call has response data.", .dim))
        }
        lines.append(StyledLine())
        let oldText = oldValue.map { $0.prettyText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        let newText = newValue.map { $0.prettyText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard let diff = LineDiff.lines(from: oldText, to: newText) else {
            lines.append(StyledLine("(responses too large for a line diff)", .dim))
            return lines
        }
        for line in diff {
            switch line {
            case .same(let text): lines.append(StyledLine("  " + text, .text))
            case .removed(let text): lines.append(StyledLine("- " + text, .stateError))
            case .added(let text): lines.append(StyledLine("+ " + text, .stateOK))
            }
        }
        return lines
    }
}
