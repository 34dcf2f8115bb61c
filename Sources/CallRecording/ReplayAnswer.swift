import DeepstreamProtocol

/// How a call ended, in the terms replay compares: the outcome name plus the data that came with it.
package struct ReplayAnswer: Hashable, Sendable {
    /// `RESPONSE`, `REQUEST_ERROR`, or the failure's name (`NO_RPC_PROVIDER`, `RESPONSE_TIMEOUT`,
    /// `timeout`, `client offline`, …).
    package var outcome: String
    /// The response or REQUEST_ERROR value (nil = none); always nil for other outcomes.
    package var data: JSONValue?

    /// Creates an answer.
    package init(outcome: String, data: JSONValue? = nil) {
        self.outcome = outcome
        self.data = data
    }

    /// The answer a `make` gave.
    package init(_ result: Result<JSONValue?, RPCError>) {
        switch result {
        case .success(let value): self.init(outcome: "RESPONSE", data: value)
        case .failure(.requestError(let value)): self.init(outcome: "REQUEST_ERROR", data: value)
        case .failure(let error): self.init(outcome: error.name)
        }
    }

    /// The answer recorded for `call`. Recorded payload text that is not JSON is compared as a string.
    package init(recorded call: RecordedCall) {
        let outcome = call.outcome
        guard outcome == "RESPONSE" || outcome == "REQUEST_ERROR" else {
            self.init(outcome: outcome)
            return
        }
        self.init(outcome: outcome, data: call.response.map { (try? JSONValue(parsing: $0)) ?? .string($0) })
    }
}
