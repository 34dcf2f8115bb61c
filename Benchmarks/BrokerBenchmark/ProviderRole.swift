import DeepstreamProtocol
import Histogram
import NIOCore

/// Logs in; when `provides` is non-empty also provides those names; then fulfils `ready`.
/// As a provider it answers every REQUEST with ACCEPT + RESPONSE carrying `responseData`, as the JS
/// client does.
final class ProviderRole: BenchRole {
    let ready: EventLoopPromise<Void>
    let names: [String]
    let responseData: String

    init(names: [String], responseData: String, ready: EventLoopPromise<Void>) {
        self.names = names
        self.responseData = responseData
        self.ready = ready
    }

    func started(_ connection: BenchConnection) {
        connection.write(.connection(ConnectionMessage(action: .challenge)))
        connection.flush()
    }

    func received(_ payload: ByteBuffer, on connection: BenchConnection) {
        guard let message = payload.withUnsafeReadableBytes({ try? BinaryCodec().decode($0) }) else { return }
        switch message {
        case .connection(let m) where m.action == .accept:
            connection.write(.auth(AuthMessage(action: .request, data: "{}")))
            connection.flush()
        case .auth(let m) where m.action == .authSuccessful:
            connection.write(.rpc(RPCMessage(action: .provide, correlationId: "0", names: names)))
            connection.flush()
        case .rpc(let m) where m.action == .provide && m.isAck == true:
            ready.succeed()
        case .rpc(let m) where m.action == .request:
            connection.write(.rpc(RPCMessage(action: .accept, correlationId: m.correlationId, name: m.name)))
            connection.write(.rpc(RPCMessage(action: .response, data: responseData, correlationId: m.correlationId, name: m.name)))
            connection.flush()
        default:
            break
        }
    }
}
