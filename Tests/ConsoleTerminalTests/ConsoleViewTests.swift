import ConsoleCore
import ConsoleTerminal
import DeepstreamProtocol
import Testing

/// Snapshot tests of the console's views: a prepared state (``ViewFixture``) is drawn into a buffer
/// and its `textSnapshot()` compared with the expected screen written here; a few style checks cover
/// what text cannot show (selection, cursor, the invalid-JSON marker, the badge).
@Suite("Console views")
struct ConsoleViewTests {
    let styles = ThemeStyles(theme: .dark)

    func draw(
        _ state: ConsoleState, width: Int, height: Int,
        _ view: (ConsoleState, Rect, inout ScreenBuffer, ThemeStyles) -> Void
    ) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: width, height: height)
        view(state, buffer.bounds, &buffer, styles)
        return buffer
    }

    @Test func providersPane() {
        let buffer = draw(ViewFixture.state(), width: 40, height: 9) { ProvidersView.draw($0, in: $1, into: &$2, styles: $3) }
        #expect(buffer.textSnapshot() == """
            ┌─ Providers 2+2 ──────────────────────┐
            │ST   NAME                CALLS    LAST│
            │on   math.add                0       -│
            │off  greet                   0       -│
            │·    store.get           #2 bob       │
            │·    store.get           #3 carol     │
            │                                      │
            │                                      │
            └──────────────────────────────────────┘
            """)
    }

    @Test func callsPane() {
        let state = ViewFixture.state()
        let buffer = draw(state, width: 100, height: 8) { CallsView.draw($0, in: $1, into: &$2, styles: $3) }
        #expect(buffer.textSnapshot() == """
            ┌─ Calls ──────────────────────────────────────────────────────────────────────────────────────────┐
            │TIME         NAME               REQUESTOR → PROVIDER    STATE           ACCEPT   TOTAL     REQ→RES│
            │16:00:01.000 math.add           #2 bob → #1 console     ok              2.00ms  4.00ms      13B→1B│
            │16:00:02.000 store.get          ↻ #1 console → #3 carol accepted        10.0ms       -        5B→-│
            │16:00:03.000 nobody             #3 carol → ?            no-provider          -  1.00ms         -→-│
            │                                                                                                  │
            │follow · 3 calls · 0 dropped                                                                      │
            └──────────────────────────────────────────────────────────────────────────────────────────────────┘
            """)
        // Following: the newest call (row 4) is selected.
        #expect(buffer[4, 1].style == styles[.selected])
        #expect(buffer[2, 1].style != styles[.selected])
        // The state column is drawn in the state's colour.
        #expect(buffer[2, 60].style == styles[.stateOK])
    }

    @Test func statusLine() {
        var state = ViewFixture.state()
        var buffer = draw(state, width: 100, height: 1) { StatusLineView.draw($0, in: $1, into: &$2, styles: $3) }
        #expect(buffer.textSnapshot() == """
             OPEN ws://127.0.0.1:6020 console                 │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
        _ = reduce(&state, .key(.character("p")))
        _ = reduce(&state, ViewFixture.call("k9", "late", peer: 2, .requested(data: nil), at: 4500))
        _ = reduce(&state, .engine(.error(kind: "HEARTBEAT_TIMEOUT", message: "no pong", at: ViewFixture.at(4600))))
        buffer = draw(state, width: 100, height: 1) { StatusLineView.draw($0, in: $1, into: &$2, styles: $3) }
        // The connection problem is a notice, not a call error.
        #expect(buffer.textSnapshot() == " OPEN HEARTBEAT_TIMEOUT: no pong       │ 0.8 calls/s │ 2 in flight │ 1 error │ 0 dropped  PAUSED +1")
        #expect(buffer[0, 99 - 3].style == styles[.badge])
        #expect(buffer[0, 6].style == styles[.stateError])
    }

    @Test func composerPaneMarksInvalidJSON() {
        var state = ViewFixture.state()
        _ = reduce(&state, .key(.character("c")))
        _ = reduce(&state, .key(.enter))
        for character in ",\n\"c\": tru" { _ = reduce(&state, .key(character == "\n" ? .enter : .character(character))) }
        let buffer = draw(state, width: 60, height: 10) { ComposerView.draw($0, in: $1, into: &$2, styles: $3) }
        #expect(buffer.textSnapshot() == """
            ┌─ Composer · typing ──────────────────────────────────────┐
            │RPC math.add                                              │
            │──────────────────────────────────────────────────────────│
            │{"a": 1, "b": 2},                                         │
            │"c": tru                                                  │
            │                                                          │
            │                                                          │
            │✗ line 1, column 17: unexpected text after the JSON value │
            │                                                          │
            └──────────────────────────────────────────────────────────┘
            """)
        // The parser stops at the "," after the first value (line 1, column 17).
        #expect(buffer[3, 17].character == ",")
        #expect(buffer[3, 17].style == styles[.jsonError])
        // The cursor sits after "tru" on the second body line.
        #expect(buffer[4, 9].style == styles[.cursor])
    }

    @Test func detailView() {
        var state = ViewFixture.state()
        _ = reduce(&state, .key(.character("k")))
        _ = reduce(&state, .key(.enter))
        #expect(ViewFixture.render(state, columns: 80, rows: 24).textSnapshot() == """
            ┌─ Call #1/k2 · Esc closes ────────────────────────────────────────────────────┐
            │ store.get  accepted                                                          │
            │ call #1/k2  routed by the embedded server  route #1 console → #3 carol       │
            │ accept 10.0ms  total -  request 5B  response -                               │
            │                                                                              │
            │ Timeline                                                                     │
            │   16:00:02.000      +0µs  requested (5B)                                     │
            │   16:00:02.001   +1.00ms  routed to #2 bob                                   │
            │   16:00:02.003   +3.00ms  rejected by #2 bob                                 │
            │   16:00:02.004   +4.00ms  rerouted to #3 carol                               │
            │   16:00:02.010   +10.0ms  accepted by #3 carol                               │
            │                                                                              │
            │ Request                                                                      │
            │   "key"                                                                      │
            │                                                                              │
            │ Response                                                                     │
            │   (waiting)                                                                  │
            │                                                                              │
            │                                                                              │
            │                                                                              │
            │                                                                              │
            │                                                                              │
            └─ Detail: j/k scroll · n/N next/prev · 2 request · 3 response · z fold · y c…─┘
             OPEN ws://127.0.0.1:6020 con │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
    }

    @Test func helpOverlay() {
        var state = ViewFixture.state()
        _ = reduce(&state, .key(.character("?")))
        #expect(ViewFixture.render(state, columns: 80, rows: 24).textSnapshot() == """
            ┌─ Providers 2+2 ──────────────┐┌─ Composer ───────────────────────────────────┐
            │S┌─ Help · Esc closes · j/k scroll ─────────────────────────────────────────┐ │
            │o│ Everywhere                                                               │─│
            │o│   Ctrl-C                quit (asks first when calls are in the log)      │ │
            │·│   Tab                   next pane                                        │ │
            │·│   Shift-Tab             previous pane                                    │ │
            │ │   Ctrl-R                search the request history (Enter loads it into t│ │
            │ │   F5                    send the last request again                      │ │
            └─│   F1                    help                                             │─┘
            ┌─│   Ctrl-L                repaint the screen                               │─┐
            │T│   Esc                   back out (close, cancel, clear message)          │L│
            │1│                                                                          │s│
            │1│ Panes (not while typing)                                                 │-│
            │1│   q                     quit (asks first when calls are in the log)      │s│
            │ │   ?                     help                                             │ │
            │ │   h ←                   pane to the left (never starts typing)           │ │
            │ │   l →                   pane to the right (never starts typing)          │ │
            │ │   c                     go to the composer and type the RPC name         │ │
            │ │   /                     filter the calls (from any pane)                 │ │
            │ │   M                     recent messages (notices in full)                │ │
            │ │   S                     statistics per RPC (calls, errors, latency percen│ │
            │f└─────────────────────────────────────────────────────────────── 1–19/257 ─┘ │
            └──────────────────────────────────────────────────────────────────────────────┘
             OPEN ws://127.0.0.1:6020 con │ 0.6 calls/s │ 1 in flight │ 1 error │ 0 dropped
            """)
    }

    @Test func tooSmallTerminal() {
        let snapshot = ViewFixture.render(ViewFixture.state(), columns: 40, rows: 8).textSnapshot()
        let expected = [
            "", "",
            "           Terminal too small",
            "            40×8, need 60×16",
            "      Enlarge the window · q quits",
            "", "", "",
        ]
        #expect(snapshot == expected.joined(separator: "\n"))
    }

    @Test func fullConsoleFitsEverySizeWithoutCrashing() {
        let state = ViewFixture.state()
        for (columns, rows) in [(60, 16), (80, 24), (100, 30), (200, 60), (59, 40), (1, 1), (0, 0)] {
            let snapshot = ViewFixture.render(state, columns: columns, rows: rows).textSnapshot()
            if columns >= 60 && rows >= 16 {
                #expect(snapshot.contains("Providers"), "\(columns)×\(rows)")
                #expect(snapshot.contains("Calls"), "\(columns)×\(rows)")
                #expect(snapshot.split(separator: "\n", omittingEmptySubsequences: false).last?.contains("OPEN") == true)
            }
        }
    }

    @Test func dialogs() {
        var state = ViewFixture.state()
        _ = reduce(&state, .key(.tab))
        _ = reduce(&state, .key(.character("a")))
        for character in "greet echo" { _ = reduce(&state, .key(.character(character))) }
        var snapshot = ViewFixture.render(state, columns: 80, rows: 24).textSnapshot()
        #expect(snapshot.contains("│ name behaviour: greet echo"))
        #expect(snapshot.contains("e.g. greet echo · greet template Hi {{name}} · @calls.jsonl"))
        _ = reduce(&state, .key(.escape))
        _ = reduce(&state, .key(.function(5)))
        _ = reduce(&state, .key(.character("q")))
        snapshot = ViewFixture.render(state, columns: 80, rows: 24).textSnapshot()
        // The dialog's in-flight number is the status line's.
        #expect(snapshot.contains("3 calls in the log, \(state.stats.inFlight) in flight."))
        #expect(snapshot.contains("Quit anyway? y / n"))
    }

    @Test func monochromeThemeDrawsNoColour() throws {
        let theme = try Theme(parsing: """
            name = mono
            selected = reverse
            badge = bold reverse
            """)
        var state = ViewFixture.state()
        _ = reduce(&state, .key(.character("p")))
        let buffer = ViewFixture.render(state, theme: theme)
        for row in 0..<buffer.height {
            for column in 0..<buffer.width {
                let style = buffer[row, column].style
                #expect(style.foreground == .default && style.background == .default)
            }
        }
        #expect(buffer[29, 99].style.isReversed)
    }

    @Test func themeColoursFallBackBelow256Colours() {
        let style = ThemeStyle(foreground: .palette(39, fallback: 6), background: .ansi(4), attributes: [.standout, .italic])
        #expect(ThemeStyles.style(style, capability: .palette256) == Style(foreground: .indexed(39), background: .indexed(4), attributes: [.reverse, .bold, .underline]))
        #expect(ThemeStyles.style(style, capability: .ansi16).foreground == .indexed(6))
    }

    @Test func terminalKeysMapToConsoleKeys() {
        let size = TerminalSize(columns: 120, rows: 40)
        #expect(KeyPress(.ctrl("s"), size: size) == .ctrl("s"))
        #expect(KeyPress(.backTab, size: size) == .backTab)
        #expect(KeyPress(.function(1), size: size) == .function(1))
        #expect(KeyPress(.resize, size: size) == .resize(columns: 120, rows: 40))
        #expect(KeyPress(.insert, size: size) == nil)
    }
}
