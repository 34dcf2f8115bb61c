import DeepstreamProtocol

/// What a template expression can read: the request and the current time.
package struct TemplateContext: Hashable, Sendable {
    /// The request being served.
    package var request: ProviderRequest
    /// The current time (injected so that tests control `now`).
    package var now: Timestamp

    /// Creates a context.
    package init(request: ProviderRequest, now: Timestamp) {
        self.request = request
        self.now = now
    }
}
