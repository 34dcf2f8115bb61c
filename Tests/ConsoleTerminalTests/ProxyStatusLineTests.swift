import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// In proxy mode the status line also shows messages per second per topic; they give way first on a
/// narrow terminal.
@Suite("Proxy status line")
struct ProxyStatusLineTests {
    func draw(_ state: ConsoleState, width: Int) -> String {
        var buffer = ScreenBuffer(width: width, height: 1)
        StatusLineView.draw(state, in: Rect(row: 0, column: 0, width: width, height: 1), into: &buffer, styles: ThemeStyles(theme: .dark))
        return buffer.textSnapshot()
    }

    @Test func topicRatesOnTheStatusLine() {
        var state = ViewFixture.state()
        _ = reduce(&state, .topicCounts([.rpc: 10, .record: 5], at: ViewFixture.at(4000)))
        _ = reduce(&state, .topicCounts([.rpc: 30, .record: 9, .event: 1], at: ViewFixture.at(6000)))
        #expect(draw(state, width: 140) == """
             OPEN ws://127.0.0.1:6020 console          │ msgs RPC 10.0/s · RECORD 2.0/s · EVENT 0.5/s │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
        // Too narrow for both: the call numbers stay, the topic rates go.
        #expect(draw(state, width: 100) == """
             OPEN ws://127.0.0.1:6020 console                 │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
    }

    @Test func beforeAnyMessageTheTopicPartSaysSo() {
        var state = ViewFixture.state()
        _ = reduce(&state, .topicCounts([:], at: ViewFixture.at(4000)))
        #expect(StatusLineView.statistics(state).hasPrefix("msgs 0/s │ 0.6 calls/s"))
    }
}
