import DeepstreamProtocol

extension SteeringRule {
    /// The rule as a rules-file entry, members in file order and defaults left out:
    /// `{"match":"search","action":"delay","ms":"200..400"}`. Reading it back gives the same rule.
    public var entry: JSONValue {
        var members: [(String, JSONValue)] = [("match", .string(match.text))]
        if let requestor { members.append(("requestor", .string(requestor.text))) }
        if let provider { members.append(("provider", .string(provider.text))) }
        members.append(("action", .string(action.name)))
        switch action {
        case .delayRequest(let range), .delayResponse(let range):
            members.append(("ms", range.minimum == range.maximum ? .int(range.minimum) : .string(range.description)))
            if case .delayResponse = action { members.append(("on", "response")) }
        case .fail(let error):
            members.append(("error", error))
        case .reject, .dropResponse, .hold:
            break
        }
        if rate != 1 { members.append(("rate", .double(rate))) }
        if !isEnabled { members.append(("enabled", false)) }
        return .object(JSONObject(members))
    }

    /// Reads one rules-file entry from its JSON text (the console's Rules overlay: a rule typed on one
    /// line). Errors carry no file and no index: `ms: the range "400..200" is empty (400 > 200)`.
    public init(parsingEntry text: String) throws(SteeringRulesError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw SteeringRulesError(file: "", message: "invalid JSON: \(error.description)")
        }
        do { self = try SteeringRules.rule(from: json) } catch {
            throw SteeringRulesError(file: "", message: error.message)
        }
    }
}
