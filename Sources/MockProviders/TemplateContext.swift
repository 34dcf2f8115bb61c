import DeepstreamProtocol

/// What a template expression can read: the request and the current time.
public struct TemplateContext: Hashable, Sendable {
    /// The request being served.
    public var request: ProviderRequest
    /// The current time (injected so that tests control `now`).
    public var now: Timestamp

    /// Creates a context.
    public init(request: ProviderRequest, now: Timestamp) {
        self.request = request
        self.now = now
    }
}
