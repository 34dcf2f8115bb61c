/// A named role in the console's look; a theme maps each to a style.
package enum ThemeRole: String, CaseIterable, Hashable, Sendable {
    /// Normal text.
    case text
    /// Secondary text (column headers, hints, timestamps).
    case dim
    /// Pane borders.
    case border
    /// The focused pane's border.
    case borderFocused
    /// Pane titles.
    case title
    /// The selected row.
    case selected
    /// A call or provider that is fine (responded, provided).
    case stateOK
    /// A call that failed, a refused provider.
    case stateError
    /// A call in flight, a provider waiting for its acknowledgement.
    case statePending
    /// The status line.
    case statusBar
    /// Badges on the status line (PAUSED, FOLLOW).
    case badge
    /// A notice or error message on the status line.
    case message
    /// Object keys in JSON.
    case jsonKey
    /// Strings in JSON.
    case jsonString
    /// Numbers in JSON.
    case jsonNumber
    /// `true`, `false`, `null` in JSON.
    case jsonLiteral
    /// Brackets, commas and colons in JSON.
    case jsonPunctuation
    /// Where invalid JSON breaks.
    case jsonError
    /// The help overlay's key column.
    case helpKey
    /// The text cursor in editors.
    case cursor
}
