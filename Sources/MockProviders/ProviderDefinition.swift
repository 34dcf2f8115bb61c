import DeepstreamProtocol

/// One provider of a providers file: an RPC name and its behaviour.
package struct ProviderDefinition: Hashable, Sendable {
    /// The member names a provider object may have.
    package static let keys = [
        "name", "description", "echo", "reply", "template", "reject", "error", "neverAccept", "neverRespond",
        "delay", "rejectRate", "errorRate", "rateError",
    ]
    private static let replyKeys = ["echo", "reply", "template", "reject", "error", "neverAccept", "neverRespond"]

    /// The RPC name to provide.
    package var name: String
    /// An optional note for people (shown by the console).
    package var description: String?
    /// How it answers.
    package var behaviour: ProviderBehaviour

    /// Creates a definition.
    package init(name: String, description: String? = nil, behaviour: ProviderBehaviour) {
        self.name = name
        self.description = description
        self.behaviour = behaviour
    }

    /// Reads one provider object of a providers file (format: docs/providers.md). Throws a one-line
    /// message without the file and index, which ``ProvidersFile`` adds.
    package init(json: JSONValue) throws(ProviderDefinition.DecodingError) {
        guard case .object(let object) = json else {
            throw DecodingError(message: "expected an object, got \(json.typeName)")
        }
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw DecodingError(message: "unknown member \"\(unknown)\" (known: \(Self.keys.joined(separator: ", ")))")
        }
        guard case .string(let name)? = object["name"] else {
            throw DecodingError(message: object["name"] == nil ? "missing \"name\"" : "\"name\" must be a string")
        }
        guard !name.isEmpty else { throw DecodingError(message: "\"name\" must not be empty") }
        self.name = name
        switch object["description"] {
        case nil: self.description = nil
        case .string(let text)?: self.description = text
        case let other?: throw DecodingError(message: "description: expected a string, got \(other.typeName)")
        }

        var kinds: [String] = []
        for key in Self.replyKeys {
            guard let value = object[key] else { continue }
            if ["echo", "reject", "neverAccept", "neverRespond"].contains(key) {
                guard case .bool(let flag) = value else {
                    throw DecodingError(message: "\(key): expected true or false, got \(value.typeName)")
                }
                if !flag { continue }
            }
            kinds.append(key)
        }
        guard kinds.count == 1 else {
            let list = Self.replyKeys.joined(separator: ", ")
            throw DecodingError(message: kinds.isEmpty
                ? "no reply kind: give exactly one of \(list)"
                : "more than one reply kind (\(kinds.joined(separator: ", "))): give exactly one of \(list)")
        }
        let reply: ProviderBehaviour.Reply
        switch kinds[0] {
        case "echo": reply = .echo
        case "reply": reply = .fixed(object["reply"]!)
        case "reject": reply = .reject
        case "error": reply = .error(object["error"]!)
        case "neverAccept": reply = .neverAccept
        case "neverRespond": reply = .neverRespond
        default:
            do {
                reply = .template(try Template(object["template"]!))
            } catch {
                throw DecodingError(message: "template: \(error.description)")
            }
        }

        var delay: ProviderDelay?
        switch object["delay"] {
        case nil: delay = nil
        case .number(let number)?:
            guard let ms = number.intValue, let value = ProviderDelay(milliseconds: ms) else {
                throw DecodingError(message: "delay: expected whole milliseconds within 0..\(ProviderDelay.maximumMilliseconds), got \(number)")
            }
            delay = value
        case .string(let text)?:
            do { delay = try ProviderDelay(parsing: text) } catch {
                throw DecodingError(message: "delay: \(error.message)")
            }
        case let other?:
            throw DecodingError(message: "delay: expected a number of milliseconds or \"MS..MS\", got \(other.typeName)")
        }
        let rejectRate = try Self.rate(object, "rejectRate")
        let errorRate = try Self.rate(object, "errorRate")
        self.behaviour = ProviderBehaviour(
            reply: reply, delay: delay, rejectRate: rejectRate, errorRate: errorRate,
            rateError: object["rateError"] ?? ProviderBehaviour.defaultRateError)
    }

    private static func rate(_ object: JSONObject, _ key: String) throws(DecodingError) -> Double {
        guard let value = object[key] else { return 0 }
        guard case .number(let number) = value, ProviderBehaviour.isValidRate(number.doubleValue) else {
            throw DecodingError(message: "\(key): expected a number within 0…1, got \(value.jsonText)")
        }
        return number.doubleValue
    }

    /// The provider object as ``init(json:)`` reads it (defaults left out), for saving.
    package var jsonValue: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["description"] = description.map(JSONValue.string)
        switch behaviour.reply {
        case .echo: object["echo"] = true
        case .fixed(let value): object["reply"] = value
        case .template(let template): object["template"] = template.source
        case .reject: object["reject"] = true
        case .error(let value): object["error"] = value
        case .neverAccept: object["neverAccept"] = true
        case .neverRespond: object["neverRespond"] = true
        }
        if let delay = behaviour.delay {
            object["delay"] = delay.milliseconds.count == 1 ? .int(delay.milliseconds.lowerBound) : .string(delay.description)
        }
        if behaviour.rejectRate > 0 { object["rejectRate"] = .double(behaviour.rejectRate) }
        if behaviour.errorRate > 0 { object["errorRate"] = .double(behaviour.errorRate) }
        if behaviour.rateError != ProviderBehaviour.defaultRateError { object["rateError"] = behaviour.rateError }
        return .object(object)
    }

    /// Why a provider object could not be read.
    package struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A one-line explanation.
        package var message: String
        /// The explanation.
        package var description: String { message }
    }
}
