import Testing
@testable import ConsoleTerminal

@Suite("Rect")
struct RectTests {
    private let rect = Rect(row: 2, column: 4, width: 10, height: 6)

    @Test func negativeSizesBecomeZero() {
        let empty = Rect(row: 0, column: 0, width: -3, height: 2)
        #expect(empty.width == 0)
        #expect(empty.isEmpty)
    }

    @Test func containsUsesHalfOpenBounds() {
        #expect(rect.contains(row: 2, column: 4))
        #expect(rect.contains(row: 7, column: 13))
        #expect(!rect.contains(row: 8, column: 13))
        #expect(!rect.contains(row: 7, column: 14))
    }

    @Test func insetShrinksAndNeverGoesNegative() {
        #expect(rect.inset(by: 1) == Rect(row: 3, column: 5, width: 8, height: 4))
        #expect(rect.inset(top: 1, left: 2) == Rect(row: 3, column: 6, width: 8, height: 5))
        #expect(rect.inset(by: 10).isEmpty)
    }

    @Test func intersection() {
        #expect(rect.intersection(Rect(width: 6, height: 4)) == Rect(row: 2, column: 4, width: 2, height: 2))
        #expect(rect.intersection(Rect(row: 20, column: 0, width: 5, height: 5)).isEmpty)
    }

    @Test func dividedAtDistance() {
        let (top, rest) = rect.divided(atDistance: 1, from: .top)
        #expect(top == Rect(row: 2, column: 4, width: 10, height: 1))
        #expect(rest == Rect(row: 3, column: 4, width: 10, height: 5))
        let (right, left) = rect.divided(atDistance: 3, from: .right)
        #expect(right == Rect(row: 2, column: 11, width: 3, height: 6))
        #expect(left == Rect(row: 2, column: 4, width: 7, height: 6))
        let (bottom, above) = rect.divided(atDistance: 2, from: .bottom)
        #expect(bottom == Rect(row: 6, column: 4, width: 10, height: 2))
        #expect(above == Rect(row: 2, column: 4, width: 10, height: 4))
        let (whole, nothing) = rect.divided(atDistance: 99, from: .left)
        #expect(whole == rect)
        #expect(nothing.isEmpty)
    }

    @Test func dividedAtFraction() {
        let (left, right) = rect.divided(atFraction: 0.3, from: .left)
        #expect(left.width == 3)
        #expect(right == Rect(row: 2, column: 7, width: 7, height: 6))
        #expect(rect.divided(atFraction: 0.5, from: .top).slice.height == 3)
        #expect(rect.divided(atFraction: 2, from: .top).slice == rect)
        #expect(rect.divided(atFraction: -1, from: .top).slice.isEmpty)
    }
}
