import ConsoleCore
import ConsoleTerminal
import Testing

/// `dsconsole open`'s status line: `offline: FILE` alone, `FILE → STATE URL user` with `--url`; and
/// which rows the Stats count in each case.
@Suite("open status line")
struct OpenStatusLineTests {
    func state(server: Bool) -> ConsoleState {
        var configuration = ConsoleConfiguration(
            url: server ? "ws://127.0.0.1:6020/deepstream" : "calls.jsonl", user: server ? "ada" : nil, embeddedBroker: !server)
        configuration.offlineFile = "calls.jsonl"
        configuration.recordingHasServer = server
        return ConsoleState(configuration: configuration, columns: 100, rows: 30)
    }

    func draw(_ state: ConsoleState) -> String {
        var buffer = ScreenBuffer(width: 120, height: 1)
        StatusLineView.draw(state, in: Rect(row: 0, column: 0, width: 120, height: 1), into: &buffer, styles: ThemeStyles(theme: .dark))
        return buffer.textSnapshot()
    }

    @Test func offlineAndWithServer() {
        let offline = draw(state(server: false))
        #expect(offline.hasPrefix(" offline: calls.jsonl  "), "\(offline)")
        #expect(!offline.contains("→"))
        let live = draw(state(server: true))
        #expect(live.hasPrefix(" calls.jsonl → CLOSED ws://127.0.0.1:6020/deepstream ada "), "\(live)")
    }

    @Test func statsCountRecordedAndOwnCallsWithAServer() {
        let offline = state(server: false).configuration
        #expect(offline.isOffline && offline.countsInStats(.broker) && !offline.countsInStats(.outgoing))
        let live = state(server: true).configuration
        #expect(!live.isOffline && live.countsInStats(.broker) && live.countsInStats(.outgoing))
    }
}
