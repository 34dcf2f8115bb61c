/// One rule of a rules file: which calls it matches, how often it fires and what it does.
public struct SteeringRule: Hashable, Sendable {
    /// The RPC names it matches.
    public var match: GlobPattern
    /// The requestor's user name it needs, if any (a call without a known requestor user never matches).
    public var requestor: GlobPattern?
    /// The provider's user name it needs, if any.
    public var provider: GlobPattern?
    /// What it does.
    public var action: SteeringAction
    /// The probability (0…1) that it fires on a matching call.
    public var rate: Double
    /// Whether it takes part at all.
    public var isEnabled: Bool

    /// Creates a rule.
    public init(
        match: GlobPattern, requestor: GlobPattern? = nil, provider: GlobPattern? = nil, action: SteeringAction,
        rate: Double = 1, isEnabled: Bool = true
    ) {
        self.match = match
        self.requestor = requestor
        self.provider = provider
        self.action = action
        self.rate = rate
        self.isEnabled = isEnabled
    }

    /// Whether the rule matches a call, before its rate is rolled.
    public func matches(name: String, requestor requestorUser: String?, provider providerUser: String?) -> Bool {
        guard isEnabled, match.matches(name) else { return false }
        if let requestor {
            guard let requestorUser, requestor.matches(requestorUser) else { return false }
        }
        if let provider {
            guard let providerUser, provider.matches(providerUser) else { return false }
        }
        return true
    }
}
