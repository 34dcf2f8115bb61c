import CallStatistics
import ConsoleCore
import DeepstreamProtocol
import Testing

/// One finished broker call `name` of requestor 1, routed to `provider`, ending with `end` after `ms`.
private func finish(
    _ state: inout ConsoleState, _ cid: String, _ name: String, provider: UInt64 = 2, end: CallStep,
    ms: Int, start: Int = 0
) {
    let begin = time(start)
    _ = reduce(&state, brokerCall(cid, name, .requested(data: "{}"), at: begin))
    _ = reduce(&state, brokerCall(cid, name, .routed(to: PeerID(provider)), at: begin))
    if case .failed = end {} else {
        _ = reduce(&state, brokerCall(cid, name, .accepted(by: PeerID(provider)), at: time(start, ms: 1)))
    }
    _ = reduce(&state, brokerCall(cid, name, end, at: time(start, ms: ms)))
}

@Suite("Stats view")
struct StatsViewTests {
    @Test("Ended calls are counted per name and provider, and outlive the call log's evictions")
    func countsOutliveTheLog() throws {
        var state = makeState(capacity: 3)
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: time(0)))))
        for index in 0..<5 { finish(&state, "a\(index)", "add", end: .responded(data: "1"), ms: 10 + index) }
        finish(&state, "e", "add", end: .errored(data: "\"bad\""), ms: 5)
        finish(&state, "t", "slow", end: .failed(reason: .acceptTimeout), ms: 1000)
        #expect(state.calls.log.count == 3)
        let add = try #require(state.statistics.row(named: "add"))
        #expect(add.counts.calls == 6)
        #expect(add.counts.ok == 5)
        #expect(add.counts.errors(.requestError) == 1)
        #expect(add.providers.map(\.provider) == ["bob"])
        #expect(state.statistics.row(named: "slow")?.counts.errors(.acceptTimeout) == 1)
    }

    @Test("S opens the view with the busiest RPC selected; sort, reverse, expand, close")
    func keys() throws {
        var state = makeState()
        finish(&state, "1", "few", end: .responded(data: nil), ms: 50)
        for index in 0..<3 { finish(&state, "m\(index)", "many", end: .responded(data: nil), ms: 5) }
        press(&state, .character("S"))
        #expect(state.overlay == .stats)
        #expect(state.statsView.selectedName == "many")
        #expect(state.statsView.sortColumn == .calls)
        // Sort by the next column (calls/s), then back, then reversed: the least called first.
        press(&state, .character("l"))
        #expect(state.statsView.sortColumn == .rate)
        press(&state, .character("h"), .character("o"))
        #expect(state.statsView.sortColumn == .calls)
        let rows = state.statsView.sortedRows(state.statistics) { _ in true }
        #expect(rows.map(\.name) == ["few", "many"])
        press(&state, .character("j"))
        #expect(state.statsView.selectedName == "many")
        press(&state, .enter)
        #expect(state.statsView.expanded == ["many"])
        #expect(state.statsLines.contains { $0.description.contains("#2") })
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test("/ filters names with the Calls filter; Esc cancels the edit, not the view")
    func filter() {
        var state = makeState()
        finish(&state, "1", "payments.charge", end: .responded(data: nil), ms: 5)
        finish(&state, "2", "search", end: .responded(data: nil), ms: 5)
        press(&state, .character("S"), .character("/"))
        type(&state, "name:pay")
        #expect(state.overlay == .stats)
        let shown = state.statsLines.map(\.description)
        #expect(shown.contains { $0.contains("payments.charge") })
        #expect(!shown.contains { $0.contains("search") })
        press(&state, .enter)
        #expect(state.calls.filter.text == "name:pay")
        press(&state, .character("/"), .escape)
        #expect(state.overlay == .stats)
        #expect(state.calls.filter.text == "name:pay")
    }

    @Test("X resets, x asks the runtime to write the report to a new file")
    func resetAndExport() throws {
        var state = makeState()
        finish(&state, "1", "add", end: .responded(data: nil), ms: 5)
        _ = reduce(&state, .tick(time(7)))
        let effects = work(press(&state, .character("S"), .character("x")))
        guard case .writeFile(let path, let contents, let what)? = effects.first else {
            Issue.record("no writeFile effect: \(effects)")
            return
        }
        #expect(path == "dsconsole-stats-\(1_764_000_007).json")
        #expect(what == "statistics")
        let report = try JSONValue(parsing: contents)
        #expect(report["event"] == "stats")
        guard case .array(let rpcs)? = report["rpcs"] else {
            Issue.record("no rpcs in \(contents)")
            return
        }
        #expect(rpcs.first?["name"] == "add")
        _ = reduce(&state, .fileWritten(path: path, what: what, error: nil))
        #expect(state.notice?.text.contains(path) == true)
        press(&state, .character("X"))
        #expect(state.statistics.rows.isEmpty)
        #expect(state.statsLines.map(\.description).contains { $0.contains("No call has ended yet") })
    }

    @Test("Narrow terminals keep the name and the most important columns")
    func narrowColumns() {
        let wide = StatsContent.columns(forWidth: 170)
        #expect(wide.sparkline)
        #expect(wide.columns.count == StatsColumn.allCases.count)
        let narrow = StatsContent.columns(forWidth: 56)
        #expect(!narrow.sparkline)
        #expect(narrow.columns.first == .name)
        #expect(narrow.columns.contains(.calls) && narrow.columns.contains(.p99))
        #expect(!narrow.columns.contains(.other))
    }
}
