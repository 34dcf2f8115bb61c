import CNcursesw

/// Turns what ncurses' `wget_wch` returns into a `Key`, without needing a terminal.
package enum KeyDecoder {
    /// The key code ``NcursesScreen`` defines for `ESC [ 200 ~` (bracketed paste start), well above
    /// the codes ncurses gives terminfo's extended keys.
    package static let pasteStartCode: Int32 = 0x3F00
    /// The key code defined for `ESC [ 201 ~` (bracketed paste end).
    package static let pasteEndCode: Int32 = 0x3F01
    /// Key codes defined for `ESC b` and `ESC f` (Alt-B, Alt-F: word left / right in text fields).
    package static let altCodes: [(sequence: String, code: Int32, letter: Character)] = [
        ("\u{1B}b", 0x3F02, "b"), ("\u{1B}f", 0x3F03, "f"),
    ]

    /// The key for one `wget_wch` result: `status` is its return value (`OK`, `KEY_CODE_YES` or
    /// `ERR`) and `value` the `wint_t` it stored. Returns nil for `ERR` (no key before the timeout).
    package static func decode(status: Int32, value: UInt32) -> Key? {
        switch status {
        case OK:
            return decodeCharacter(value)
        case KEY_CODE_YES:
            return decodeKeyCode(Int32(bitPattern: value))
        default:
            return nil
        }
    }

    private static func decodeCharacter(_ value: UInt32) -> Key {
        switch value {
        case 0x0A, 0x0D: return .enter
        case 0x09: return .tab
        case 0x1B: return .escape
        case 0x08, 0x7F: return .backspace
        case 0x00: return .ctrl(" ")
        case 0x01...0x1A:
            return .ctrl(Character(Unicode.Scalar(UInt8(value) + 0x60)))
        case 0x1C...0x1F:
            return .ctrl(Character(Unicode.Scalar(UInt8(value) + 0x40)))
        default:
            guard let scalar = Unicode.Scalar(value), !(0x80..<0xA0).contains(value) else {
                return .unknown(Int32(bitPattern: value))
            }
            return .character(Character(scalar))
        }
    }

    private static func decodeKeyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_RESIZE: return .resize
        case pasteStartCode: return .pasteStart
        case pasteEndCode: return .pasteEnd
        case let code where altCodes.contains { $0.code == code }:
            return .alt(altCodes.first { $0.code == code }!.letter)
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return .unknown(code)
        }
    }
}
