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

/// One call of `name` from a requestor logged in with `requestorAuth` to an echo provider logged in
/// with `providerAuth`, both at `url`; returns the result (the data echoed) after both have closed.
func echoCallBetweenTwoClients(
    at url: String, name: String, data: JSONValue, providerAuth: JSONValue, requestorAuth: JSONValue,
    whileOpen: () async throws -> Void = {}
) async throws -> JSONValue? {
    let provider = try await startEchoProvider(at: url, authData: providerAuth, name: name)
    let requestor = try ClientEngine(url: url)
    do {
        _ = try await requestor.login(requestorAuth)
        let result = try await requestor.make(name, data: data)
        try await whileOpen()
        await requestor.close()
        await provider.close()
        return result
    } catch {
        await requestor.close()
        await provider.close()
        throw error
    }
}
