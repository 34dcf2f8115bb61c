import DeepstreamProtocol

/// Applies `action` to `state` and returns the effects the runtime must perform.
///
/// Pure: no IO and no clock reads (time arrives in ``ConsoleAction/tick(_:)`` and in event
/// timestamps). Every action that may change what is drawn returns ``ConsoleEffect/requestRedraw``.
package func reduce(_ state: inout ConsoleState, _ action: ConsoleAction) -> [ConsoleEffect] {
    guard !state.isQuitting else { return [] }
    var effects: [ConsoleEffect]
    switch action {
    case .key(.resize(let columns, let rows)):
        state.resize(columns: columns, rows: rows)
        effects = [.repaint]
    case .key(let key):
        effects = state.handle(key)
    case .engine(let event):
        effects = state.handle(event)
    case .tick(let now):
        effects = state.tick(now)
    case .makeFinished(let requestID, let call, let outcome):
        effects = state.finish(requestID, call: call, outcome: outcome)
    case .historyLoaded(let entries):
        state.composer.setHistory(entries)
        effects = []
    case .ownProvidersLoaded(let specs):
        effects = specs.flatMap { state.addOwnProvider($0) }
    case .ownProviderRegistered(let spec):
        effects = state.addOwnProvider(spec)
    case .recordedProvidersLoaded(let path, let specs, let skipped):
        effects = specs.flatMap { state.addOwnProvider($0) }
        var text = "Providing \(specs.count) recorded RPC\(specs.count == 1 ? "" : "s") from \(path)"
        if !skipped.isEmpty { text += " (skipped, already own providers: \(skipped.joined(separator: ", ")))" }
        state.notify(text)
    case .ownProviderRejected(let name, let message, let input):
        state.notify("Provider \(name): \(message)", isError: true)
        // The prompt comes back with the text as typed, so the user fixes it instead of retyping.
        state.reopenPrompt(input ?? name, error: message)
        effects = []
    case .rulesLoaded(let rules):
        state.rules.load(rules)
        effects = []
    case .paste(let text):
        effects = state.paste(text)
    case .topicCounts(let totals, let at):
        state.topicRates.record(totals, at: at)
        state.showsTopicRates = true
        effects = []
    case .fileWritten(let path, let what, let error):
        if let error {
            state.notify("Could not write \(what) to \(path): \(error)", isError: true)
        } else {
            state.notify("Wrote \(what) to \(path)")
        }
        effects = []
    case .cluster(let update):
        effects = state.apply(update)
    case .recordingLoaded(let calls, let badLines, let firstBadLine):
        effects = state.recordingLoaded(calls: calls, badLines: badLines, firstBadLine: firstBadLine)
    }
    if !state.isQuitting && !effects.contains(.requestRedraw) { effects.append(.requestRedraw) }
    return effects
}

extension ConsoleState {
    /// Shows a notice on the status line.
    mutating func notify(_ text: String, isError: Bool = false) {
        notice = Notice(text, isError: isError, expiresAt: now?.advanced(by: configuration.noticeDuration))
        messageLog.append(Notice(text, isError: isError))
        if messageLog.count > Self.messageLogLimit { messageLog.removeFirst(messageLog.count - Self.messageLogLimit) }
    }

    mutating func tick(_ time: Timestamp) -> [ConsoleEffect] {
        now = time
        stats.rate.advance(to: time)
        if case .stats = overlay { statistics.advance(to: time) }
        if var current = notice {
            if let expiry = current.expiresAt {
                if time >= expiry { notice = nil }
            } else {
                current.expiresAt = time.advanced(by: configuration.noticeDuration)
                notice = current
            }
        }
        return [.requestRedraw]
    }

    mutating func finish(_ requestID: RequestID, call: CallID?, outcome: MakeOutcome) -> [ConsoleEffect] {
        let name = pendingRequests.removeValue(forKey: requestID) ?? "?"
        if case .pending(let pendingID, _) = composer.lastSend, pendingID == requestID {
            composer.lastSend = .finished(requestID, name: name, call: call, outcome: outcome)
        }
        return [.requestRedraw]
    }

    mutating func addOwnProvider(_ spec: OwnProviderSpec) -> [ConsoleEffect] {
        guard providers.ownIndex(of: spec.name) == nil else {
            notify("Provider \(spec.name) already exists", isError: true)
            return []
        }
        var provider = OwnProvider(spec)
        var effects: [ConsoleEffect] = []
        if spec.provideAtStart {
            provider.registration = .providing
            effects.append(.provide(name: spec.name))
        }
        providers.own.append(provider)
        return effects
    }
}
