import DeepstreamProtocol

/// A request as the async provider form of ``ClientEngine/provide(_:body:)`` sees it.
public struct RPCRequest: Hashable, Sendable {
    /// The RPC name.
    public var name: String
    /// The correlation id.
    public var correlationId: String
    /// The request data (`nil` = none).
    public var data: JSONValue?
    /// The requestor, when the server sends its details.
    public var requestor: RequestorDetails?

    /// Creates a request (the engine does; tests of async providers may too).
    public init(name: String, correlationId: String, data: JSONValue?, requestor: RequestorDetails?) {
        self.name = name
        self.correlationId = correlationId
        self.data = data
        self.requestor = requestor
    }
}

/// Throw this from an async provider to answer with REQUEST_ERROR carrying `value`; any other
/// error is sent as its description (a JSON string).
public struct RPCProviderError: Error, Hashable, Sendable {
    /// The error value the requestor receives.
    public var value: JSONValue?
    /// Creates an error with a value.
    public init(_ value: JSONValue?) { self.value = value }
}
