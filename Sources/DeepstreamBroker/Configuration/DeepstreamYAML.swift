import DeepstreamProtocol
import Foundation
import Yams

/// Reads deepstream's YAML (and JSON) configuration files the way deepstream 10 does before it
/// interprets them: `${NAME}` is replaced by the environment variable's value (empty when unset) in
/// the file's text, then the YAML is parsed, then `fileLoad(path)` values are replaced by the parsed
/// contents of the file (YAML/JSON; other files as text, with `${NAME}` replaced too) and `file(path)`
/// values by the path. Paths are relative to the configuration file's directory.
///
/// Differences from deepstream's text-level replacement: `fileLoad(…)`/`file(…)` are recognised when
/// they are a whole value (as in every deepstream example), not inside a longer string; comments are
/// left to the YAML parser (deepstream strips everything after a `#`, even inside quotes).
struct DeepstreamYAML {
    /// The environment for `${NAME}`.
    var environment: [String: String]
    /// The configuration file's directory.
    var directory: String

    /// Reads and parses `path`.
    func load(_ path: String) throws(BrokerConfigurationError) -> JSONValue {
        let text = try Self.read(path)
        return try resolveFiles(in: parse(substitute(text), path: path), source: path)
    }

    static func read(_ path: String) throws(BrokerConfigurationError) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw BrokerConfigurationError.unreadableFile(path: path, reason: "not UTF-8 text")
            }
            return text
        } catch let error as BrokerConfigurationError {
            throw error
        } catch {
            throw .unreadableFile(path: path, reason: BrokerConfiguration.describe(error))
        }
    }

    /// `${NAME}` → the variable's value, or nothing when it is unset (deepstream: `process.env[b] || ''`).
    func substitute(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}"), end > start.upperBound else { break }
            result += rest[..<start.lowerBound]
            result += environment[String(rest[start.upperBound..<end])] ?? ""
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// Parses YAML text into a JSON value, keeping mapping order; duplicate keys are errors (as in js-yaml).
    func parse(_ text: String, path: String) throws(BrokerConfigurationError) -> JSONValue {
        if path.hasSuffix(".json") {
            do { return try JSONValue(parsing: text) } catch { throw .invalidJSON(path: path, reason: error.description) }
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw .invalidYAML(path: path, reason: Self.oneLine(error))
        }
        guard let node else { return .null }
        return try Self.json(from: node, path: path, key: "")
    }

    private static func oneLine(_ error: any Error) -> String {
        if let error = error as? YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                return "line \(mark.line), column \(mark.column): \(problem)"
            default: break
            }
        }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    private static func json(from node: Node, path: String, key: String) throws(BrokerConfigurationError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue:
                return node.int.map(JSONValue.int) ?? node.float.map(JSONValue.double) ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                guard let value = node.float, value.isFinite else { return .string(scalar.string) }
                return .double(value)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try json(from: item, path: path, key: "\(key)[\(index)]"))
            }
            return .array(items)
        case .mapping(let mapping):
            var pairs: [(String, JSONValue)] = []
            var seen = Set<String>()
            for (keyNode, valueNode) in mapping {
                let name = keyNode.string ?? "\(keyNode)"
                let full = key.isEmpty ? name : "\(key).\(name)"
                guard seen.insert(name).inserted else {
                    throw .invalidYAML(path: path, reason: "duplicated mapping key \"\(full)\"")
                }
                pairs.append((name, try json(from: valueNode, path: path, key: full)))
            }
            return .object(JSONObject(pairs))
        }
    }

    /// Replaces whole-value `fileLoad(path)` and `file(path)` strings.
    func resolveFiles(in value: JSONValue, source: String) throws(BrokerConfigurationError) -> JSONValue {
        switch value {
        case .string(let text):
            if let argument = Self.argument(of: "fileLoad", in: text) {
                let path = resolve(argument)
                let content = try Self.read(path)
                let substituted = substitute(content)
                if [".yml", ".yaml", ".json"].contains(where: { path.hasSuffix($0) }) {
                    return try parse(substituted, path: path)
                }
                return .string(substituted)
            }
            if let argument = Self.argument(of: "file", in: text) { return .string(resolve(argument)) }
            return value
        case .array(let items):
            var result: [JSONValue] = []
            for item in items { result.append(try resolveFiles(in: item, source: source)) }
            return .array(result)
        case .object(let object):
            var pairs: [(String, JSONValue)] = []
            for (key, member) in object { pairs.append((key, try resolveFiles(in: member, source: source))) }
            return .object(JSONObject(pairs))
        default:
            return value
        }
    }

    private static func argument(of function: String, in text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("\(function)("), trimmed.hasSuffix(")") else { return nil }
        return String(trimmed.dropFirst(function.count + 1).dropLast())
    }

    /// deepstream's `lookupConfRequirePath`: absolute paths as they are, others relative to the
    /// configuration file's directory.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}
