import ConsoleCore

/// Draws the status line: connection state, URL and user (or the current notice in their place),
/// calls/s, in flight, errors, dropped events, and the PAUSED badge at the right.
package enum StatusLineView {
    /// The statistics part: `12.4 calls/s │ 3 in flight │ 0 errors │ 0 dropped`; in proxy mode with
    /// `includingTopics` the busiest topics' messages/s come first (`RPC 2140/s · RECORD 12.0/s │ …`).
    package static func statistics(_ state: ConsoleState, includingTopics: Bool = true) -> String {
        let topics = includingTopics && state.showsTopicRates ? [topicPart(state)] : []
        return (topics + [
            "\(DisplayFormat.rate(state.stats.rate.callsPerSecond)) calls/s",
            "\(state.stats.inFlight) in flight",
            DisplayFormat.count(state.stats.errors, "error"),
            "\(state.stats.droppedEvents) dropped",
        ]).joined(separator: " │ ")
    }

    /// `msgs RPC 2140/s · RECORD 12.0/s`, or `msgs 0/s` when nothing passed the proxy lately.
    static func topicPart(_ state: ConsoleState) -> String {
        let summary = state.topicRates.summary()
        return "msgs " + (summary.isEmpty ? "0/s" : summary)
    }

    /// Draws the status line into `rect` (its first row).
    package static func draw(_ state: ConsoleState, in rect: Rect, into buffer: inout ScreenBuffer, styles: ThemeStyles) {
        guard rect.width > 0, rect.height > 0 else { return }
        let row = rect.row
        buffer.fill(Rect(row: row, column: rect.column, width: rect.width, height: 1), style: styles[.statusBar])
        let held = state.heldCalls.isEmpty ? "" : " ⏸ \(state.heldCalls.count) held (H) "
        let badge = held + (state.calls.isPaused ? " PAUSED +\(state.calls.hiddenSincePause) " : "")
        var right = rect.endColumn - badge.count
        if !badge.isEmpty {
            buffer.put(badge, row: row, column: right, style: styles[.badge], maxWidth: badge.count)
        }
        // `open FILE` reads `offline: FILE`; `open FILE --url URL` reads `FILE → STATE URL user`.
        let connection = switch state.configuration.offlineFile {
        case let file? where state.configuration.isOffline: " offline: \(file) "
        case let file?: " \(file) → \(state.connectionLabel) "
        case nil: " \(state.connectionLabel) "
        }
        var left = rect.column
        left += buffer.put(connection, row: row, column: left, style: styles[.statusBar].adding(.bold), maxWidth: right - left)
        let noticeRoom = state.notice.map { $0.text.count + 1 } ?? 20
        var stats = " │ " + statistics(state) + " "
        // The topic rates (proxy mode) go first when the line is short of room.
        if right - left - stats.count < noticeRoom {
            stats = " │ " + statistics(state, includingTopics: false) + " "
        }
        // Statistics are dropped before the connection and the notice on narrow terminals, and while
        // a notice needs their room.
        if right - left - stats.count >= noticeRoom {
            right -= stats.count
            buffer.put(stats, row: row, column: right, style: styles[.statusBar], maxWidth: stats.count)
        }
        if let notice = state.notice {
            // A notice that still does not fit points to the message log, where it is shown in full.
            let room = right - left
            let text = notice.text.count < room ? notice.text : String(notice.text.prefix(max(0, room - 12))) + "… (M: more)"
            buffer.put(text, row: row, column: left, style: styles[notice.isError ? .stateError : .message], maxWidth: room)
        } else {
            let server = state.configuration.isOffline
                ? "" : state.configuration.url + (state.configuration.user.map { " \($0)" } ?? "")
            buffer.put(server, row: row, column: left, style: styles[.statusBar], maxWidth: right - left)
        }
    }
}
