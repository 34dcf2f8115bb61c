import DeepstreamProtocol

/// A providers file: the mock providers shared by the console's Providers pane and
/// `dsconsole provide --file` (format: docs/providers.md).
///
/// ```json
/// {"providers": [{"name": "add-two-numbers", "template": "{{data.numA + data.numB}}"}],
///  "provideOnStart": true}
/// ```
package struct ProvidersFile: Hashable, Sendable {
    /// The member names the top-level object may have.
    package static let keys = ["providers", "provideOnStart", "description"]

    /// The providers in file order; names are unique.
    package var providers: [ProviderDefinition]
    /// Whether the console provides every name as soon as it is logged in (default `false`).
    /// `dsconsole provide --file` always provides them.
    package var provideOnStart: Bool
    /// An optional note for people.
    package var description: String?

    /// Creates a file value.
    package init(providers: [ProviderDefinition], provideOnStart: Bool = false, description: String? = nil) {
        self.providers = providers
        self.provideOnStart = provideOnStart
        self.description = description
    }

    /// Parses the file's text; `file` names it in errors (a path or just a name).
    package init(parsing text: String, file: String) throws(ProvidersFileError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw ProvidersFileError(file: file, message: "invalid JSON: \(error.description)")
        }
        try self.init(json: json, file: file)
    }

    /// Reads an already parsed file.
    package init(json: JSONValue, file: String) throws(ProvidersFileError) {
        guard case .object(let object) = json else {
            throw ProvidersFileError(file: file, message: "expected an object with \"providers\", got \(json.typeName)")
        }
        if let unknown = object.keys.first(where: { !Self.keys.contains($0) }) {
            throw ProvidersFileError(
                file: file, message: "unknown member \"\(unknown)\" (known: \(Self.keys.joined(separator: ", ")))")
        }
        guard case .array(let entries)? = object["providers"] else {
            throw ProvidersFileError(
                file: file, message: object["providers"] == nil ? "missing \"providers\"" : "\"providers\" must be an array")
        }
        switch object["provideOnStart"] {
        case nil: provideOnStart = false
        case .bool(let flag)?: provideOnStart = flag
        case let other?:
            throw ProvidersFileError(file: file, message: "provideOnStart: expected true or false, got \(other.typeName)")
        }
        switch object["description"] {
        case nil: description = nil
        case .string(let text)?: description = text
        case let other?:
            throw ProvidersFileError(file: file, message: "description: expected a string, got \(other.typeName)")
        }
        var providers: [ProviderDefinition] = []
        var seen: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let name = entry["name"]?.stringValue
            let definition: ProviderDefinition
            do { definition = try ProviderDefinition(json: entry) } catch {
                throw ProvidersFileError(file: file, index: index, name: name, message: error.message)
            }
            if let first = seen[definition.name] {
                throw ProvidersFileError(
                    file: file, index: index, name: name, message: "duplicate name (also providers[\(first)])")
            }
            seen[definition.name] = index
            providers.append(definition)
        }
        self.providers = providers
    }

    /// The provider for `name`, if the file has one.
    package func provider(named name: String) -> ProviderDefinition? { providers.first { $0.name == name } }

    /// The file as JSON, readable by ``init(json:file:)``.
    package var jsonValue: JSONValue {
        var object = JSONObject()
        object["description"] = description.map(JSONValue.string)
        object["provideOnStart"] = .bool(provideOnStart)
        object["providers"] = .array(providers.map(\.jsonValue))
        return .object(object)
    }
}
