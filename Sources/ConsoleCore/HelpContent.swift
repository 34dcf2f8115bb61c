/// The help overlay's text, generated from a ``Keymap``.
package enum HelpContent {
    /// Width of the key column.
    package static let keyColumnWidth = 24

    /// Section titles and `keys  description` lines for every context.
    package static func lines(for keymap: Keymap) -> [StyledLine] {
        var lines: [StyledLine] = []
        for section in keymap.helpSections() {
            if !lines.isEmpty { lines.append(StyledLine()) }
            lines.append(StyledLine(section.title, .title))
            for entry in section.entries {
                lines.append(StyledLine([
                    StyledSpan("  " + DisplayFormat.fit(entry.keys, keyColumnWidth - 2), .helpKey),
                    StyledSpan(entry.description),
                ]))
            }
        }
        lines.append(StyledLine())
        lines.append(StyledLine("Words", .title))
        for (word, meaning) in glossary {
            lines.append(StyledLine([StyledSpan("  " + DisplayFormat.fit(word, keyColumnWidth - 2), .helpKey), StyledSpan(meaning)]))
        }
        return lines
    }

    /// The console's own words, explained in deepstream's (shown under the keys).
    package static let glossary: [(String, String)] = [
        ("#3 alice", "connection 3 on the embedded server, logged in as alice"),
        ("open", "a client that logged in without a username (open auth)"),
        ("me", "this console (its own requests and providers)"),
        ("a → b", "requestor → provider of a call; ? = no provider yet"),
        ("↻", "rerouted: a provider rejected the call, another got it"),
        ("ok", "the provider responded"),
        ("request-error", "the provider answered with REQUEST_ERROR (error())"),
        ("no-provider", "NO_RPC_PROVIDER: nobody provides the name"),
        ("accept-timeout", "ACCEPT_TIMEOUT: no provider accepted in time"),
        ("timeout", "RESPONSE_TIMEOUT: accepted, never answered in time"),
        ("denied", "MESSAGE_DENIED / permission error"),
        ("abandoned", "this client gave up (own deadline, offline)"),
        ("state:error", "filter: every failed call (the status line's errors)"),
        ("r1", "the composer's first request of this session"),
    ]
}
