/// Assigns ncurses colour-pair numbers to (foreground, background) combinations as they are first
/// used. Pure bookkeeping; the backend calls `init_pair` for each pair reported as added.
package struct ColorPairTable: Sendable {
    /// The outcome of looking up a combination.
    package enum Lookup: Hashable, Sendable {
        /// The combination already has this pair number.
        case existing(Int16)
        /// The combination got this new pair number; define it with `init_pair` before use.
        case added(Int16)
        /// Every pair number is taken; draw with pair 0 (default colours).
        case exhausted
    }

    private struct Combination: Hashable {
        var foreground: Int16
        var background: Int16
    }

    /// Number of pairs the table may hand out (pair 0 is ncurses' fixed default pair).
    package let capacity: Int
    private var numbers: [Combination: Int16]

    /// A table for a terminal with `colorPairs` pairs (ncurses' `COLOR_PAIRS`). Pair 0 is the
    /// default colours, (-1, -1), or white on black (7, 0) without `use_default_colors`.
    package init(colorPairs: Int, hasDefaultColors: Bool = true) {
        // Pair numbers are a C short in setcchar, so no more than Int16.max pairs are usable.
        self.capacity = max(min(colorPairs, Int(Int16.max)) - 1, 0)
        let defaultPair = hasDefaultColors ? Combination(foreground: -1, background: -1) : Combination(foreground: 7, background: 0)
        self.numbers = [defaultPair: 0]
    }

    /// Number of pairs handed out so far, not counting pair 0.
    package var count: Int { numbers.count - 1 }

    /// The pair for `foreground` on `background` (palette indices, -1 for default).
    package mutating func pair(foreground: Int16, background: Int16) -> Lookup {
        let combination = Combination(foreground: foreground, background: background)
        if let number = numbers[combination] { return .existing(number) }
        guard count < capacity else { return .exhausted }
        let number = Int16(count + 1)
        numbers[combination] = number
        return .added(number)
    }
}
