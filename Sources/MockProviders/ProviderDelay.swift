/// How long a mock provider waits between ACCEPT and its answer: a fixed number of milliseconds or a
/// uniformly drawn one from an inclusive range.
package struct ProviderDelay: Hashable, Sendable, CustomStringConvertible {
    /// The largest delay accepted, in milliseconds (one hour): longer ones are surely typos.
    package static let maximumMilliseconds = 3_600_000

    /// The inclusive range of milliseconds; a fixed delay has equal bounds.
    package let milliseconds: ClosedRange<Int>

    /// Creates a fixed delay; `nil` if negative or above ``maximumMilliseconds``.
    package init?(milliseconds: Int) {
        self.init(milliseconds: milliseconds...milliseconds)
    }

    /// Creates a delay drawn from `milliseconds`; `nil` if the range leaves 0…``maximumMilliseconds``.
    package init?(milliseconds: ClosedRange<Int>) {
        guard milliseconds.lowerBound >= 0, milliseconds.upperBound <= Self.maximumMilliseconds else { return nil }
        self.milliseconds = milliseconds
    }

    /// Parses `MS` or `MS..MS` (whitespace around the numbers is allowed), as the providers file and
    /// `--delay` write it. Throws a message for people.
    package init(parsing text: String) throws(ProviderDelay.ParseError) {
        let parts = text.split(separator: "..", maxSplits: 1, omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
        guard let low = Int(parts[0]), parts.count == 1 || Int(parts[1]) != nil else {
            throw ParseError(message: "expected MS or MS..MS (whole milliseconds), got \"\(text)\"")
        }
        let high = parts.count == 2 ? Int(parts[1])! : low
        guard low <= high else {
            throw ParseError(message: "the range \"\(text)\" is empty (\(low) > \(high))")
        }
        guard let delay = ProviderDelay(milliseconds: low...high) else {
            throw ParseError(message: "\"\(text)\" is outside 0..\(Self.maximumMilliseconds) ms")
        }
        self = delay
    }

    /// Why delay text could not be parsed.
    package struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A one-line explanation.
        package var message: String
        /// The explanation.
        package var description: String { message }
    }

    /// Draws one delay from the range.
    package func draw(using generator: inout some RandomNumberGenerator) -> Duration {
        let bounds = milliseconds
        let value = bounds.lowerBound == bounds.upperBound
            ? bounds.lowerBound : Int.random(in: bounds, using: &generator)
        return .milliseconds(value)
    }

    /// `MS` or `MS..MS`, the form ``init(parsing:)`` reads.
    package var description: String {
        milliseconds.lowerBound == milliseconds.upperBound
            ? "\(milliseconds.lowerBound)" : "\(milliseconds.lowerBound)..\(milliseconds.upperBound)"
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
