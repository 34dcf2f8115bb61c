import DeepstreamProtocol

/// How a mock provider answers: a reply kind plus optional delay and random reject/error rates.
///
/// ``plan(for:at:using:)`` is the whole decision, pure: the console's Providers pane and the headless
/// `dsconsole provide` command both carry out the ``ProviderPlan`` it returns.
package struct ProviderBehaviour: Hashable, Sendable {
    /// The answer a provider gives when the random rates do not intervene.
    package enum Reply: Hashable, Sendable {
        /// Respond with the request's own data (no payload if it had none).
        case echo
        /// Respond with this value.
        case fixed(JSONValue)
        /// Respond with the template rendered for the request; an evaluation error is answered with
        /// REQUEST_ERROR `{"templateError": "…"}`.
        case template(Template)
        /// Reject every request.
        case reject
        /// Answer every request with REQUEST_ERROR carrying this value.
        case error(JSONValue)
        /// Never accept (the requestor gets ACCEPT_TIMEOUT).
        case neverAccept
        /// Accept, then never respond (the requestor gets RESPONSE_TIMEOUT).
        case neverRespond
    }

    /// The error value sent when ``errorRate`` strikes and no ``rateError`` is configured.
    package static let defaultRateError: JSONValue = "injected error (errorRate)"

    /// The reply kind.
    package var reply: Reply
    /// The delay between ACCEPT and the answer; `nil` answers at once.
    package var delay: ProviderDelay?
    /// The probability (0…1) of rejecting a request before anything else.
    package var rejectRate: Double
    /// The probability (0…1) of answering an accepted request with ``rateError`` instead of the reply.
    package var errorRate: Double
    /// The REQUEST_ERROR value used when ``errorRate`` strikes.
    package var rateError: JSONValue

    /// Creates a behaviour. Rates outside 0…1 are clamped (callers validate user input first, see
    /// ``isValidRate(_:)``); NaN counts as 0.
    package init(
        reply: Reply, delay: ProviderDelay? = nil, rejectRate: Double = 0, errorRate: Double = 0,
        rateError: JSONValue = ProviderBehaviour.defaultRateError
    ) {
        self.reply = reply
        self.delay = delay
        self.rejectRate = Self.clamped(rejectRate)
        self.errorRate = Self.clamped(errorRate)
        self.rateError = rateError
    }

    /// Whether `rate` is a probability: finite and within 0…1.
    package static func isValidRate(_ rate: Double) -> Bool { rate.isFinite && (0...1).contains(rate) }

    private static func clamped(_ rate: Double) -> Double { rate.isNaN ? 0 : min(1, max(0, rate)) }

    /// Decides what to do with `request` at time `now`.
    ///
    /// Order: the reject rate first (a rejected call is rerouted by the server, so nothing else
    /// matters); then the terminal reply kinds (reject, never accept, never respond); then the delay is
    /// drawn; then the error rate; then the reply itself. A random number is drawn only for a rate above
    /// zero and for a delay range, so fixed behaviours consume no randomness.
    package func plan(
        for request: ProviderRequest, at now: Timestamp, using generator: inout some RandomNumberGenerator
    ) -> ProviderPlan {
        if rejectRate > 0, Double.random(in: 0..<1, using: &generator) < rejectRate { return .reject }
        switch reply {
        case .reject: return .reject
        case .neverAccept: return .neverAccept
        case .neverRespond: return .acceptThenNeverRespond
        case .echo, .fixed, .template, .error: break
        }
        let wait = delay?.draw(using: &generator) ?? .zero
        if errorRate > 0, Double.random(in: 0..<1, using: &generator) < errorRate {
            return .error(rateError, after: wait)
        }
        switch reply {
        case .echo:
            return .respond(request.data, after: wait)
        case .fixed(let value):
            return .respond(value, after: wait)
        case .error(let value):
            return .error(value, after: wait)
        case .template(let template):
            do {
                return .respond(try template.render(in: TemplateContext(request: request, now: now)), after: wait)
            } catch {
                return .error(["templateError": .string(error.description)], after: wait)
            }
        case .reject, .neverAccept, .neverRespond:
            preconditionFailure("handled above")
        }
    }

    /// A short description for lists and logs, e.g. `template {{data.numA + data.numB}}, delay 10..50 ms,
    /// reject 50%`.
    package var summary: String {
        var parts: [String]
        switch reply {
        case .echo: parts = ["echo"]
        case .fixed(let value): parts = ["reply \(value.jsonText)"]
        case .template(let template): parts = ["template \(template.source.summaryText)"]
        case .reject: parts = ["reject"]
        case .error(let value): parts = ["error \(value.jsonText)"]
        case .neverAccept: parts = ["never accept"]
        case .neverRespond: parts = ["accept, never respond"]
        }
        if let delay { parts.append("delay \(delay) ms") }
        if rejectRate > 0 { parts.append("reject \(Self.percent(rejectRate))") }
        if errorRate > 0 { parts.append("error \(Self.percent(errorRate))") }
        return parts.joined(separator: ", ")
    }

    private static func percent(_ rate: Double) -> String {
        let value = rate * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}

extension JSONValue {
    /// A bare string's own text, JSON text otherwise.
    fileprivate var summaryText: String {
        if case .string(let text) = self { return text }
        return jsonText
    }
}
