import CNcursesw
import Testing
@testable import ConsoleTerminal

@Suite("Bracketed paste")
struct PasteAssemblerTests {
    @Test func markersDecodeFromTheirKeyCodes() {
        #expect(KeyDecoder.decode(status: KEY_CODE_YES, value: UInt32(KeyDecoder.pasteStartCode)) == .pasteStart)
        #expect(KeyDecoder.decode(status: KEY_CODE_YES, value: UInt32(KeyDecoder.pasteEndCode)) == .pasteEnd)
    }

    @Test func keysBetweenTheMarkersBecomeOneText() {
        var assembler = PasteAssembler()
        #expect(assembler.feed(.character("x")) == .key(.character("x")))
        #expect(assembler.feed(.pasteStart) == .collecting)
        #expect(assembler.isPasting)
        for key: Key in [.character("{"), .enter, .character(" "), .tab, .character("1"), .enter, .character("}")] {
            #expect(assembler.feed(key) == .collecting)
        }
        #expect(assembler.feed(.pasteEnd) == .paste("{\n \t1\n}"))
        #expect(!assembler.isPasting)
        #expect(assembler.feed(.enter) == .key(.enter), "after the paste Enter is a key again")
    }

    @Test func aResizeStillArrivesAndPastesAreBounded() {
        var assembler = PasteAssembler(limit: 3)
        _ = assembler.feed(.pasteStart)
        #expect(assembler.feed(.resize) == .key(.resize))
        for character in "abcde" { _ = assembler.feed(.character(character)) }
        #expect(assembler.feed(.pasteEnd) == .paste("abc"))
        #expect(assembler.droppedCharacters == 2)
        #expect(assembler.feed(.pasteEnd) == .collecting, "a stray end marker is swallowed")
    }
}
