import DeepstreamProtocol

/// The broker's default generator for choosing among providers: SplitMix64 seeded once from the
/// system generator. A uniform choice needs no cryptographic quality, and
/// `SystemRandomNumberGenerator` costs a `getrandom` system call per draw (1–2 % of the broker's CPU
/// under load, one draw per REQUEST).
public struct FastRandom: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    /// Seeds from the system generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        generator = SplitMix64(seed: system.next())
    }

    /// Seeds with `seed` (reproducible sequences).
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { generator.next() }
}
