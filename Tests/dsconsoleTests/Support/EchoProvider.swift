import DeepstreamClient
import DeepstreamProtocol

/// A client at `url`, logged in with `authData`, that provides `name` by echoing the request data;
/// returns once the server acknowledged the registration, so a call made next is routed to it.
func startEchoProvider(at url: String, authData: JSONValue, name: String) async throws -> ClientEngine {
    let provider = try ClientEngine(url: url)
    _ = try await provider.login(authData)
    let events = provider.events()
    try await provider.provide(name) { data, response, _ in response.send(data) }
    for await event in events {
        if case .providerAcknowledged(name, true, _) = event { break }
    }
    return provider
}
