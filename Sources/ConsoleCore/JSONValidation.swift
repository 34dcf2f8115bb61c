import DeepstreamProtocol

/// The composer body's live validation result.
package enum JSONValidation: Hashable, Sendable {
    /// The body is blank: the call is sent without a payload.
    case empty
    /// The body parses.
    case valid(JSONValue)
    /// The body does not parse; `position` is where it breaks, in editor (character) coordinates.
    case invalid(JSONParseError, position: TextEditor.Position)

    /// Validates an editor's text.
    package init(validating editor: TextEditor) {
        if editor.isBlank {
            self = .empty
            return
        }
        do {
            self = .valid(try JSONValue(parsing: editor.text))
        } catch {
            self = .invalid(error, position: editor.position(ofLine: error.line, byteColumn: error.column))
        }
    }

    /// Whether the body may be sent.
    package var isSendable: Bool {
        if case .invalid = self { return false }
        return true
    }
}
