import DeepstreamProtocol

/// The Providers pane: own providers (toggleable) followed by other clients' providers (read-only).
package struct ProvidersPaneState: Hashable, Sendable {
    /// A row of the pane.
    package enum Row: Hashable, Sendable {
        /// An own provider, by index into ``ProvidersPaneState/own``.
        case own(Int)
        /// A remote provider, by index into ``ProvidersPaneState/remote``.
        case remote(Int)
    }

    /// The console's own providers, in load order.
    package var own: [OwnProvider] = []
    /// Other clients' providers on the embedded broker, sorted by name then peer.
    package private(set) var remote: [RemoteProvider] = []
    /// The selected row (index into ``rows``).
    package var selection = 0
    /// The first row shown.
    package var scrollTop = 0

    /// Creates an empty pane.
    package init() {}

    /// All rows in display order.
    package var rows: [Row] { own.indices.map(Row.own) + remote.indices.map(Row.remote) }

    /// How many rows there are.
    package var rowCount: Int { own.count + remote.count }

    /// The index of the own provider called `name`.
    package func ownIndex(of name: String) -> Int? { own.firstIndex { $0.name == name } }

    /// Every provider name known (own and remote), for composer completion.
    package var knownNames: [String] { own.map(\.name) + remote.map(\.name) }

    /// Adds a remote provider (ignoring a duplicate).
    package mutating func addRemote(_ provider: RemoteProvider) {
        guard !remote.contains(where: { $0.peer == provider.peer && $0.name == provider.name }) else { return }
        remote.append(provider)
        remote.sort { ($0.name, $0.peer) < ($1.name, $1.peer) }
    }

    /// Switches the remote provider at `index` off or on (the row's mark; the broker is told separately).
    package mutating func setRemote(at index: Int, switchedOff: Bool) {
        guard remote.indices.contains(index) else { return }
        remote[index].isSwitchedOff = switchedOff
    }

    /// Removes the own provider at `index`, keeping the selection in range.
    package mutating func removeOwn(at index: Int, height: Int) {
        own.remove(at: index)
        clampSelection()
        scrollToSelection(height: height)
    }

    /// Removes a remote provider.
    package mutating func removeRemote(peer: PeerID, name: String) {
        remote.removeAll { $0.peer == peer && $0.name == name }
        clampSelection()
    }

    /// Removes every provider of a connection.
    package mutating func removeRemote(peer: PeerID) {
        remote.removeAll { $0.peer == peer }
        clampSelection()
    }

    /// Moves the selection by `delta` rows, keeping it visible in a pane `height` rows tall.
    package mutating func moveSelection(by delta: Int, height: Int) {
        selection += delta
        clampSelection()
        scrollToSelection(height: height)
    }

    /// Selects the first (`toEnd == false`) or last row.
    package mutating func selectEdge(toEnd: Bool, height: Int) {
        selection = toEnd ? rowCount - 1 : 0
        clampSelection()
        scrollToSelection(height: height)
    }

    /// Keeps the selected row inside the visible window.
    package mutating func scrollToSelection(height: Int) {
        let height = max(1, height)
        if selection < scrollTop { scrollTop = selection }
        if selection >= scrollTop + height { scrollTop = selection - height + 1 }
        scrollTop = max(0, min(scrollTop, max(0, rowCount - height)))
    }

    private mutating func clampSelection() {
        selection = max(0, min(selection, rowCount - 1))
    }
}
