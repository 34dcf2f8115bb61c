import DeepstreamProtocol
import Synchronization

/// The answer channel a provider handler gets with each request, shaped like the JS client's
/// `RpcResponse`: ``accept()``, ``reject()``, ``send(_:)``, ``error(_:)`` and ``autoAccept``.
///
/// It may be used from any task. Every call goes into the engine through one ordered channel, so the
/// server sees ACCEPT before RESPONSE and in the order the calls were made. A response settles once
/// (send, reject or error); later settling calls are ignored and reported as an
/// ``EngineEvent/error(kind:message:at:)`` of kind `RPC_ALREADY_COMPLETED`.
public final class RPCResponse: Sendable {
    /// What the engine must send or report for a response.
    package enum Command: Sendable {
        case accept
        case reject
        case respond(JSONValue?)
        case fail(JSONValue?)
        case misuse(String)
        /// The response was released without being settled.
        case unanswered
    }

    /// A command with the request it belongs to.
    package struct Envelope: Sendable {
        /// RPC name of the request.
        package var name: String
        /// Correlation id of the request.
        package var correlationId: String
        /// The engine's number of the connection the request came in on.
        package var connection: UInt64
        /// What to do.
        package var command: Command

        /// Creates an envelope.
        package init(name: String, correlationId: String, connection: UInt64, command: Command) {
            self.name = name
            self.correlationId = correlationId
            self.connection = connection
            self.command = command
        }
    }

    private struct State {
        var autoAccept = true
        var accepted = false
        var settled = false
    }

    /// The RPC name of the request.
    public let name: String
    /// The request's correlation id.
    public let correlationId: String
    let connection: UInt64
    private let state = Mutex(State())
    private let sink: AsyncStream<Envelope>.Continuation

    init(name: String, correlationId: String, connection: UInt64, sink: AsyncStream<Envelope>.Continuation) {
        self.name = name
        self.correlationId = correlationId
        self.connection = connection
        self.sink = sink
    }

    deinit {
        // Lets the engine forget the request (and report it) when a handler drops the response
        // without answering; the server times the requestor out.
        if !state.withLock({ $0.settled }) { yield(.unanswered) }
    }

    /// Whether the engine sends ACCEPT by itself right after the handler returns (default `true`).
    /// Set it to `false` inside the handler to accept later (or never, before rejecting).
    public var autoAccept: Bool {
        get { state.withLock { $0.autoAccept } }
        set { state.withLock { $0.autoAccept = newValue } }
    }

    /// Whether the request was answered (send, reject or error).
    public var isSettled: Bool { state.withLock { $0.settled } }

    /// Sends ACCEPT, once. Ignored when already accepted or settled.
    public func accept() {
        state.withLock { s in
            guard !s.accepted, !s.settled else { return }
            s.accepted = true
            yield(.accept)
        }
    }

    /// Sends REJECT: the server hands the request to another provider.
    public func reject() {
        settle(.reject, operation: "reject")
    }

    /// Sends the result as RESPONSE (`nil` = no data), preceded by ACCEPT if not yet accepted.
    public func send(_ value: JSONValue? = nil) {
        settle(.respond(value), operation: "send")
    }

    /// Sends REQUEST_ERROR with `value` as the error the requestor receives.
    public func error(_ value: JSONValue?) {
        settle(.fail(value), operation: "error")
    }

    /// Called by the engine after the handler returned.
    func performAutoAccept() {
        state.withLock { s in
            guard s.autoAccept, !s.accepted, !s.settled else { return }
            s.accepted = true
            yield(.accept)
        }
    }

    private func settle(_ command: Command, operation: String) {
        state.withLock { s in
            guard !s.settled else {
                yield(.misuse("\(operation)() on RPC \(name) (\(correlationId)) after it was already completed"))
                return
            }
            s.settled = true
            if case .respond = command, !s.accepted { yield(.accept) }
            s.accepted = true
            s.autoAccept = false
            yield(command)
        }
    }

    /// Yields while the lock is held so that the channel order equals the order of state changes.
    private func yield(_ command: Command) {
        sink.yield(Envelope(name: name, correlationId: correlationId, connection: connection, command: command))
    }
}
