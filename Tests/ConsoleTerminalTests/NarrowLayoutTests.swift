import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// The whole console at the two narrow sizes of issue 11 (80×24 and 60×16): names and routes stay
/// whole, the correlation id, INFO and sizes go first.
@Suite("Narrow layouts")
struct NarrowLayoutTests {
    @Test func eightyByTwentyFour() {
        let buffer = ViewFixture.render(ViewFixture.state(columns: 80, rows: 24), columns: 80, rows: 24)
        #expect(buffer.textSnapshot() == Self.eighty, "\n\(buffer.textSnapshot())")
    }

    @Test func sixtyBySixteen() {
        let buffer = ViewFixture.render(ViewFixture.state(columns: 60, rows: 16), columns: 60, rows: 16)
        #expect(buffer.textSnapshot() == Self.sixty, "\n\(buffer.textSnapshot())")
    }

    static let eighty = """
        ┌─ Providers 2+2 ──────────────┐┌─ Composer ───────────────────────────────────┐
        │ST   NAME                CALLS││RPC math.add                                  │
        │on   math.add                0││──────────────────────────────────────────────│
        │off  greet                   0││{"a": 1, "b": 2}                              │
        │·    store.get           #2 b…││                                              │
        │·    store.get           #3 c…││                                              │
        │                              ││✓ valid JSON · Ctrl-S sends                   │
        │                              ││                                              │
        └──────────────────────────────┘└──────────────────────────────────────────────┘
        ┌─ Calls ──────────────────────────────────────────────────────────────────────┐
        │TIME         NAME               REQUESTOR → PROVIDER    STATE            TOTAL│
        │16:00:01.000 math.add           #2 bob → #1 console     ok              4.00ms│
        │16:00:02.000 store.get          ↻ #1 console → #3 carol accepted             -│
        │16:00:03.000 nobody             #3 carol → ?            no-provider     1.00ms│
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │                                                                              │
        │follow · 3 calls · 0 dropped                                                  │
        └─ Calls: Enter detail · / filter · p pause · s sort · S stats · ? help ───────┘
         OPEN ws://127.0.0.1:6020 con │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
        """

    static let sixty = """
        ┌─ Providers 2+2 ──────┐┌─ Composer ───────────────────────┐
        │ST   NAME             ││RPC math.add                      │
        │on   math.add         ││──────────────────────────────────│
        │off  greet            ││{"a": 1, "b": 2}                  │
        │·    store.get        ││                                  │
        │·    store.get        ││                                  │
        │                      ││✓ valid JSON · Ctrl-S sends       │
        │                      ││                                  │
        └──────────────────────┘└──────────────────────────────────┘
        ┌─ Calls ──────────────────────────────────────────────────┐
        │NAME            FROM → TO           STATE            TOTAL│
        │store.get       ↻ console → carol   accepted             -│
        │nobody          #3 carol → ?        no-provider     1.00ms│
        │follow · 3 calls · 0 dropped                              │
        └─ Calls: Enter detail · / filter · p pause · s sort · S …─┘
         OPEN ws://127.0.0.1:6020 console
        """
}
