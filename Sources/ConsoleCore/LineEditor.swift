/// A single-line text field with a cursor (the composer's RPC name, the filter, prompts).
public struct LineEditor: Hashable, Sendable {
    /// The characters.
    public private(set) var characters: [Character]
    /// The cursor, as a character offset in `0...characters.count`.
    public private(set) var cursor: Int

    /// Creates a field holding `text` with the cursor at its end.
    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    /// The text.
    public var text: String { String(characters) }

    /// Whether the field is empty.
    public var isEmpty: Bool { characters.isEmpty }

    /// Replaces the text and puts the cursor at its end.
    public mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    /// Inserts a character at the cursor.
    public mutating func insert(_ character: Character) {
        characters.insert(character, at: cursor)
        cursor += 1
    }

    /// Deletes the character before the cursor.
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the character at the cursor.
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Moves the cursor one character left.
    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    /// Moves the cursor one character right.
    public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    /// Moves the cursor to the start.
    public mutating func moveToStart() { cursor = 0 }
    /// Moves the cursor to the end.
    public mutating func moveToEnd() { cursor = characters.count }

    // MARK: Readline keys

    /// Ctrl-K: deletes from the cursor to the end.
    public mutating func killToEnd() { characters.removeSubrange(cursor...) }
    /// Ctrl-U: deletes from the start to the cursor.
    public mutating func killToStart() {
        characters.removeSubrange(..<cursor)
        cursor = 0
    }
    /// Ctrl-W: deletes the word before the cursor.
    public mutating func deleteWordBackward() {
        let start = WordMotion.start(before: cursor, in: characters)
        characters.removeSubrange(start..<cursor)
        cursor = start
    }
    /// Alt-B: to the start of the previous word.
    public mutating func moveWordLeft() { cursor = WordMotion.start(before: cursor, in: characters) }
    /// Alt-F: to the end of the next word.
    public mutating func moveWordRight() { cursor = WordMotion.end(after: cursor, in: characters) }
}
