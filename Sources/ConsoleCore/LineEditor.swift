/// A single-line text field with a cursor (the composer's RPC name, the filter, prompts).
package struct LineEditor: Hashable, Sendable {
    /// The characters.
    package private(set) var characters: [Character]
    /// The cursor, as a character offset in `0...characters.count`.
    package private(set) var cursor: Int

    /// Creates a field holding `text` with the cursor at its end.
    package init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    /// The text.
    package var text: String { String(characters) }

    /// Whether the field is empty.
    package var isEmpty: Bool { characters.isEmpty }

    /// Replaces the text and puts the cursor at its end.
    package mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    /// Inserts a character at the cursor.
    package mutating func insert(_ character: Character) {
        characters.insert(character, at: cursor)
        cursor += 1
    }

    /// Deletes the character before the cursor.
    package mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the character at the cursor.
    package mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Moves the cursor one character left.
    package mutating func moveLeft() { cursor = max(0, cursor - 1) }
    /// Moves the cursor one character right.
    package mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    /// Moves the cursor to the start.
    package mutating func moveToStart() { cursor = 0 }
    /// Moves the cursor to the end.
    package mutating func moveToEnd() { cursor = characters.count }

    // MARK: Readline keys

    /// Ctrl-K: deletes from the cursor to the end.
    package mutating func killToEnd() { characters.removeSubrange(cursor...) }
    /// Ctrl-U: deletes from the start to the cursor.
    package mutating func killToStart() {
        characters.removeSubrange(..<cursor)
        cursor = 0
    }
    /// Ctrl-W: deletes the word before the cursor.
    package mutating func deleteWordBackward() {
        let start = WordMotion.start(before: cursor, in: characters)
        characters.removeSubrange(start..<cursor)
        cursor = start
    }
    /// Alt-B: to the start of the previous word.
    package mutating func moveWordLeft() { cursor = WordMotion.start(before: cursor, in: characters) }
    /// Alt-F: to the end of the next word.
    package mutating func moveWordRight() { cursor = WordMotion.end(after: cursor, in: characters) }
}
