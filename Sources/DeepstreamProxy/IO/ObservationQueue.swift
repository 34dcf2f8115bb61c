import DeepstreamProtocol
import NIOConcurrencyHelpers

/// The bounded hand-over from the forwarding path to the observer: the event loops put batches in,
/// one task takes them out. Message batches beyond the limit are dropped and counted; connection
/// openings, closings and ticks are always kept (there is one of each per connection or second).
final class ObservationQueue: Sendable {
    private struct State {
        var items: [ObservationInput] = []
        var messages = 0
        var dropped = 0
        var finished = false
        var waiter: CheckedContinuation<[ObservationInput]?, Never>?
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Messages dropped so far.
    var dropped: Int { state.withLockedValue { $0.dropped } }

    /// Adds a batch holding `messages` message inputs (the rest are lifecycle inputs).
    func submit(_ batch: [ObservationInput], messages: Int) {
        let handOver = state.withLockedValue { s -> (CheckedContinuation<[ObservationInput]?, Never>, [ObservationInput])? in
            guard !s.finished else { return nil }
            if messages > 0, s.messages + messages > limit {
                s.dropped += messages
                for input in batch {
                    switch input {
                    case .messages: continue
                    default: s.items.append(input)
                    }
                }
            } else {
                s.items.append(contentsOf: batch)
                s.messages += messages
            }
            guard let waiter = s.waiter, !s.items.isEmpty else { return nil }
            s.waiter = nil
            defer {
                s.items = []
                s.messages = 0
            }
            return (waiter, s.items)
        }
        if let (waiter, items) = handOver { waiter.resume(returning: items) }
    }

    /// Everything queued, waiting until there is something; `nil` once finished and empty.
    func next() async -> [ObservationInput]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { s -> [ObservationInput]?? in
                if !s.items.isEmpty {
                    defer {
                        s.items = []
                        s.messages = 0
                    }
                    return .some(s.items)
                }
                if s.finished { return .some(nil) }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// No more input; the reader gets what is left, then `nil`.
    func finish() {
        let waiter = state.withLockedValue { s -> CheckedContinuation<[ObservationInput]?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }
}
