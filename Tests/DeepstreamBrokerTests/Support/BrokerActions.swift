@testable import DeepstreamBroker
import DeepstreamProtocol

/// The RPC messages among `actions`, with the peer each is sent to.
func sends(_ actions: [BrokerAction]) -> [(PeerID, RPCMessage)] {
    actions.compactMap { if case .send(let peer, .rpc(let m)) = $0 { (peer, m) } else { nil } }
}

/// The call steps `actions` tap, in order.
func steps(_ actions: [BrokerAction]) -> [CallStep] {
    actions.compactMap { if case .tap(.call(let e)) = $0 { e.step } else { nil } }
}
