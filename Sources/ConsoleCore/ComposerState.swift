import DeepstreamProtocol

/// The Composer pane: an RPC name field, a JSON body editor, send history and the last result.
package struct ComposerState: Hashable, Sendable {
    /// Which field of the composer has the cursor.
    package enum Field: Hashable, Sendable {
        /// The RPC name.
        case name
        /// The JSON body.
        case body
    }

    /// What the composer shows under the editor about the last send.
    package enum LastSend: Hashable, Sendable {
        /// Sent, waiting for the result.
        case pending(RequestID, name: String)
        /// Finished.
        case finished(RequestID, name: String, call: CallID?, outcome: MakeOutcome)
    }

    /// The field with the cursor.
    package var field: Field = .name
    /// The RPC name.
    package private(set) var name = LineEditor()
    /// The JSON body.
    package private(set) var body = TextEditor()
    /// The body's validation, recomputed on every edit.
    package private(set) var validation: JSONValidation = .empty
    /// Sent requests, oldest first, at most ``historyLimit``.
    package private(set) var history: [ComposerHistoryEntry] = []
    /// The most history entries kept.
    package let historyLimit: Int
    /// While recalling history: the index of the entry shown; nil while editing the draft.
    package private(set) var historyIndex: Int?
    /// The draft being edited before history recall started.
    private var draft: ComposerHistoryEntry?
    /// The last send and its result.
    package var lastSend: LastSend?
    // The name typed before Tab started cycling through completions.
    private var completionBase: String?

    /// Creates an empty composer.
    package init(historyLimit: Int = 200) {
        self.historyLimit = max(1, historyLimit)
    }

    // MARK: Editing

    /// Inserts a character into the focused field (`\n` in the body starts a new line).
    package mutating func insert(_ character: Character) {
        switch field {
        case .name:
            guard character != "\n" else { return }
            name.insert(character)
            nameEdited()
        case .body:
            body.insert(character)
            bodyEdited()
        }
    }

    /// Inserts `text` into the body as is: newlines split lines without copying indentation (pasted
    /// text already has its own).
    package mutating func insertLiterally(_ text: String) {
        guard field == .body else {
            for character in text where character != "\n" { name.insert(character) }
            nameEdited()
            return
        }
        for character in text {
            if character == "\n" { body.splitLine() } else { body.insert(character) }
        }
        bodyEdited()
    }

    /// Applies a readline command (Ctrl-K/U/W, Alt-B/F) to the focused field.
    package mutating func readline(_ command: ConsoleCommand) {
        switch field {
        case .name:
            switch command {
            case .killToEnd: name.killToEnd()
            case .killToStart: name.killToStart()
            case .deleteWordBackward: name.deleteWordBackward()
            case .wordLeft: name.moveWordLeft()
            case .wordRight: name.moveWordRight()
            default: return
            }
            nameEdited()
        case .body:
            switch command {
            case .killToEnd: body.killToLineEnd()
            case .killToStart: body.killToLineStart()
            case .deleteWordBackward: body.deleteWordBackward()
            case .wordLeft: body.moveWordLeft(); return
            case .wordRight: body.moveWordRight(); return
            default: return
            }
            bodyEdited()
        }
    }

    /// Empties the focused field (the name, or the whole body).
    package mutating func clearFocusedField() {
        switch field {
        case .name: name.setText(""); nameEdited()
        case .body: body.setText(""); bodyEdited()
        }
    }

    /// The request the last result answers (set on send), to tell whether the result is stale.
    package var lastSentRequest: ComposerHistoryEntry?

    /// Whether the name or body changed since the request whose result is shown was sent.
    package var isResultStale: Bool {
        guard lastSend != nil, let sent = lastSentRequest else { return false }
        return sent.name != name.text || sent.body != body.text
    }

    /// Starts a new line in the body.
    package mutating func insertNewline() {
        body.insertNewline()
        bodyEdited()
    }

    /// Deletes the character before the cursor in the focused field.
    package mutating func deleteBackward() {
        switch field {
        case .name: name.deleteBackward(); nameEdited()
        case .body: body.deleteBackward(); bodyEdited()
        }
    }

    /// Deletes the character at the cursor in the focused field.
    package mutating func deleteForward() {
        switch field {
        case .name: name.deleteForward(); nameEdited()
        case .body: body.deleteForward(); bodyEdited()
        }
    }

    /// Moves the cursor of the focused field.
    package mutating func moveCursor(_ key: KeyPress, pageSize: Int = 10) {
        switch (field, key) {
        case (.name, .left): name.moveLeft()
        case (.name, .right): name.moveRight()
        case (.name, .home): name.moveToStart()
        case (.name, .end): name.moveToEnd()
        case (.body, .left): body.moveLeft()
        case (.body, .right): body.moveRight()
        case (.body, .up): body.moveUp()
        case (.body, .down): body.moveDown()
        case (.body, .pageUp): body.moveUp(pageSize)
        case (.body, .pageDown): body.moveDown(pageSize)
        case (.body, .home): body.moveToLineStart()
        case (.body, .end): body.moveToLineEnd()
        default: break
        }
    }

    /// Replaces both fields (used by history recall and tests) and revalidates.
    package mutating func load(_ entry: ComposerHistoryEntry) {
        name.setText(entry.name)
        body.setText(entry.body)
        validation = JSONValidation(validating: body)
        completionBase = nil
    }

    private mutating func nameEdited() {
        completionBase = nil
        historyIndex = nil
        draft = nil
    }

    private mutating func bodyEdited() {
        validation = JSONValidation(validating: body)
        historyIndex = nil
        draft = nil
    }

    // MARK: Completion

    /// Completes the RPC name from `candidates`: first to the candidates' longest common prefix, then
    /// cycling through them on repeated calls. Returns false when there was nothing to complete: the
    /// field is empty (completion never invents a name), nothing matches, or the last match was shown
    /// (then the typed text comes back, and Tab moves on).
    package mutating func completeName(from candidates: [String]) -> Bool {
        let base = completionBase ?? name.text
        guard !base.isEmpty else { return false }
        let matches = Array(Set(candidates.filter { $0.hasPrefix(base) })).sorted()
        guard !matches.isEmpty else { return false }
        if completionBase == nil {
            if matches == [name.text] { return false }
            let common = Self.longestCommonPrefix(matches)
            if common.count > base.count {
                name.setText(common)
                return true
            }
            completionBase = base
            name.setText(matches[0])
            return true
        }
        let next = matches.firstIndex(of: name.text).map { $0 + 1 } ?? 0
        guard next < matches.count else {
            name.setText(base)
            completionBase = nil
            return false
        }
        name.setText(matches[next])
        return true
    }

    private static func longestCommonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let characters = Array(word)
            var length = 0
            while length < min(prefix.count, characters.count) && prefix[length] == characters[length] { length += 1 }
            prefix = Array(prefix[..<length])
        }
        return String(prefix)
    }

    // MARK: History

    /// Replaces the history (loaded at start), keeping the newest ``historyLimit`` entries.
    package mutating func setHistory(_ entries: [ComposerHistoryEntry]) {
        history = Array(entries.suffix(historyLimit))
        historyIndex = nil
    }

    /// Appends a sent request to history (not repeating the newest entry).
    package mutating func remember(_ entry: ComposerHistoryEntry) {
        if history.last != entry { history.append(entry) }
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        historyIndex = nil
        draft = nil
    }

    /// Shows the next older history entry (without sending). Returns false at the oldest.
    package mutating func recallOlder() -> Bool {
        guard !history.isEmpty else { return false }
        let index: Int
        if let current = historyIndex {
            guard current > 0 else { return false }
            index = current - 1
        } else {
            draft = ComposerHistoryEntry(name: name.text, body: body.text)
            index = history.count - 1
        }
        load(history[index])
        historyIndex = index
        return true
    }

    /// Shows the next newer history entry, or the draft after the newest. Returns false when not
    /// recalling.
    package mutating func recallNewer() -> Bool {
        guard let current = historyIndex else { return false }
        if current + 1 < history.count {
            load(history[current + 1])
            historyIndex = current + 1
        } else {
            let saved = draft ?? ComposerHistoryEntry(name: "", body: "")
            load(saved)
            historyIndex = nil
            draft = nil
        }
        return true
    }
}
