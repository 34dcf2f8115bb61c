/// Readline-style word boundaries in a line of characters (Alt-B, Alt-F, Ctrl-W): a word is a run
/// of letters, digits and `_`; everything else separates words.
enum WordMotion {
    static func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }

    /// Where Alt-B goes from `cursor`: back over separators, then to the start of the word.
    static func start(before cursor: Int, in characters: [Character]) -> Int {
        var index = min(cursor, characters.count)
        while index > 0 && !isWord(characters[index - 1]) { index -= 1 }
        while index > 0 && isWord(characters[index - 1]) { index -= 1 }
        return index
    }

    /// Where Alt-F goes from `cursor`: over separators, then to the end of the word.
    static func end(after cursor: Int, in characters: [Character]) -> Int {
        var index = max(0, cursor)
        while index < characters.count && !isWord(characters[index]) { index += 1 }
        while index < characters.count && isWord(characters[index]) { index += 1 }
        return index
    }
}
