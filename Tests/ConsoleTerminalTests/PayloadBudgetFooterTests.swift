import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// The Calls pane's footer once the payload memory budget released payloads (decision 62).
@Suite("Payload budget footer")
struct PayloadBudgetFooterTests {
    @Test("The footer adds the released-payload count and the budget next to the dropped calls; rows keep their sizes")
    func footer() {
        var configuration = ConsoleConfiguration(url: "ws://127.0.0.1:6020", user: "console", embeddedBroker: true)
        configuration.payloadBudget = 2_048
        var state = ConsoleState(configuration: configuration, columns: 100, rows: 30)
        let request = "\"" + String(repeating: "x", count: 998) + "\""
        for index in 0..<3 {
            _ = reduce(&state, ViewFixture.call("k\(index)", "upload", peer: 2, .requested(data: request), at: 1000 * (index + 1)))
            _ = reduce(&state, ViewFixture.call("k\(index)", "upload", peer: 2, .responded(data: "1"), at: 1000 * (index + 1) + 4))
        }
        _ = reduce(&state, .tick(ViewFixture.at(4000)))
        var buffer = ScreenBuffer(width: 100, height: 7)
        CallsView.draw(state, in: buffer.bounds, into: &buffer, styles: ThemeStyles(theme: .dark))
        #expect(buffer.textSnapshot() == """
            ┌─ Calls ──────────────────────────────────────────────────────────────────────────────────────────┐
            │TIME         NAME               REQUESTOR → PROVIDER    STATE           ACCEPT   TOTAL     REQ→RES│
            │16:00:01.000 upload             #2 → ?                  ok                   -  4.00ms    1000B→1B│
            │16:00:02.000 upload             #2 → ?                  ok                   -  4.00ms    1000B→1B│
            │16:00:03.000 upload             #2 → ?                  ok                   -  4.00ms    1000B→1B│
            │follow · 3 calls · 0 dropped · payloads of 1 old call dropped (memory budget 2 KiB)               │
            └──────────────────────────────────────────────────────────────────────────────────────────────────┘
            """)
    }
}
