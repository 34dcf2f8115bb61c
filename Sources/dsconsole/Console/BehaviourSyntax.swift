import DeepstreamProtocol
import Foundation
import MockProviders

/// The one-line behaviour syntax of the console's add-provider prompt (`a`): the text after the name.
///
/// - empty or `echo`: respond with the request data
/// - `reply VALUE`: respond with VALUE (JSON, or else the text as a string)
/// - `template VALUE`: respond with the rendered template, e.g. `template {{data.numA + data.numB}}`
/// - `error VALUE`: answer REQUEST_ERROR with VALUE
/// - `reject`, `never-accept`, `never-respond`
/// - `{…}`: a provider object of a providers file without `name`, e.g. `{"echo": true, "delay": 200}`
enum BehaviourSyntax {
    /// Parses `text` into a provider definition named `name`; the error is one line.
    static func parse(name: String, behaviour text: String) -> Result<ProviderDefinition, ParseFailure> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("{") {
            guard case .object(var object)? = try? JSONValue(parsing: trimmed) else {
                return .failure(ParseFailure("invalid JSON object"))
            }
            object["name"] = .string(name)
            do throws(ProviderDefinition.DecodingError) {
                return .success(try ProviderDefinition(json: .object(object)))
            } catch {
                return .failure(ParseFailure(error.message))
            }
        }
        let keyword = trimmed.prefix { $0 != " " }
        let argument = trimmed.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
        let value: JSONValue = argument.isEmpty ? .null : ((try? JSONValue(parsing: argument)) ?? .string(argument))
        let reply: ProviderBehaviour.Reply
        switch keyword.lowercased() {
        case "", "echo": reply = .echo
        case "reply":
            guard !argument.isEmpty else { return .failure(ParseFailure("reply needs a value, e.g. reply {\"ok\": true}")) }
            reply = .fixed(value)
        case "template":
            guard !argument.isEmpty else { return .failure(ParseFailure("template needs a value, e.g. template {{data}}")) }
            do throws(TemplateError) {
                reply = .template(try Template(value))
            } catch {
                return .failure(ParseFailure(error.description))
            }
        case "error":
            reply = .error(argument.isEmpty ? .string("error") : value)
        case "reject": reply = .reject
        case "never-accept": reply = .neverAccept
        case "never-respond": reply = .neverRespond
        default:
            return .failure(ParseFailure(
                "unknown behaviour \"\(keyword)\" (echo, reply V, template V, error V, reject, never-accept, never-respond or {…})"))
        }
        return .success(ProviderDefinition(name: name, behaviour: ProviderBehaviour(reply: reply)))
    }

    /// Why a behaviour text was refused.
    struct ParseFailure: Error, Hashable, Sendable {
        /// One line.
        var message: String
        /// A failure with `message`.
        init(_ message: String) { self.message = message }
    }
}
