import Synchronization

/// A value behind a mutex, shareable between tasks (a `Mutex` itself cannot be captured by escaping
/// closures because it is non-copyable).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// Creates a box holding `value`.
    init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }

    /// A copy of the value.
    var value: Value { mutex.withLock { $0 } }
}
