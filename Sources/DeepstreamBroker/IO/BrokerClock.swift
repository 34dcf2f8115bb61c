import DeepstreamProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the broker reads the time for deadlines and tap timestamps. Injected so tests and the
/// console can control it.
public protocol BrokerClock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The system's wall clock (`CLOCK_REALTIME`).
public struct SystemBrokerClock: BrokerClock {
    /// Creates the clock.
    public init() {}

    /// The current wall-clock time.
    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }
}
