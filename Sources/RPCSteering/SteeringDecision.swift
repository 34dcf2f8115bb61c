import DeepstreamProtocol

/// The rule that fired on one call and what it does, with its random parts (the delay) already drawn.
public struct SteeringDecision: Hashable, Sendable {
    /// The rule's 1-based number (the first rule of the file is rule 1), as timelines show it.
    public let rule: Int
    /// The action.
    public let action: SteeringAction
    /// The drawn delay in milliseconds, for the delay actions; 0 otherwise.
    public let delayMilliseconds: Int

    /// Creates a decision.
    public init(rule: Int, action: SteeringAction, delayMilliseconds: Int = 0) {
        self.rule = rule
        self.action = action
        self.delayMilliseconds = delayMilliseconds
    }

    /// The timeline step that records it.
    public var step: CallStep {
        switch action {
        case .delayRequest: .steered(rule: rule, action: "delay-request", detail: "\(delayMilliseconds) ms")
        case .delayResponse: .steered(rule: rule, action: "delay-response", detail: "\(delayMilliseconds) ms")
        case .fail(let error): .steered(rule: rule, action: "fail", detail: error.jsonText)
        case .reject: .steered(rule: rule, action: "reject", detail: nil)
        case .dropResponse: .steered(rule: rule, action: "drop-response", detail: nil)
        case .hold: .steered(rule: rule, action: "hold", detail: nil)
        }
    }
}
