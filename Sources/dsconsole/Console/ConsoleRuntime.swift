import CallRecording
import ConsoleCore
import DeepstreamBroker
import DeepstreamProxy
import RPCSteering
import ConsoleTerminal
import DeepstreamClient
import DeepstreamProtocol
import Foundation
import Logging
import MockProviders

/// The console's one loop: it owns the ncurses screen and the ``ConsoleState``, turns every input into
/// a ``ConsoleAction`` for the pure reducer, performs the effects the reducer returns and draws at most
/// 30 frames a second, only when something changed.
///
/// Inputs: keys (an ``InputWatcher`` thread wakes the loop when standard input is readable, the loop
/// drains `readKey(timeoutMilliseconds: 0)`), engine events (one batch subscription, handed over in
/// batches by an ``EngineEventQueue``), a 100 ms poll (terminal resizes, which ncurses reports through its key
/// queue, and the once-a-second clock tick) and the results of effects. Not `Sendable`: create it and
/// call ``run(providers:history:)`` from one task; the tasks it starts capture only Sendable pieces.
final class ConsoleRuntime {
    /// How the loop ended.
    enum Ending: Equatable {
        /// The user quit.
        case quit
        /// Standard input closed (the terminal went away).
        case inputClosed
    }

    private let screen: NcursesScreen
    /// nil offline (`dsconsole open`): nothing connects anywhere.
    private let engine: ClientEngine?
    private let recording: RecordingLoader?
    private var state: ConsoleState
    private var host: ConsoleProviderHost
    private let styles: ThemeStyles
    private let history: HistoryStore
    private let logger: Logger
    private let inputs: AsyncStream<RuntimeInput>
    private let sink: AsyncStream<RuntimeInput>.Continuation
    private let queue: EngineEventQueue
    private let watcher: InputWatcher
    private var scheduler = FrameScheduler<ContinuousClock.Instant>(framesPerSecond: 30)
    private var frameWakePending = false
    /// The shortest time between two takes of engine events (see ``takeEngineEvents()``).
    static let engineInterval = Duration.milliseconds(10)
    private var lastEngineTake = ContinuousClock.now
    private var engineWakePending = false
    /// The engine subscription feeding ``queue``.
    private var receiver: Int?
    private var lastTick = ContinuousClock.now
    private var ending: Ending?
    private var tasks: [Task<Void, Never>] = []
    private var paste = PasteAssembler()
    /// Proxy mode: the proxy's messages per topic so far, sampled with every clock tick.
    var topicCounts: (@Sendable () -> [Topic: Int])?
    /// How the prompt's `@FILE` recordings match requests (`--recording-match`).
    var recordingMatch = RecordedResponses.Match.data
    /// The recorded-latency divisor for the prompt's `@FILE` recordings (`--recording-speed`).
    var recordingSpeed = 1.0
    /// The embedded broker, for live steering (switch-off, rules); nil on a remote server or proxy.
    private let broker: Broker?
    /// The console's proxy in proxy mode, for switching providers off there.
    private let proxy: Proxy?

    /// A runtime drawing on the started `screen` for `engine`, or offline (no engine) showing the
    /// calls of `recording`.
    init(
        screen: NcursesScreen, engine: ClientEngine?, configuration: ConsoleConfiguration, theme: Theme,
        history: HistoryStore, logger: Logger, broker: Broker? = nil, proxy: Proxy? = nil, recording: RecordingLoader? = nil
    ) {
        self.broker = broker
        self.proxy = proxy
        self.screen = screen
        self.engine = engine
        self.recording = recording
        self.history = history
        self.logger = logger
        state = ConsoleState(configuration: configuration, columns: screen.size.columns, rows: screen.size.rows)
        styles = ThemeStyles(theme: theme, capability: screen.colorCapability)
        // Unbounded on purpose: only low-volume inputs travel here (keys wake-ups, 10 polls a second,
        // frame wake-ups, one result per `make`); engine events go through the bounded queue.
        (inputs, sink) = AsyncStream.makeStream(of: RuntimeInput.self, bufferingPolicy: .unbounded)
        queue = EngineEventQueue(capacity: 50_000)
        watcher = InputWatcher(descriptor: screen.inputDescriptor)
        let sink = self.sink
        host = ConsoleProviderHost(engine: engine) { action in sink.yield(.action(action)) }
    }

    /// Feeds the start-up data, then runs until the user quits or the terminal goes away.
    func run(providers: [OwnProviderSpecSource], history entries: [ComposerHistoryEntry]) async -> Ending {
        startInputs()
        apply(.historyLoaded(entries))
        var specs: [OwnProviderSpec] = []
        for source in providers {
            specs.append(host.add(source.provider, provideAtStart: source.provideAtStart))
        }
        apply(.ownProvidersLoaded(specs))
        if let steering = broker?.configuration.steering ?? proxy?.configuration.steering { apply(.rulesLoaded(steering)) }
        apply(.tick(ClientEngine.wallClock()))
        drawIfDue()

        for await input in inputs {
            handle(input)
            if ending != nil || state.isQuitting { break }
            drawIfDue()
        }
        stopInputs()
        return ending ?? .quit
    }

    /// Applies every action of `actions` in the loop, in order (e.g. the cluster feed's node states);
    /// call before ``run(providers:history:)``. The task ends with the stream or when the loop stops.
    func relay(_ actions: AsyncStream<ConsoleAction>) {
        let sink = self.sink
        tasks.append(Task {
            for await action in actions { sink.yield(.action(action)) }
        })
    }

    // MARK: Inputs

    private func startInputs() {
        let sink = self.sink
        let queue = self.queue
        if let engine {
            // Batches: the embedded broker's tap arrives as one array per event-loop round. The engine
            // hands each batch straight to the queue on the relaying task (one lock; no stream and no
            // forwarding task to wake per batch, thousands a second under load); only an append to an
            // empty queue wakes the loop, which takes events at most every `engineInterval`.
            receiver = engine.receiveEventBatches { batch in
                if queue.append(contentsOf: batch) { sink.yield(.engineEventsReady) }
            }
        }
        if let recording {
            tasks.append(Task {
                await recording.load(into: queue, wake: { sink.yield(.engineEventsReady) }, finished: { sink.yield(.action($0)) })
            })
        }
        tasks.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                sink.yield(.poll)
            }
        })
        watcher.start { sink.yield(.keysReady) }
    }

    private func stopInputs() {
        if let receiver { engine?.stopReceivingEvents(receiver) }
        watcher.stop()
        for task in tasks { task.cancel() }
        host.finish()
        sink.finish()
    }

    private func handle(_ input: RuntimeInput) {
        switch input {
        case .keysReady:
            drainKeys()
            watcher.keysDrained()
        case .poll:
            drainKeys()
            let now = ContinuousClock.now
            if lastTick.duration(to: now) >= .seconds(1) {
                lastTick = now
                let wallClock = ClientEngine.wallClock()
                apply(.tick(wallClock))
                if let topicCounts { apply(.topicCounts(topicCounts(), at: wallClock)) }
            }
        case .engineEventsReady:
            takeEngineEvents()
        case .engineEventsDue:
            engineWakePending = false
            takeEngineEvents()
        case .action(let action):
            apply(action)
        case .recordedProviders(let path, let result):
            addRecordedProviders(path, result)
        case .frameDue:
            frameWakePending = false
        }
    }

    /// Applies the engine events waiting in the queue, at most once per ``engineInterval``: a busy
    /// broker hands over thousands of small batches a second, and waking the loop for each cost more
    /// than the events themselves (context switches). Events that arrive sooner wait in the bounded
    /// queue for one timed wake-up; keys do not wait for this (they have their own input).
    private func takeEngineEvents() {
        let now = ContinuousClock.now
        let elapsed = lastEngineTake.duration(to: now)
        guard elapsed >= Self.engineInterval else {
            guard !engineWakePending else { return }
            engineWakePending = true
            let sink = self.sink
            let delay = Self.engineInterval - elapsed
            Task {
                try? await Task.sleep(for: delay)
                sink.yield(.engineEventsDue)
            }
            return
        }
        lastEngineTake = now
        let (events, dropped) = queue.takeAll()
        if dropped > 0 { apply(.engine(.dropped(count: dropped))) }
        for event in events { apply(.engine(event)) }
    }

    private func drainKeys() {
        while ending == nil {
            let key: Key?
            do {
                key = try screen.readKey(timeoutMilliseconds: 0)
            } catch {
                ending = .inputClosed
                return
            }
            guard let key else { return }
            switch paste.feed(key) {
            case .key(let plain):
                if let press = KeyPress(plain, size: screen.size) {
                    apply(.key(press))
                    // Someone waits for this key's effect: draw it now, not at the next frame slot.
                    scheduler.markUrgent()
                }
            case .paste(let text):
                apply(.paste(text))
                scheduler.markUrgent()
            case .collecting:
                break
            }
            if state.isQuitting { return }
        }
    }

    // MARK: Effects

    private func apply(_ action: ConsoleAction) {
        // Follow-ups run after `action`, in order (a queue); most actions have none, and then nothing
        // is allocated here: this runs once per engine event.
        var followUps: [ConsoleAction] = []
        var next = 0
        var current = action
        while true {
            for effect in reduce(&state, current) {
                if let followUp = perform(effect) { followUps.append(followUp) }
            }
            guard next < followUps.count else { return }
            current = followUps[next]
            next += 1
        }
    }

    /// Performs `effect`; returns an action to apply at once, if the effect has an immediate result.
    private func perform(_ effect: ConsoleEffect) -> ConsoleAction? {
        switch effect {
        case .requestRedraw:
            scheduler.markDirty()
        case .repaint:
            screen.invalidate()
            scheduler.markDirty()
        case .make(let name, let data, let requestID):
            guard let engine = self.engine else {
                return .makeFinished(requestID: requestID, call: nil, outcome: .failed(reason: "offline: nothing to send to"))
            }
            let sink = self.sink
            Task {
                let outcome: MakeOutcome
                do throws(RPCError) {
                    outcome = .response(try await engine.make(name, data: data))
                } catch {
                    if case .requestError(let value) = error {
                        outcome = .requestError(value)
                    } else {
                        outcome = .failed(reason: error.description)
                    }
                }
                sink.yield(.action(.makeFinished(requestID: requestID, call: nil, outcome: outcome)))
            }
        case .provide(let name):
            host.provide(name)
        case .unprovide(let name):
            host.unprovide(name)
        case .registerProvider(let name, let behaviour):
            switch BehaviourSyntax.parse(name: name, behaviour: behaviour) {
            case .success(let definition):
                // On a shared server nothing is provided without an explicit Space.
                let provide = state.configuration.embeddedBroker
                return .ownProviderRegistered(host.add(definition, provideAtStart: provide))
            case .failure(let failure):
                return .ownProviderRejected(name: name, message: failure.message, input: "\(name) \(behaviour)")
            }
        case .removeProvider(let name):
            host.remove(name)
        case .loadRecordedProviders(let path):
            // Read off the loop: a large recording must not freeze the screen.
            let sink = self.sink
            let match = recordingMatch
            let speed = recordingSpeed
            Task {
                let result: Result<RecordingProviderHost.Loaded, CommandFailure>
                do throws(CommandFailure) {
                    result = .success(try RecordingProviderHost.load(path, match: match, speed: speed))
                } catch {
                    result = .failure(error)
                }
                sink.yield(.recordedProviders(path: path, result))
            }
        case .resolveHeld(let call, let resolution):
            if let broker {
                Task { await broker.steer(.resolveHeld(call, resolution)) }
            } else if let proxy, let requestor = call.requestor {
                // Held in the proxy, on the requestor's connection, under the requestor's correlation id.
                Task { await proxy.resolveHeld(peer: requestor, correlationId: call.correlationId, resolution) }
            }
        case .replaceRules(let rules):
            if let broker {
                Task { await broker.steer(.replaceRules(rules)) }
            } else if let proxy {
                Task { await proxy.replaceRules(rules) }
            }
        case .switchProvider(let peer, let name, let off):
            if let broker {
                Task { await broker.steer(.switchProvider(SwitchedOffProvider(peer: peer, name: name), off: off)) }
            } else if let proxy {
                Task { await proxy.switchProvider(peer: peer, name: name, off: off) }
            }
        case .copy(let text):
            copy(text)
        case .saveHistory(let entries):
            if let problem = history.save(entries) {
                logger.warning("\(problem.description)")
            }
        case .writeFile(let path, let contents, let what):
            return .fileWritten(path: path, what: what, error: NewFile.write(contents, to: path))
        case .quit:
            ending = .quit
        }
        return nil
    }

    /// Adds a recording's providers to the host (names an own provider already has are skipped), or
    /// reopens the prompt with the problem: strict on bad lines, as `--providers-from-recording`.
    private func addRecordedProviders(_ path: String, _ result: Result<RecordingProviderHost.Loaded, CommandFailure>) {
        let input = "@" + path
        let loaded: RecordingProviderHost.Loaded
        switch result {
        case .failure(let failure):
            apply(.ownProviderRejected(name: input, message: String(failure.message.trimmingPrefix("dsconsole: ")), input: input))
            return
        case .success(let value):
            loaded = value
        }
        if let bad = loaded.firstBadLine {
            let count = loaded.badLineCount
            apply(.ownProviderRejected(name: input, message: "\(bad) (\(count) bad line\(count == 1 ? "" : "s"))", input: input))
            return
        }
        for note in loaded.notes { logger.notice("\(note)") }
        var specs: [OwnProviderSpec] = []
        var skipped: [String] = []
        for provider in loaded.providers {
            if host.knows(provider.name) {
                skipped.append(provider.name)
                continue
            }
            // On a shared server nothing is provided without an explicit Space (as for `a`).
            specs.append(host.add(provider, provideAtStart: state.configuration.embeddedBroker))
        }
        apply(.recordedProvidersLoaded(path: path, specs: specs, skipped: skipped))
    }

    /// OSC 52 asks the terminal (or tmux with `set-clipboard on`) to set the clipboard; many terminals
    /// ignore it, so the text also goes to `last-copy.txt` in the state directory.
    private func copy(_ text: String) {
        let sequence = "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
        let bytes = Array(sequence.utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        let paths = StatePaths()
        do {
            try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
            try text.write(toFile: paths.copyFile, atomically: true, encoding: .utf8)
        } catch {
            logger.warning("cannot write \(paths.copyFile): \(error)")
        }
    }

    // MARK: Drawing

    private func drawIfDue() {
        let now = ContinuousClock.now
        if scheduler.beginFrameIfDue(at: now) {
            var buffer = ScreenBuffer(width: screen.size.columns, height: screen.size.rows)
            ConsoleView.draw(state, into: &buffer, styles: styles)
            screen.flush(buffer)
        } else if !frameWakePending, let delay = scheduler.delayUntilNextFrame(at: now) {
            frameWakePending = true
            let sink = self.sink
            Task {
                try? await Task.sleep(for: delay)
                sink.yield(.frameDue)
            }
        }
    }
}
