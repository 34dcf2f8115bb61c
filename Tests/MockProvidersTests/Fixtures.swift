import DeepstreamProtocol
import MockProviders

/// Requests and contexts shared by the tests.
enum Fixtures {
    static let now = Timestamp(nanoseconds: 1_764_088_200_123_000_000)

    static func request(_ data: JSONValue?, name: String = "add-two-numbers") -> ProviderRequest {
        ProviderRequest(
            name: name, correlationId: "mh2x1-abc", data: data, requestorName: "alice",
            requestorData: ["id": 42, "roles": ["admin", "ops"]])
    }

    static func context(_ data: JSONValue?) -> TemplateContext {
        TemplateContext(request: request(data), now: now)
    }

    /// Evaluates a bare expression against `data`.
    static func evaluate(_ expression: String, data: JSONValue? = nil) throws -> JSONValue {
        try TemplateExpression(parsing: expression).evaluate(in: context(data))
    }

    /// The syntax error of a template string, or nil.
    static func syntaxError(_ template: String) -> TemplateError? {
        do {
            _ = try Template(.string(template))
            return nil
        } catch {
            return error
        }
    }

    /// The evaluation error of a template string against `data`, or nil.
    static func evaluationError(_ template: String, data: JSONValue?) throws -> TemplateError? {
        let parsed = try Template(.string(template))
        do {
            _ = try parsed.render(in: context(data))
            return nil
        } catch {
            return error
        }
    }
}
