/// Correlation ids for REQUESTs, unique across clients as the server requires (spec §4 #7): like the
/// JS client, base-36 milliseconds since the epoch, `-`, then random base-36 digits (64 random bits
/// here, more than the JS client's), plus a per-engine counter so ids never repeat within an engine.
struct CorrelationIDGenerator: Sendable {
    private var counter: UInt64 = 0

    /// The next id for the wall-clock time `milliseconds`.
    mutating func next<R: RandomNumberGenerator>(milliseconds: UInt64, using random: inout R) -> String {
        counter &+= 1
        let noise = UInt64.random(in: .min ... .max, using: &random)
        return String(milliseconds, radix: 36) + "-" + String(noise, radix: 36) + String(counter, radix: 36)
    }
}
