import DeepstreamBroker
import DeepstreamClient
import DeepstreamProtocol
import MockProviders
import Testing

@testable import dsconsole

/// The executable's pure pieces, tested directly.
@Suite("dsconsole pure logic")
struct PureLogicTests {
    @Test("every RPC error maps to its documented exit status")
    func exitStatusMapping() {
        let expected: [(RPCError, Int32)] = [
            (.requestError("x"), 1), (.requestError(nil), 1), (.noRPCProvider, 2), (.acceptTimeout, 3),
            (.responseTimeout, 4), (.messageDenied, 5), (.messagePermissionError, 5), (.timeout(.seconds(1)), 6),
            (.clientOffline, 7), (.messageTooBig(size: 2, limit: .client(1)), 7), (.messageTooBig(size: 2, limit: .server(closeCode: 1009)), 7), (.cancelled, 7),
            (.unexpectedReply(.invalidMessageData), 7), (.invalidResponseData("x"), 7), (.invalidName, 64),
        ]
        for (error, status) in expected { #expect(ExitStatus.forCall(error).rawValue == status, "\(error)") }
        #expect(Set(ExitStatus.allCases.map(\.rawValue)).count == ExitStatus.allCases.count)
        #expect(CallCommand.errorLine(.requestError(["code": 7])) == #"{"code":7}"#)
        #expect(CallCommand.errorLine(.noRPCProvider) == "NO_RPC_PROVIDER")
    }

    @Test("an oversize call's abandoned step says why in JSON Lines")
    func messageTooBigInJSONLines() throws {
        let error = RPCError.messageTooBig(size: 5012, limit: .server(closeCode: 1009))
        let event = CallEvent(
            call: CallID(requestor: nil, correlationId: "c1"), name: "echo",
            step: .abandoned(reason: error.abandonReason), at: Timestamp(nanoseconds: 0))
        let line = EventJSONLines.object(for: event, event: "outgoingCall", requestor: nil)
        #expect(line["step"] == "abandoned")
        #expect(line["reason"] == .string("message too big: the request is 5,012 bytes and the server closed the connection with 1009 (its maxMessageSize is smaller)"))
        #expect(CallCommand.errorLine(error) == error.description)
    }

    @Test("bench statistics: counts add up, merge adds, percentiles are ordered")
    func benchStatistics() {
        var a = BenchStatistics()
        for ms in 1...100 { a.recordSuccess(latency: .milliseconds(ms)) }
        a.recordFailure(kind: "NO_RPC_PROVIDER")
        var b = BenchStatistics()
        b.recordSuccess(latency: .milliseconds(1000))
        b.recordFailure(kind: "NO_RPC_PROVIDER")
        b.recordFailure(kind: "timeout")
        b.recordSkipped()
        a.merge(b)
        #expect(a.succeeded == 101)
        #expect(a.completed == 104)
        #expect(a.failures == ["NO_RPC_PROVIDER": 2, "timeout": 1])
        #expect(a.skipped == 1)
        #expect(abs(a.latencyMilliseconds(atPercentile: 50) - 51) < 0.1)
        #expect(abs(a.maxLatencyMilliseconds - 1000) < 1)
        let report = a.report(settings: JSONObject([("name", "n")]), elapsed: .seconds(2))
        #expect(report["name"] == "n")
        #expect(report["calls"] == 104 && report["ok"] == 101 && report["failed"] == 3 && report["skipped"] == 1)
        #expect(report["throughputPerSecond"] == 52)
        #expect(report["errors"] == ["NO_RPC_PROVIDER": 2, "timeout": 1])
        // Nothing succeeded: no percentiles (null in JSON, "none" in the text), not "p50 0.000".
        var failed = BenchStatistics()
        failed.recordFailure(kind: "NO_RPC_PROVIDER")
        #expect(failed.report(settings: JSONObject(), elapsed: .seconds(1))["latencyMs"] == .null)
        let text = failed.reportText(header: "h", elapsed: .seconds(1))
        #expect(text.contains("latency ms  none (no call succeeded)") && !text.contains("p50"))
        #expect(BenchStatistics.format(3.14159, 2) == "3.14")
        #expect(BenchStatistics.format(-0.004, 2) == "0.00")
        #expect(BenchStatistics.format(2, 0) == "2")
    }

    @Test("JSON Lines shapes of tap events")
    func trafficLines() throws {
        let at = Timestamp(nanoseconds: 1_764_088_200_123_000_000)
        let call = CallEvent(call: CallID(requestor: PeerID(3), correlationId: "c1"), name: "add", step: .responded(data: "11"), at: at)
        #expect(EventJSONLines.object(for: TrafficEvent.call(call), frames: false)?.jsonText
            == ##"{"ts":1764088200.123,"event":"call","call":"#3/c1","requestor":3,"correlationId":"c1","name":"add","step":"responded","data":11,"final":true}"##)
        let bad = CallEvent(call: CallID(requestor: nil, correlationId: "c2"), name: "x", step: .requested(data: "{oops"), at: at)
        #expect(EventJSONLines.object(for: EngineEvent.outgoingCall(bad), frames: false)?["dataText"] == "{oops")
        let failed = CallEvent(call: CallID(requestor: PeerID(1), correlationId: "c3"), name: "x", step: .failed(reason: .noRPCProvider), at: at)
        #expect(EventJSONLines.object(for: TrafficEvent.call(failed), frames: false)?["reason"] == "NO_RPC_PROVIDER")
        let frame = TrafficEvent.frame(peer: PeerID(1), direction: .inbound, message: nil, byteCount: 9, at: at)
        #expect(EventJSONLines.object(for: frame, frames: false) == nil)
        #expect(EventJSONLines.object(for: frame, frames: true)?.jsonText
            == #"{"ts":1764088200.123,"event":"frame","peer":1,"direction":"inbound","bytes":9,"message":null}"#)
        let state = EngineEvent.stateChanged(from: .authenticating, to: .open, at: at)
        #expect(EventJSONLines.object(for: state, frames: false)?.jsonText
            == #"{"ts":1764088200.123,"event":"state","from":"AUTHENTICATING","to":"OPEN"}"#)
    }

    @Test("served-call lines and connection error text")
    func servedLines() {
        let at = Timestamp(nanoseconds: (13 * 3600 + 5 * 60 + 9) * 1_000_000_000 + 7_000_000)
        let request = ProviderRequest(name: "add", correlationId: "c", data: ["a": 1], requestorName: "bob")
        #expect(ServedCallLog.line(request, plan: .respond(2, after: .milliseconds(30)), at: at)
            == #"13:05:09.007 add c {"a":1} from bob -> respond 2 after 30 ms"#)
        #expect(ServedCallLog.line(ProviderRequest(name: "n", correlationId: "c", data: nil), plan: .reject, at: at)
            == "13:05:09.007 n c (no data) -> reject")
        #expect(ConnectionOptions.conciseReason("… error: connection reset (error set): Connection refused) (errno: 111))")
            == "connection refused")
        #expect(ConnectionOptions.conciseReason("something else") == "something else")
    }
}

extension PureLogicTests {
    @Test("--coalesce-reads: the console naps 500 µs by default, busy-poll turns that default off, an explicit nap is kept")
    func coalesceReadsDefaults() throws {
        func nap(_ arguments: [String], default microseconds: Int) throws -> Duration {
            let command = try LocalConsoleCommand.parse(arguments)
            return command.coalesceReads.nap(defaultMicroseconds: microseconds, busyPoll: command.busyPoll)
        }
        let console = LocalConsoleCommand.defaultCoalescingMicroseconds
        #expect(try nap([], default: console) == .microseconds(500))
        #expect(try nap(["--busy-poll", "50"], default: console) == .zero)
        #expect(try nap(["--coalesce-reads", "0"], default: console) == .zero)
        #expect(try nap(["--coalesce-reads", "1000"], default: 0) == .microseconds(1000))
        #expect(try nap(["--coalesce-reads", "0", "--busy-poll", "50"], default: console) == .zero)
    }

    @Test("serve polls 50 µs by default (best effort), gives the default up for an explicit nap, and takes what it is told")
    func servePacingDefaults() throws {
        func pacing(_ arguments: [String]) throws -> BrokerConfiguration {
            let command = try ServeCommand.parse(arguments)
            var configuration = BrokerConfiguration()
            ServeCommand.applyPacing(busyPoll: command.busyPoll, coalesceReads: command.coalesceReads, to: &configuration)
            return configuration
        }
        let plain = try pacing([])
        #expect(plain.busyPollWindow == .microseconds(50))
        #expect(!plain.pacingRequired)
        #expect(plain.readCoalescingNap == .zero)
        let asked = try pacing(["--busy-poll", "100"])
        #expect(asked.busyPollWindow == .microseconds(100))
        #expect(asked.pacingRequired)
        let off = try pacing(["--busy-poll", "0"])
        #expect(off.busyPollWindow == .zero)
        let napping = try pacing(["--coalesce-reads", "500"])
        #expect(napping.busyPollWindow == .zero)
        #expect(napping.readCoalescingNap == .microseconds(500))
        #expect(napping.pacingRequired)
        // Turning the nap off does not make the default busy-poll something asked for.
        let napOff = try pacing(["--coalesce-reads", "0"])
        #expect(napOff.busyPollWindow == .microseconds(50))
        #expect(napOff.readCoalescingNap == .zero)
        #expect(!napOff.pacingRequired)
    }
}
