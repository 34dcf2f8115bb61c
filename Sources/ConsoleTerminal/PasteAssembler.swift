/// Collects the keys of a bracketed paste (between ``Key/pasteStart`` and ``Key/pasteEnd``) into one
/// text, so the console inserts it as is instead of treating pasted newlines as typed Enters.
///
/// Bounded: text beyond ``limit`` characters is dropped and counted in ``droppedCharacters``.
package struct PasteAssembler: Sendable {
    /// What one key turns into.
    package enum Output: Equatable, Sendable {
        /// An ordinary key (no paste in progress).
        case key(Key)
        /// A complete paste.
        case paste(String)
        /// Part of a paste still being collected.
        case collecting
    }

    /// The most characters one paste keeps.
    package let limit: Int
    /// Characters dropped from pastes beyond ``limit`` since the start.
    package private(set) var droppedCharacters = 0
    private var text: String?
    private var count = 0

    /// Creates an assembler keeping at most `limit` characters per paste.
    package init(limit: Int = 1 << 20) { self.limit = limit }

    /// Whether a paste is being collected.
    package var isPasting: Bool { text != nil }

    /// Feeds one key read from the terminal.
    package mutating func feed(_ key: Key) -> Output {
        switch key {
        case .pasteStart:
            if text == nil { text = ""; count = 0 }
            return .collecting
        case .pasteEnd:
            guard let finished = text else { return .collecting }
            text = nil
            return .paste(finished)
        case .resize:
            // A resize during a paste still has to reach the console.
            return .key(key)
        default:
            guard text != nil else { return .key(key) }
            let character: Character? = switch key {
            case .character(let value): value
            case .enter: "\n"
            case .tab: "\t"
            default: nil
            }
            if let character {
                if count < limit {
                    text?.append(character)
                    count += 1
                } else {
                    droppedCharacters += 1
                }
            }
            return .collecting
        }
    }
}
