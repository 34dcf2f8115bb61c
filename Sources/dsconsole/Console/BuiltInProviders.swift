import Foundation
import MockProviders

/// The providers the console offers when no `--providers FILE` is given: a copy of
/// `Examples/providers.json` (a test checks they stay identical), led by `add-two-numbers`.
enum BuiltInProviders {
    /// The JSON text.
    static let source = #"""
        {
          "description": "Example mock providers for dsconsole (see docs/providers.md).",
          "provideOnStart": true,
          "providers": [
            {
              "name": "add-two-numbers",
              "description": "The deepstream tutorial RPC: {\"numA\": 4, \"numB\": 7} gives 11.",
              "template": "{{data.numA + data.numB}}"
            },
            {
              "name": "echo",
              "echo": true,
              "delay": "10..50"
            },
            {
              "name": "greet",
              "template": {
                "greeting": "Hello, {{data.name}}!",
                "servedBy": "dsconsole mock",
                "requestId": "{{correlationId}}",
                "at": "{{now}}"
              }
            },
            {
              "name": "flaky",
              "reply": {"ok": true},
              "rejectRate": 0.5,
              "errorRate": 0.1,
              "rateError": {"code": 503, "message": "try again"}
            },
            {
              "name": "fails",
              "error": "something went wrong"
            },
            {
              "name": "slow",
              "echo": true,
              "delay": 2000
            },
            {
              "name": "never-accepts",
              "neverAccept": true
            },
            {
              "name": "never-responds",
              "neverRespond": true
            },
            {
              "name": "always-rejects",
              "reject": true
            }
          ]
        }
        """#

    /// The providers file for `path` (nil: the built-in set), or a one-line error.
    static func load(path: String?) -> Result<ProvidersFile, ConsoleStartError> {
        let text: String
        let name: String
        if let path {
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                return .failure(ConsoleStartError("--providers \(path): cannot read the file: \(error.localizedDescription)"))
            }
            name = path
        } else {
            text = source
            name = "built-in providers"
        }
        do throws(ProvidersFileError) {
            return .success(try ProvidersFile(parsing: text, file: name))
        } catch {
            return .failure(ConsoleStartError(error.description))
        }
    }
}
