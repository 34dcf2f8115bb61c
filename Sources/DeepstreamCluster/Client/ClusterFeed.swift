import DeepstreamProtocol

/// What a ``ClusterFeed`` delivers: the connection's state and the observer's events, in order.
package enum ClusterFeedEvent: Hashable, Sendable {
    /// The Redis connection changed (``BusConnectionEvent/message(channel:payload:at:)`` never appears here).
    case connection(BusConnectionEvent)
    /// What the observer made of the bus.
    case cluster(ClusterEvent)
}

/// The IO shell around ``ClusterObserver``: runs a ``RedisBusSubscriber`` and a ticker, feeds both
/// into the observer from one task (so the observer needs no lock) and streams the results.
///
/// Buffering: the subscriber keeps the newest 100 000 bus events, the observer's input queue the newest
/// 100 000, the output stream the newest `capacity` feed events; all count drops (``droppedEvents``).
package final class ClusterFeed: Sendable {
    private let subscriber: RedisBusSubscriber
    private let observerConfiguration: ClusterObserver.Configuration
    private let clock: @Sendable () -> Timestamp
    private let tickInterval: Duration
    /// Drops of the input queue and the output stream (the subscriber counts its own).
    private let outputDrops = LockedCounter()

    /// Creates a feed; nothing connects until ``events(bufferingNewest:)`` is iterated.
    package init(
        subscriber: RedisBusSubscriber, observer: ClusterObserver.Configuration = .init(),
        clock: @escaping @Sendable () -> Timestamp, tickInterval: Duration = .milliseconds(100)
    ) {
        self.subscriber = subscriber
        self.observerConfiguration = observer
        self.clock = clock
        self.tickInterval = tickInterval
    }

    /// Events lost because a consumer was slower than the bus (subscriber and output together).
    package var droppedEvents: Int { subscriber.droppedEvents + outputDrops.value }

    /// Starts the subscriber and streams what the observer reports; ends when Redis refuses for good
    /// (after the ``BusConnectionEvent/failed(reason:at:)`` event) or when the consumer stops.
    package func events(bufferingNewest capacity: Int = 100_000) -> AsyncStream<ClusterFeedEvent> {
        enum Input: Sendable {
            case bus(BusConnectionEvent)
            case tick
            case end
        }
        let (inputs, inputSink) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(100_000))
        let (output, outputSink) = AsyncStream.makeStream(of: ClusterFeedEvent.self, bufferingPolicy: .bufferingNewest(capacity))
        let busEvents = subscriber.events()
        let drops = outputDrops
        let reader = Task {
            for await event in busEvents {
                if case .dropped = inputSink.yield(.bus(event)) { drops.increment() }
            }
            inputSink.yield(.end)
        }
        let interval = tickInterval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                inputSink.yield(.tick)
            }
        }
        let configuration = observerConfiguration
        let clock = self.clock
        let worker = Task {
            var observer = ClusterObserver(configuration: configuration)
            func emit(_ event: ClusterFeedEvent) {
                if case .dropped = outputSink.yield(event) { drops.increment() }
            }
            loop: for await input in inputs {
                switch input {
                case .bus(.message(let channel, let payload, let at)):
                    for event in observer.receive(channel: channel, payload: payload, at: at) { emit(.cluster(event)) }
                case .bus(let connection):
                    if case .subscribed(_, let at) = connection { observer.busSubscribed(at: at) }
                    emit(.connection(connection))
                case .tick:
                    for event in observer.tick(at: clock()) { emit(.cluster(event)) }
                case .end:
                    break loop
                }
            }
            ticker.cancel()
            outputSink.finish()
        }
        outputSink.onTermination = { _ in
            reader.cancel()
            ticker.cancel()
            worker.cancel()
            inputSink.finish()
        }
        return output
    }
}
