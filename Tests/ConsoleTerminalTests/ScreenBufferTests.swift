import Testing
@testable import ConsoleTerminal

@Suite("ScreenBuffer")
struct ScreenBufferTests {
    @Test func newBufferIsBlank() {
        let buffer = ScreenBuffer(width: 3, height: 2)
        #expect(buffer.textSnapshot() == "\n")
        #expect(buffer[1, 2] == .blank)
    }

    @Test func putWritesASCIIAndReportsColumnsUsed() {
        var buffer = ScreenBuffer(width: 10, height: 2)
        let used = buffer.put("hello", row: 1, column: 2)
        #expect(used == 5)
        #expect(buffer.textSnapshot() == "\n  hello")
        #expect(buffer[1, 2].character == "h")
    }

    @Test func putAppliesStyleToEveryCell() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        let style = Style(foreground: .red, attributes: [.bold])
        buffer.put("ab", row: 0, column: 1, style: style)
        #expect(buffer[0, 0].style == .plain)
        #expect(buffer[0, 1].style == style)
        #expect(buffer[0, 2].style == style)
        #expect(buffer[0, 3].style == .plain)
    }

    @Test func putClipsAtTheRightEdge() {
        var buffer = ScreenBuffer(width: 5, height: 1)
        let used = buffer.put("abcdefgh", row: 0, column: 2)
        #expect(used == 3)
        #expect(buffer.textSnapshot() == "  abc")
    }

    @Test func putClipsAtMaxWidth() {
        var buffer = ScreenBuffer(width: 10, height: 1)
        let used = buffer.put("abcdefgh", row: 0, column: 1, maxWidth: 3)
        #expect(used == 3)
        #expect(buffer.textSnapshot() == " abc")
        let used1 = buffer.put("x", row: 0, column: 0, maxWidth: 0)
        #expect(used1 == 0)
    }

    @Test func putOutsideTheBufferDrawsNothing() {
        var buffer = ScreenBuffer(width: 4, height: 2)
        let used2 = buffer.put("abc", row: 2, column: 0)
        #expect(used2 == 0)
        let used3 = buffer.put("abc", row: -1, column: 0)
        #expect(used3 == 0)
        let used4 = buffer.put("abc", row: 0, column: 4)
        #expect(used4 == 0)
        #expect(buffer.textSnapshot() == "\n")
    }

    @Test func putClipsAtTheLeftEdge() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        let used = buffer.put("abcd", row: 0, column: -2)
        #expect(used == 4)
        #expect(buffer.textSnapshot() == "cd")
    }

    @Test func wideCharacterTakesTwoCells() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        let used = buffer.put("a漢b", row: 0, column: 0)
        #expect(used == 4)
        #expect(buffer[0, 1].character == "漢")
        #expect(buffer[0, 1].isWide)
        #expect(buffer[0, 2].isContinuation)
        #expect(buffer[0, 3].character == "b")
        #expect(buffer.textSnapshot() == "a漢b")
    }

    @Test func emojiIsWide() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        let used5 = buffer.put("🚀x", row: 0, column: 0)
        #expect(used5 == 3)
        #expect(buffer[0, 1].isContinuation)
        #expect(buffer[0, 2].character == "x")
    }

    @Test func wideCharacterStraddlingTheEdgeBecomesASpace() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        let used = buffer.put("ab漢字", row: 0, column: 1)
        #expect(used == 3)
        #expect(buffer[0, 3].character == " ")
        #expect(!buffer[0, 3].isWide)
        #expect(buffer.textSnapshot() == " ab")
    }

    @Test func wideCharacterStraddlingMaxWidthBecomesASpace() {
        var buffer = ScreenBuffer(width: 10, height: 1)
        buffer.put("xxxxxxxxxx", row: 0, column: 0)
        let used = buffer.put("a漢", row: 0, column: 0, maxWidth: 2)
        #expect(used == 2)
        #expect(buffer.textSnapshot() == "a xxxxxxxx")
    }

    @Test func wideCharacterStraddlingTheLeftEdgeShowsItsRightHalfAsSpace() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        buffer.put("zzzz", row: 0, column: 0)
        let used6 = buffer.put("漢ab", row: 0, column: -1)
        #expect(used6 == 4)
        #expect(buffer.textSnapshot() == " abz")
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        buffer.put("漢字", row: 0, column: 0)
        buffer.put("x", row: 0, column: 1)
        #expect(buffer.textSnapshot() == " x字")
        buffer.put("y", row: 0, column: 2)
        #expect(buffer.textSnapshot() == " xy")
        #expect(!buffer[0, 3].isContinuation)
    }

    @Test func wideCharacterOverNarrowOnesRepairsNeighbours() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        buffer.put("漢字", row: 0, column: 0)
        buffer.put("中", row: 0, column: 1)
        #expect(buffer.textSnapshot() == " 中")
        #expect(buffer[0, 1].isWide)
        #expect(buffer[0, 2].isContinuation)
        #expect(!buffer[0, 3].isContinuation)
    }

    @Test func combiningMarksStayWithTheirBase() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        let used7 = buffer.put("e\u{301}x", row: 0, column: 0)
        #expect(used7 == 2)
        #expect(buffer[0, 0].character == "e\u{301}")
        #expect(buffer[0, 1].character == "x")
    }

    @Test func controlCharactersAreReplaced() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        let used8 = buffer.put("a\tb\u{1B}c", row: 0, column: 0)
        #expect(used8 == 5)
        #expect(buffer.textSnapshot() == "a b\u{FFFD}c")
    }

    @Test func fillClipsAndStyles() {
        var buffer = ScreenBuffer(width: 4, height: 3)
        buffer.put("abcd", row: 1, column: 0)
        let style = Style(background: .blue)
        buffer.fill(Rect(row: 1, column: 2, width: 5, height: 5), style: style)
        #expect(buffer.textSnapshot() == "\nab\n")
        #expect(buffer[2, 3].style == style)
        #expect(buffer[0, 3].style == .plain)
        #expect(buffer[1, 1].style == .plain)
    }

    @Test func fillOverHalfAWideCharacterBlanksTheOtherHalf() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        buffer.put("a漢", row: 0, column: 0)
        buffer.fill(Rect(row: 0, column: 2, width: 2, height: 1))
        #expect(buffer.textSnapshot() == "a")
        #expect(!buffer[0, 1].isWide)
    }

    @Test func clearBlanksEverything() {
        var buffer = ScreenBuffer(width: 3, height: 1)
        buffer.put("abc", row: 0, column: 0, style: Style(attributes: .bold))
        buffer.clear()
        #expect(buffer == ScreenBuffer(width: 3, height: 1))
    }

    @Test func drawBoxWithTitle() {
        var buffer = ScreenBuffer(width: 12, height: 4)
        buffer.drawBox(Rect(row: 0, column: 1, width: 10, height: 4), title: "Log")
        #expect(buffer.textSnapshot() == """
             ┌─ Log ──┐
             │        │
             │        │
             └────────┘
            """)
    }

    @Test func drawBoxClipsTitle() {
        var buffer = ScreenBuffer(width: 8, height: 3)
        buffer.drawBox(buffer.bounds, title: "Requests")
        #expect(buffer.textSnapshot() == """
            ┌─ Req─┐
            │      │
            └──────┘
            """)
    }

    @Test func drawBoxClipsToBuffer() {
        var buffer = ScreenBuffer(width: 4, height: 3)
        buffer.drawBox(Rect(row: 1, column: 2, width: 5, height: 5))
        #expect(buffer.textSnapshot() == """

              ┌─
              │
            """)
    }

    @Test func drawBoxTooSmallDrawsNothing() {
        var buffer = ScreenBuffer(width: 4, height: 3)
        buffer.drawBox(Rect(row: 0, column: 0, width: 1, height: 3))
        #expect(buffer == ScreenBuffer(width: 4, height: 3))
    }

    @Test func linesAreClipped() {
        var buffer = ScreenBuffer(width: 4, height: 3)
        buffer.drawHorizontalLine(row: 1, column: -1, length: 3)
        buffer.drawVerticalLine(row: 1, column: 3, length: 10)
        #expect(buffer.textSnapshot() == "\n── │\n   │")
    }

    @Test func snapshotTrimsTrailingSpacesButKeepsRows() {
        var buffer = ScreenBuffer(width: 5, height: 3)
        buffer.put("a  ", row: 0, column: 0)
        buffer.put("b", row: 2, column: 4)
        #expect(buffer.textSnapshot() == "a\n\n    b")
    }

    @Test func diffOfEqualBuffersIsEmpty() {
        var buffer = ScreenBuffer(width: 5, height: 2)
        buffer.put("hello", row: 0, column: 0)
        #expect(buffer.diff(from: buffer).isEmpty)
    }

    @Test func diffListsOnlyChangedRuns() {
        var old = ScreenBuffer(width: 10, height: 3)
        old.put("abcdefghij", row: 0, column: 0)
        old.put("0123456789", row: 1, column: 0)
        var new = old
        new.put("XY", row: 0, column: 2)
        new.put("Z", row: 0, column: 7)
        new.put("#", row: 1, column: 9)
        let runs = new.diff(from: old)
        #expect(runs.map(\.row) == [0, 0, 1])
        #expect(runs.map(\.column) == [2, 7, 9])
        #expect(runs.map { String($0.cells.map(\.character)) } == ["XY", "Z", "#"])
    }

    @Test func diffSeesStyleOnlyChanges() {
        let old = ScreenBuffer(width: 4, height: 1)
        var new = old
        new.fill(Rect(row: 0, column: 1, width: 2, height: 1), style: Style(attributes: .reverse))
        let runs = new.diff(from: old)
        #expect(runs == [ChangedRun(row: 0, column: 1, cells: Array(repeating: Cell(" ", style: Style(attributes: .reverse)), count: 2))])
    }

    @Test func diffWithWideCharacters() {
        var old = ScreenBuffer(width: 6, height: 1)
        old.put("ab漢cd", row: 0, column: 0)
        var new = old
        new.put("字", row: 0, column: 2)
        let runs = new.diff(from: old)
        #expect(runs.count == 1)
        #expect(runs[0].column == 2)
        #expect(runs[0].cells.count == 1)
        #expect(runs[0].cells[0].character == "字")
    }

    @Test func diffAfterOverwritingHalfAWideCharacterCoversBothHalves() {
        var old = ScreenBuffer(width: 4, height: 1)
        old.put("漢", row: 0, column: 0, style: Style(foreground: .red))
        var new = old
        new.put("x", row: 0, column: 1)
        let runs = new.diff(from: old)
        #expect(runs.map(\.column) == [0])
        #expect(runs[0].cells.map(\.character) == [" ", "x"])
        #expect(runs[0].cells[0].style == Style(foreground: .red))
    }

    @Test func diffFromDifferentSizeRedrawsEverything() {
        var new = ScreenBuffer(width: 3, height: 2)
        new.put("ab", row: 1, column: 0)
        let runs = new.diff(from: ScreenBuffer(width: 0, height: 0))
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0.column == 0 && $0.cells.count == 3 })
    }
}
