/// A delay in whole milliseconds: a fixed `N` or a range `"MIN..MAX"` drawn uniformly per call.
public struct DelayRange: Hashable, Sendable, CustomStringConvertible {
    /// The shortest delay, in milliseconds.
    public let minimum: Int
    /// The longest delay, in milliseconds.
    public let maximum: Int

    /// The longest delay a rule may ask for (one hour), so a typo cannot park calls for days.
    public static let limit = 3_600_000

    /// Creates a range; nil when it is empty, negative or over ``limit``.
    public init?(minimum: Int, maximum: Int) {
        guard minimum >= 0, minimum <= maximum, maximum <= Self.limit else { return nil }
        self.minimum = minimum
        self.maximum = maximum
    }

    /// `200` or `200..400`.
    public var description: String { minimum == maximum ? "\(minimum)" : "\(minimum)..\(maximum)" }

    /// One delay drawn from the range.
    public func draw(using random: inout some RandomNumberGenerator) -> Int {
        minimum == maximum ? minimum : Int.random(in: minimum...maximum, using: &random)
    }
}
