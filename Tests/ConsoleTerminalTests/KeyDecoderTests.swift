import CNcursesw
import Testing
@testable import ConsoleTerminal

@Suite("KeyDecoder")
struct KeyDecoderTests {
    private func character(_ value: UInt32) -> Key? {
        KeyDecoder.decode(status: OK, value: value)
    }

    private func keyCode(_ code: Int32) -> Key? {
        KeyDecoder.decode(status: KEY_CODE_YES, value: UInt32(code))
    }

    @Test func errorMeansNoKey() {
        #expect(KeyDecoder.decode(status: ERR, value: 0) == nil)
        #expect(KeyDecoder.decode(status: ERR, value: 65) == nil)
    }

    @Test func printableCharacters() {
        #expect(character(0x41) == .character("A"))
        #expect(character(0x20) == .character(" "))
        #expect(character(0xE9) == .character("é"))
        #expect(character(0x6F22) == .character("漢"))
        #expect(character(0x1F680) == .character("🚀"))
    }

    @Test func namedControlCharacters() {
        #expect(character(0x0D) == .enter)
        #expect(character(0x0A) == .enter)
        #expect(character(0x09) == .tab)
        #expect(character(0x1B) == .escape)
        #expect(character(0x7F) == .backspace)
        #expect(character(0x08) == .backspace)
    }

    @Test func controlCombinations() {
        #expect(character(0x01) == .ctrl("a"))
        #expect(character(0x03) == .ctrl("c"))
        #expect(character(0x13) == .ctrl("s"))
        #expect(character(0x1A) == .ctrl("z"))
        #expect(character(0x00) == .ctrl(" "))
        #expect(character(0x1C) == .ctrl("\\"))
        #expect(character(0x1D) == .ctrl("]"))
        #expect(character(0x1F) == .ctrl("_"))
    }

    @Test func invalidCharactersAreUnknown() {
        #expect(character(0xD800) == .unknown(0xD800))
        #expect(character(0x110000) == .unknown(0x110000))
        #expect(character(0x9B) == .unknown(0x9B))
    }

    @Test func keyCodes() {
        #expect(keyCode(KEY_UP) == .up)
        #expect(keyCode(KEY_DOWN) == .down)
        #expect(keyCode(KEY_LEFT) == .left)
        #expect(keyCode(KEY_RIGHT) == .right)
        #expect(keyCode(KEY_HOME) == .home)
        #expect(keyCode(KEY_END) == .end)
        #expect(keyCode(KEY_PPAGE) == .pageUp)
        #expect(keyCode(KEY_NPAGE) == .pageDown)
        #expect(keyCode(KEY_BACKSPACE) == .backspace)
        #expect(keyCode(KEY_DC) == .delete)
        #expect(keyCode(KEY_IC) == .insert)
        #expect(keyCode(KEY_BTAB) == .backTab)
        #expect(keyCode(KEY_ENTER) == .enter)
        #expect(keyCode(KEY_RESIZE) == .resize)
    }

    @Test func functionKeys() {
        #expect(keyCode(KEY_F0 + 1) == .function(1))
        #expect(keyCode(KEY_F0 + 12) == .function(12))
        #expect(keyCode(KEY_F0) == .unknown(KEY_F0))
    }

    @Test func unmappedKeyCodesAreUnknown() {
        #expect(keyCode(KEY_MOUSE) == .unknown(KEY_MOUSE))
        #expect(keyCode(KEY_SLEFT) == .unknown(KEY_SLEFT))
    }
}
