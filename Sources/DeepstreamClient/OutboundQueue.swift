import Synchronization

/// The frames waiting to be written to one socket, with backpressure.
///
/// The engine enqueues without waiting (it is an actor and must not suspend mid-step); one writer
/// task per socket takes the frames in order and awaits the channel's async writer, which suspends
/// while the socket is not writable. Bytes count against the queue until the writer has handed
/// them to the channel, so a slow server keeps the count high and ``waitForSpace()`` holds new
/// calls back instead of letting memory grow. Control traffic (PING, ACCEPT, …) is never held back:
/// it is small and bounded by the protocol.
package final class OutboundQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [(element: Element, bytes: Int)] = []
        var head = 0
        var queuedBytes = 0
        var closed = false
        var reader: CheckedContinuation<[(element: Element, bytes: Int)]?, Never>?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// Above this many unwritten bytes, ``waitForSpace()`` suspends.
    package let highWater: Int
    private let state = Mutex(State())

    /// Creates an open queue.
    package init(highWater: Int) {
        self.highWater = max(1, highWater)
    }

    /// Bytes enqueued and not yet handed to the channel.
    package var queuedBytes: Int { state.withLock { $0.queuedBytes } }

    /// Whether a producer may enqueue now: at most ``highWater`` bytes unwritten, or the queue closed
    /// (then enqueueing drops, and waiting would be pointless).
    package var hasSpace: Bool { state.withLock { $0.closed || $0.queuedBytes <= highWater } }

    /// Appends `element` (`bytes` long); returns false when the queue is closed (nothing is kept).
    @discardableResult
    package func enqueue(_ element: Element, bytes: Int) -> Bool {
        let reader: CheckedContinuation<[(element: Element, bytes: Int)]?, Never>?
        let batch: [(element: Element, bytes: Int)]
        (reader, batch) = state.withLock { s in
            guard !s.closed else { return (nil, []) }
            s.queuedBytes += bytes
            if let reader = s.reader {
                s.reader = nil
                return (reader, [(element, bytes)])
            }
            s.items.append((element, bytes))
            return (nil, [])
        }
        if let reader {
            reader.resume(returning: batch)
            return true
        }
        return state.withLock { !$0.closed }
    }

    /// Waits until the unwritten bytes are at most ``highWater`` (or the queue closed, or the task
    /// was cancelled).
    package func waitForSpace() async {
        let id: UInt64? = state.withLock { s in
            guard !s.closed, s.queuedBytes > highWater else { return nil }
            s.nextWaiter += 1
            return s.nextWaiter
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s in
                    guard !s.closed, s.queuedBytes > highWater, !Task.isCancelled else { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The writer's next batch, in order; `nil` once the queue is closed.
    package func next() async -> [(element: Element, bytes: Int)]? {
        await withCheckedContinuation { continuation in
            let ready: [(element: Element, bytes: Int)]?? = state.withLock { s in
                if s.closed { return .some(nil) }
                guard s.head < s.items.count else {
                    s.reader = continuation
                    return .none
                }
                defer {
                    s.items.removeAll(keepingCapacity: true)
                    s.head = 0
                }
                return .some(Array(s.items[s.head...]))
            }
            if case .some(let batch) = ready { continuation.resume(returning: batch) }
        }
    }

    /// The writer handed `bytes` to the channel: waiting producers go on once there is room.
    package func written(_ bytes: Int) {
        let released: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.queuedBytes = max(0, s.queuedBytes - bytes)
            guard s.queuedBytes <= highWater else { return [] }
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in released { waiter.resume() }
    }

    /// Closes the queue: pending elements are dropped, the writer's ``next()`` returns `nil`, waiting
    /// producers go on.
    package func close() {
        let (reader, waiters) = state.withLock { s in
            s.closed = true
            s.items.removeAll()
            s.head = 0
            s.queuedBytes = 0
            defer {
                s.reader = nil
                s.waiters.removeAll()
            }
            return (s.reader, Array(s.waiters.values))
        }
        reader?.resume(returning: nil)
        for waiter in waiters { waiter.resume() }
    }
}
