/// Counters the broker's event loop publishes for readers on any thread (behind a lock), so they
/// stay readable after the loop has stopped.
struct BrokerGauges: Hashable, Sendable {
    var pendingCalls = 0
    var connections = 0
    var droppedTapEvents = 0
    var droppedTapEventsPerSubscriber: [Int] = []
}
