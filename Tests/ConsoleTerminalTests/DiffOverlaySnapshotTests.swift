import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// A snapshot of the `d` overlay: two `store.get` answers diffed.
@Suite("Diff overlay snapshot")
struct DiffOverlaySnapshotTests {
    @Test("80×24: the two calls, the paths, the unified diff with - and + lines")
    func overlay() {
        var state = ViewFixture.state(columns: 80, rows: 24)
        for (cid, response, at) in [("s1", #"{"key":"a","value":1,"tags":["x"]}"#, 5000), ("s2", #"{"key":"a","value":2,"tags":["x","y"]}"#, 6000)] {
            _ = reduce(&state, ViewFixture.call(cid, "store.get", peer: 2, .requested(data: "\"a\""), at: at))
            _ = reduce(&state, ViewFixture.call(cid, "store.get", peer: 2, .responded(data: response), at: at + 3))
        }
        _ = reduce(&state, .tick(ViewFixture.at(7000)))
        for _ in 0..<6 where state.focus != .calls {
            _ = reduce(&state, .key(.escape))
            _ = reduce(&state, .key(.tab))
        }
        #expect(state.focus == .calls)
        _ = reduce(&state, .key(.character("G")))
        _ = reduce(&state, .key(.character("d")))
        let buffer = ViewFixture.render(state, columns: 80, rows: 24)
        #expect(buffer.textSnapshot() == """
            ┌─ Providers 2+2 ──────────────┐┌─ Composer ───────────────────────────────────┐
            │S┌─ Diff of responses · Esc closes · j/k scroll ────────────────────────────┐ │
            │o│ - store.get #4 (previous store.get) · ok                                 │─│
            │o│ + store.get #5 (selected) · ok                                           │ │
            │·│                                                                          │ │
            │·│ 2 differences:                                                           │ │
            │ │   ~ $.value: 1 -> 2                                                      │ │
            │ │   + $.tags[1]: "y"                                                       │ │
            └─│                                                                          │─┘
            ┌─│   {                                                                      │─┐
            │T│     "key": "a",                                                          │L│
            │1│ -   "value": 1,                                                          │s│
            │1│ +   "value": 2,                                                          │-│
            │1│     "tags": [                                                            │s│
            │1│ -     "x"                                                                │s│
            │1│ +     "x",                                                               │s│
            │ │ +     "y"                                                                │ │
            │ │     ]                                                                    │ │
            │ │   }                                                                      │ │
            │ │                                                                          │ │
            │ │                                                                          │ │
            │f└──────────────────────────────────────────────────────────────────────────┘ │
            └──────────────────────────────────────────────────────────────────────────────┘
             OPEN ws://127.0.0.1:6020 con │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
    }
}
