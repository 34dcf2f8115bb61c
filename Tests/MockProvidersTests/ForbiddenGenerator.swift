/// A generator that fails the test if anything draws from it.
struct ForbiddenGenerator: RandomNumberGenerator {
    private(set) var draws = 0
    mutating func next() -> UInt64 {
        draws += 1
        return 0
    }
}
