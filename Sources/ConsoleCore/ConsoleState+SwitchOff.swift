import DeepstreamProtocol

/// Space on another client's provider (issue 13): the embedded broker answers requests routed to it
/// with REJECT on its behalf, so calls are rerouted or end NO_RPC_PROVIDER, as if it had gone away.
extension ConsoleState {
    /// Switches the remote provider at `index` off, or back on.
    mutating func switchRemoteProvider(at index: Int) -> [ConsoleEffect] {
        guard providers.remote.indices.contains(index) else { return [.requestRedraw] }
        let provider = providers.remote[index]
        guard configuration.canSteer || configuration.canSwitchProviders else {
            notify("Other clients' providers can be switched off only on the console's embedded broker or proxy")
            return [.requestRedraw]
        }
        let off = !provider.isSwitchedOff
        providers.setRemote(at: index, switchedOff: off)
        let who = "\(provider.name) of \(peerLabel(provider.peer))"
        notify(off
            ? "Switched \(who) off: its requests are rejected on its behalf (Space switches it on)"
            : "Switched \(who) on again")
        return [.switchProvider(peer: provider.peer, name: provider.name, off: off), .requestRedraw]
    }
}
