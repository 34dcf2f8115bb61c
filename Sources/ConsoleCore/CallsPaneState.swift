/// The Calls pane: the call log plus how it is viewed (selection, scrolling, follow, pause, filter).
///
/// Selection and scroll position are held as log sequence numbers, so they stay on the same call
/// while new calls arrive and old ones are evicted. Every method that needs to know which rows are
/// shown takes the filter predicate (`matches`), because a row's route text depends on peer names the
/// pane does not own.
package struct CallsPaneState: Sendable {
    /// The call log.
    package var log: CallLog
    /// Whether the view jumps to the newest call as calls arrive.
    package private(set) var isFollowing = true
    /// Whether the view is frozen (calls keep being recorded, but new ones are not shown).
    package private(set) var isPaused = false
    /// While paused: calls with a sequence number from here on are hidden.
    package private(set) var pausedEnd: Int?
    /// The active filter.
    package private(set) var filter = CallFilter("")
    /// The filter being typed after `/`, nil when not typing.
    package var filterEditor: LineEditor?
    /// The selected call's sequence number.
    package private(set) var selected: Int?
    /// The first shown call's sequence number.
    package private(set) var top: Int?
    /// How many call rows fit in the pane (set from the layout on resize).
    package var listHeight = 10

    /// Creates a pane over an empty log of `capacity` calls holding at most `payloadBudget` payload bytes.
    package init(capacity: Int = CallLog.defaultCapacity, payloadBudget: Int = CallLog.defaultPayloadBudget) {
        log = CallLog(capacity: capacity, payloadBudget: payloadBudget)
    }

    /// The sequence number after the last call that may be shown.
    package var visibleEnd: Int { pausedEnd ?? log.nextSequence }

    /// How many calls arrived since the pause (shown in the PAUSED badge).
    package var hiddenSincePause: Int { pausedEnd.map { log.nextSequence - $0 } ?? 0 }

    /// The rows to draw: up to ``listHeight`` matching calls from ``top``.
    package func visibleRows(matching matches: (CallRecord) -> Bool) -> [CallRecord] {
        var rows: [CallRecord] = []
        // While following, no selection means nothing matches: skip the scan.
        if isFollowing && !isPaused && selected == nil { return rows }
        guard var sequence = top.flatMap({ log[sequence: $0] != nil ? $0 : nil })
            ?? log.nextSequence(after: log.firstSequence - 1, limit: visibleEnd, where: matches)
        else { return rows }
        while rows.count < listHeight, sequence < visibleEnd {
            if let record = log[sequence: sequence], matches(record) { rows.append(record) }
            guard let next = log.nextSequence(after: sequence, limit: visibleEnd, where: matches) else { break }
            sequence = next
        }
        return rows
    }

    /// The selected call, if it is still in the log.
    package var selectedRecord: CallRecord? { selected.flatMap { log[sequence: $0] } }

    // MARK: Navigation

    /// Moves the selection `delta` matching rows down (negative: up). Stops following.
    package mutating func moveSelection(by delta: Int, matching matches: (CallRecord) -> Bool) {
        guard var current = validSelection(matching: matches) else { return }
        isFollowing = false
        for _ in 0..<abs(delta) {
            let next = delta > 0
                ? log.nextSequence(after: current, limit: visibleEnd, where: matches)
                : log.previousSequence(before: current, where: matches)
            guard let next else { break }
            current = next
        }
        selected = current
        scrollToSelection(matching: matches)
    }

    /// Selects the oldest matching call. Stops following.
    package mutating func selectFirst(matching matches: (CallRecord) -> Bool) {
        isFollowing = false
        selected = log.nextSequence(after: log.firstSequence - 1, limit: visibleEnd, where: matches)
        top = selected
    }

    /// Selects the newest matching call and follows new calls (`G` / End).
    package mutating func follow(matching matches: (CallRecord) -> Bool) {
        isFollowing = true
        selectNewest(matching: matches)
    }

    /// Pauses or resumes the view. Resuming while following jumps to the newest call.
    package mutating func togglePause(matching matches: (CallRecord) -> Bool) {
        isPaused.toggle()
        pausedEnd = isPaused ? log.nextSequence : nil
        if !isPaused && isFollowing { selectNewest(matching: matches) }
    }

    /// How many calls in the log match the filter (kept up to date incrementally; the log's count
    /// when there is no filter).
    package var matchCount: Int { filter.isEmpty ? log.count : filteredCount }
    private var filteredCount = 0

    /// Adjusts ``matchCount`` after a call started or stopped matching (or was evicted).
    mutating func adjustMatchCount(by delta: Int) { filteredCount += delta }

    /// Selects the call with `sequence` (a click) and stops following.
    package mutating func select(_ sequence: Int, matching matches: (CallRecord) -> Bool) {
        guard log[sequence: sequence] != nil else { return }
        isFollowing = false
        selected = sequence
        scrollToSelection(matching: matches)
    }

    /// Applies a new filter, keeping the selection on a matching call.
    /// `matches` must be `filter` as a predicate (route text needs peer names the pane lacks).
    package mutating func setFilter(_ filter: CallFilter, matching matches: (CallRecord) -> Bool) {
        let changed = filter.text != self.filter.text
        self.filter = filter
        if changed && !filter.isEmpty {
            // One walk per filter change; recording then adjusts the count per call.
            var count = 0
            var sequence = log.firstSequence
            while sequence < log.nextSequence {
                if let record = log[sequence: sequence], matches(record) { count += 1 }
                sequence += 1
            }
            filteredCount = count
        }
        if isFollowing {
            selectNewest(matching: matches)
        } else {
            selected = validSelection(matching: matches)
            top = nil
            scrollToSelection(matching: matches)
        }
    }

    /// Brings selection and scrolling up to date after `record` was recorded or updated (which may
    /// have evicted the oldest call).
    ///
    /// Incremental on purpose: it looks only at `record` and at the held selection, never rescans the
    /// log for matches, so a filter that matches rarely does not make every event cost O(log size).
    package mutating func recorded(_ record: CallRecord, matching matches: (CallRecord) -> Bool) {
        let previousSelection = selected
        let previousTop = top
        var selectionEvicted = false
        if let selected, selected < log.firstSequence {
            self.selected = nil
            selectionEvicted = true
        }
        if let top, top < log.firstSequence { self.top = nil }
        if isFollowing && !isPaused {
            if record.sequence >= (selected ?? -1), matches(record) {
                selected = record.sequence
            } else if record.sequence == selected, !matches(record) {
                // The selected call stopped matching (e.g. `state:open` and it ended).
                selected = log.previousSequence(before: visibleEnd, where: matches)
            }
        } else if selectionEvicted {
            selected = log.nextSequence(after: log.firstSequence - 1, limit: visibleEnd, where: matches)
        }
        // Re-scroll only when the window can have changed: scrolling walks the rows between `top` and
        // the selection, which must not happen on every event.
        let windowChanged = selected != previousSelection || top != previousTop
        let rowAddedInWindow = top.map { record.sequence >= $0 } == true
            && selected.map { record.sequence <= $0 } == true && matches(record)
        if windowChanged || rowAddedInWindow { scrollToSelection(matching: matches) }
    }

    /// Keeps the selected row inside the window of ``listHeight`` rows.
    package mutating func scrollToSelection(matching matches: (CallRecord) -> Bool) {
        guard let selected else {
            top = nil
            return
        }
        if filter.isEmpty {
            scrollToSelectionMatchingEverything(selected)
            return
        }
        if let top, top <= selected, log[sequence: top] != nil {
            // Visible if `selected` is within listHeight matching rows from `top`.
            var rowsBefore = 0
            var sequence = top
            while sequence < selected, rowsBefore < listHeight {
                guard let next = log.nextSequence(after: sequence, limit: selected + 1, where: matches) else { break }
                sequence = next
                rowsBefore += 1
            }
            if sequence == selected && rowsBefore < listHeight { return }
        } else if let top, top > selected, log[sequence: top] != nil {
            self.top = selected
            return
        }
        // Put the selection on the last row.
        var first = selected
        for _ in 0..<max(0, listHeight - 1) {
            guard let previous = log.previousSequence(before: first, where: matches) else { break }
            first = previous
        }
        top = first
    }

    /// ``scrollToSelection(matching:)`` without a filter: every held call is a row, so the rows
    /// between two calls are the difference of their sequence numbers. While following, this runs for
    /// every new call; the general walk asks the predicate about (a copy of) each row in between.
    private mutating func scrollToSelectionMatchingEverything(_ selected: Int) {
        let held = log.firstSequence..<log.nextSequence
        if let top, held.contains(top) {
            if top <= selected, selected - top < listHeight { return }
            if top > selected {
                self.top = selected
                return
            }
        }
        // Put the selection on the last row.
        top = max(log.firstSequence, selected - max(0, listHeight - 1))
    }

    private mutating func selectNewest(matching matches: (CallRecord) -> Bool) {
        selected = log.previousSequence(before: visibleEnd, where: matches)
        scrollToSelection(matching: matches)
    }

    private func validSelection(matching matches: (CallRecord) -> Bool) -> Int? {
        if let selected, selected < visibleEnd, let record = log[sequence: selected], matches(record) {
            return selected
        }
        if let selected, let previous = log.previousSequence(before: min(selected, visibleEnd), where: matches) {
            return previous
        }
        return log.previousSequence(before: visibleEnd, where: matches)
            ?? log.nextSequence(after: log.firstSequence - 1, limit: visibleEnd, where: matches)
    }
}
