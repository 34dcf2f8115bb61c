import NIOConcurrencyHelpers

/// A counter shared between tasks.
final class LockedCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    /// The current count.
    var value: Int { box.withLockedValue { $0 } }
    /// Adds one.
    func increment() { box.withLockedValue { $0 += 1 } }
}
