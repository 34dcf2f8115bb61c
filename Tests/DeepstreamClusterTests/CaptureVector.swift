import DeepstreamCluster
import DeepstreamProtocol
import Testing

/// One reference capture: its frames and what the captures' own decoding says they contain.
struct CaptureVector: CustomTestStringConvertible {
    /// One Redis message of the capture.
    struct Frame {
        /// Seconds since the capture's first PUBLISH.
        var t: Double
        var channel: String
        var payload: [UInt8]
    }

    let frameText: String
    let nodes: [String]
    let lastStatus: [String: Double]
    let finalProviders: [String: Set<String>]
    let checksums: Int
    let bounces: [String: Int]
    let calls: [ExpectedCall]

    init(
        frames: String, nodes: [String], lastStatus: [String: Double], finalProviders: [String: Set<String>], checksums: Int,
        bounces: [String: Int], calls: [ExpectedCall]
    ) {
        self.frameText = frames
        self.nodes = nodes
        self.lastStatus = lastStatus
        self.finalProviders = finalProviders
        self.checksums = checksums
        self.bounces = bounces
        self.calls = calls
    }

    /// Short, for test logs.
    var testDescription: String { "\(frames.count) frames, \(calls.count) calls" }

    var frames: [Frame] {
        frameText.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return Frame(t: Double(parts[0])!, channel: String(parts[1]), payload: hexBytes(parts[2]))
        }
    }
}

/// A call as the capture's decoding sees it: requestor node, id, the node each REQUEST went to, and the
/// final action ("responded", "errored", "failed:<RPC action>").
struct ExpectedCall: Hashable {
    var requestor: String
    var correlationId: String
    var name: String
    var routes: [String]
    var outcome: String
}

func hexBytes(_ text: Substring) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count / 2)
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// A fixed epoch for replays: 2026-01-01T00:00:00Z.
let replayEpoch = Timestamp(nanoseconds: 1_767_225_600_000_000_000)

func at(_ seconds: Double) -> Timestamp {
    replayEpoch.advanced(by: .nanoseconds(Int64(seconds * 1e9)))
}

/// Calls rebuilt from the observer's events, in order of first REQUEST, with node names.
struct ObservedCalls {
    private(set) var order: [CallID] = []
    private(set) var calls: [CallID: ExpectedCall] = [:]
    private(set) var steps: [CallID: [CallEvent]] = [:]

    mutating func record(_ events: [ClusterEvent], names: (PeerID) -> String?) {
        for case .traffic(.call(let event)) in events {
            let id = event.call
            if calls[id] == nil {
                order.append(id)
                calls[id] = ExpectedCall(
                    requestor: id.requestor.flatMap(names) ?? "?", correlationId: id.correlationId, name: event.name,
                    routes: [], outcome: "open")
            }
            steps[id, default: []].append(event)
            switch event.step {
            case .routed(let peer): calls[id]!.routes.append(names(peer) ?? "?")
            case .responded: calls[id]!.outcome = "responded"
            case .errored: calls[id]!.outcome = "errored"
            case .failed(let reason): calls[id]!.outcome = "failed:\(reason.name)"
            case .abandoned(let reason): calls[id]!.outcome = "abandoned:\(reason)"
            default: break
            }
        }
    }

    var list: [ExpectedCall] { order.map { calls[$0]! } }
}
