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

/// The system's wall clock as it read when the clock was made, advanced by the monotonic clock.
///
/// Deadlines (ACCEPT/RESPONSE, heartbeat, login) are compared against this clock, so it must not
/// jump: with `CLOCK_REALTIME` read directly, an NTP or manual step of the system clock could fire
/// every heartbeat check at once (a forward step) or postpone them (a backward one). Timestamps
/// still read as wall-clock time; they drift from it only by what the system clock is slewed or
/// stepped while the broker runs.
public struct SystemBrokerClock: BrokerClock {
    private let offset: Int64

    /// Creates the clock, anchored to the current wall-clock time.
    public init() {
        offset = Self.read(CLOCK_REALTIME) - Self.read(CLOCK_MONOTONIC)
    }

    /// The current time.
    public func now() -> Timestamp {
        Timestamp(nanoseconds: UInt64(max(0, Self.read(CLOCK_MONOTONIC) + offset)))
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
