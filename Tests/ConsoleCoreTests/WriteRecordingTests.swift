import CallRecording
import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("w: write a recording")
struct WriteRecordingTests {
    @Test("w then Enter writes the ended calls with user names; the file reads back to the same calls")
    func wholeLog() throws {
        var state = makeState()
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(1), user: "alice", clientData: nil, at: time(0)))))
        _ = reduce(&state, .engine(.traffic(.loggedIn(peer: PeerID(2), user: "bob", clientData: nil, at: time(0)))))
        _ = reduce(&state, brokerCall("c1", "pay", peer: 1, .requested(data: #"{ "amount": 1.50 }"#), at: time(1)))
        _ = reduce(&state, brokerCall("c1", "pay", peer: 1, .routed(to: PeerID(2)), at: time(1, ms: 1)))
        _ = reduce(&state, brokerCall("c1", "pay", peer: 1, .accepted(by: PeerID(2)), at: time(1, ms: 2)))
        _ = reduce(&state, brokerCall("c1", "pay", peer: 1, .responded(data: #"{"ok":true}"#), at: time(1, ms: 9)))
        _ = reduce(&state, brokerCall("c2", "lookup", peer: 1, .requested(data: nil), at: time(2)))
        _ = reduce(&state, brokerCall("c2", "lookup", peer: 1, .failed(reason: .noRPCProvider), at: time(2, ms: 1)))
        _ = reduce(&state, brokerCall("c3", "pending", peer: 1, .requested(data: "1"), at: time(3)))
        _ = reduce(&state, .tick(time(5)))
        press(&state, .character("w"))
        guard case .writeRecording(let editor)? = state.overlay else {
            Issue.record("no prompt: \(String(describing: state.overlay))")
            return
        }
        #expect(editor.text == "dsconsole-calls-1764000005.jsonl")
        #expect(state.recordableCallCount == 2)
        press(&state, .ctrl("u"))
        type(&state, "  session.jsonl ")
        let effects = work(press(&state, .enter))
        #expect(state.overlay == nil)
        guard case .writeFile(let path, let contents, let what)? = effects.first else {
            Issue.record("no writeFile effect: \(effects)")
            return
        }
        #expect(path == "session.jsonl")
        #expect(what == "a recording of 2 calls")
        let read = RecordingReader.read(contents)
        #expect(read.badLineCount == 0)
        #expect(read.header?.source == "console")
        #expect(read.header?.startedAt == time(1))
        #expect(read.calls.map(\.name) == ["pay", "lookup"])
        let pay = try #require(read.calls.first)
        #expect(pay.correlationId == "c1" && pay.requestor == "alice" && pay.provider == "bob")
        #expect(pay.request == #"{ "amount": 1.50 }"# && pay.response == #"{"ok":true}"#)
        #expect(pay.timeline.map(\.at) == [time(1), time(1, ms: 1), time(1, ms: 2), time(1, ms: 9)])
        #expect(pay.timeline.map(\.peerName) == [nil, "bob", "bob", nil])
        #expect(read.calls[1].outcome == "NO_RPC_PROVIDER")
        _ = reduce(&state, .fileWritten(path: path, what: what, error: nil))
        #expect(state.notice?.text == "Wrote a recording of 2 calls to session.jsonl")
    }

    @Test("With a filter on, only the calls it shows are written; Esc cancels without writing")
    func filtered() {
        var state = makeState()
        recordCalls(&state, count: 3, name: "pay")
        recordCalls(&state, count: 2, from: 3, name: "search")
        press(&state, .character("/"))
        type(&state, "name:search")
        press(&state, .enter)
        press(&state, .character("w"))
        #expect(state.recordableCallCount == 2)
        #expect(work(press(&state, .escape)).isEmpty)
        #expect(state.overlay == nil)
        press(&state, .character("w"))
        let effects = work(press(&state, .enter))
        guard case .writeFile(_, let contents, _)? = effects.first else {
            Issue.record("no writeFile effect: \(effects)")
            return
        }
        #expect(RecordingReader.read(contents).calls.map(\.name) == ["search-3", "search-4"])
    }
}
