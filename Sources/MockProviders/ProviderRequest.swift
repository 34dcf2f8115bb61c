import DeepstreamProtocol

/// A request as a mock provider sees it: what the server forwarded (spec §4 #9).
package struct ProviderRequest: Hashable, Sendable {
    /// The RPC name.
    package var name: String
    /// The correlation id the requestor chose.
    package var correlationId: String
    /// The request's payload; `nil` when the request had none (JavaScript `undefined`).
    package var data: JSONValue?
    /// The requestor's user id, when the server sent `requestorName`.
    package var requestorName: String?
    /// The requestor's clientData, when the server sent `requestorData`.
    package var requestorData: JSONValue?

    /// Creates a request.
    package init(
        name: String, correlationId: String, data: JSONValue?, requestorName: String? = nil,
        requestorData: JSONValue? = nil
    ) {
        self.name = name
        self.correlationId = correlationId
        self.data = data
        self.requestorName = requestorName
        self.requestorData = requestorData
    }
}
