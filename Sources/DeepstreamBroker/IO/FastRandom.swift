/// The broker's default generator for choosing among providers: SplitMix64 seeded once from the
/// system generator. A uniform choice needs no cryptographic quality, and
/// `SystemRandomNumberGenerator` costs a `getrandom` system call per draw (1–2 % of the broker's CPU
/// under load, one draw per REQUEST).
public struct FastRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Seeds from the system generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// Seeds with `seed` (reproducible sequences).
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
