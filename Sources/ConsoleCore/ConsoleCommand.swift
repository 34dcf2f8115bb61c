/// What a key binding does. The reducer turns a key into a command through the ``Keymap``, then
/// performs the command, so the help screen and the behaviour come from the same table.
package enum ConsoleCommand: Hashable, Sendable {
    /// Quit (asks first if calls are in flight).
    case quit
    /// Quit without asking (in the confirmation).
    case quitNow
    /// Back out: close the overlay, cancel the input, clear the notice.
    case back
    /// Show or hide the help.
    case toggleHelp
    /// Focus the next pane.
    case focusNext
    /// Focus the previous pane.
    case focusPrevious
    /// Focus the composer and start editing its name field.
    case focusComposer
    /// Move to the pane on the left without starting to type (`h`, `←`).
    case paneLeft
    /// Move to the pane on the right without starting to type (`l`, `→`).
    case paneRight
    /// Start editing the composer (from the composer pane reached with `h`/`l`).
    case startEditing
    /// Stop editing the composer: keys navigate panes again.
    case stopEditing
    /// Ask to delete the selected own provider.
    case deleteProvider
    /// Show the message log (recent notices).
    case showMessages
    /// Accept a confirmation dialog (delete provider).
    case accept
    /// Repaint everything.
    case redraw
    /// Send the newest history entry again.
    case repeatLast
    /// Move the selection (or scroll) down one row.
    case moveDown
    /// Move the selection (or scroll) up one row.
    case moveUp
    /// One page down.
    case pageDown
    /// One page up.
    case pageUp
    /// To the first row.
    case first
    /// To the last row (in Calls: and follow new calls).
    case last
    /// Pause or resume the Calls view.
    case togglePause
    /// Open or close the Stats view.
    case toggleStats
    /// Open or close the Nodes view (cluster console).
    case toggleNodes
    /// Stats view: sort by the next column.
    case sortNextColumn
    /// Stats view: sort by the previous column.
    case sortPreviousColumn
    /// Stats view: reverse the sort order.
    case reverseSort
    /// Stats view: show or hide the selected RPC's per-provider rows.
    case toggleExpanded
    /// Stats view: forget every statistic.
    case resetStatistics
    /// Stats view: write the statistics to a JSON file.
    case exportStatistics
    /// Start typing a Calls filter.
    case startFilter
    /// Open the selected call's detail view.
    case openDetail
    /// Provide or unprovide the selected own provider.
    case toggleProvide
    /// Open the add-provider prompt.
    case addProvider
    /// Open the write-recording prompt (the whole log, or the calls the filter shows).
    case writeRecording
    /// Mark the selected call (or unmark it) for `diffCall`.
    case markCall
    /// Diff the selected call's response with the marked call's, or the previous call of the same name.
    case diffCall
    /// Put the selected provider's name into the composer.
    case composeForSelected
    /// Accept the input (filter, prompt) or move from the name to the body (composer).
    case confirm
    /// Complete the RPC name (falls back to the next pane when there is nothing to complete).
    case complete
    /// Send the composer's request.
    case send
    /// Recall the previous (older) history entry.
    case historyOlder
    /// Recall the next (newer) history entry.
    case historyNewer
    /// Insert a new line in the body.
    case newline
    /// Delete the character before the cursor.
    case deleteBackward
    /// Delete the character at the cursor.
    case deleteForward
    /// Cursor left.
    case cursorLeft
    /// Cursor right.
    case cursorRight
    /// Cursor up.
    case cursorUp
    /// Cursor down.
    case cursorDown
    /// Cursor to line start.
    case cursorHome
    /// Cursor to line end.
    case cursorEnd
    /// Cursor one page up.
    case cursorPageUp
    /// Cursor one page down.
    case cursorPageDown
    /// Delete to the end of the line (Ctrl-K).
    case killToEnd
    /// Delete to the start of the line (Ctrl-U).
    case killToStart
    /// Delete the word before the cursor (Ctrl-W).
    case deleteWordBackward
    /// Cursor to the previous word start (Alt-B).
    case wordLeft
    /// Cursor to the next word end (Alt-F).
    case wordRight
    /// Empty the focused composer field.
    case clearField
    /// Search the composer history (Ctrl-R).
    case historySearch
    /// Show the last result in full.
    case openResult
    /// The detail view of the next (newer) call.
    case nextCall
    /// The detail view of the previous (older) call.
    case previousCall
    /// Scroll the detail view to the request.
    case jumpToRequest
    /// Scroll the detail view to the response.
    case jumpToResponse
    /// Show the selected provider's details.
    case showProviderDetail
    /// Sort the Calls pane: time → name → latency → time.
    case cycleSort
    /// Expand or fold long payloads in the detail view.
    case toggleFolding
    /// Send the selected call (Calls pane) or the call in the detail view again from the console's own
    /// connection: same name, same data.
    case resendCall
    /// Load the selected call's name and data into the composer to edit and send.
    case editCall
    /// Open or close the Rules overlay (steering rules of the embedded broker).
    case openRules
    /// Rules overlay: enable or disable the selected rule.
    case toggleRule
    /// Rules overlay: type a new rule as JSON.
    case addRule
    /// Rules overlay: edit the selected rule's JSON.
    case editRule
    /// Rules overlay: delete the selected rule.
    case deleteRule
    /// The detail of the oldest held call.
    case openHeld
    /// Held call: release it as it is.
    case releaseHeld
    /// Held call: edit the request data, then release.
    case editHeld
    /// Held call: answer with a RESPONSE typed by hand.
    case answerHeld
    /// Held call: answer with a REQUEST_ERROR typed by hand.
    case failHeld
    /// Held call: reject it on the provider's behalf.
    case rejectHeld
    /// Held call: drop it (the broker's response timeout ends it).
    case dropHeld
    /// Copy the call in the detail view (clipboard via OSC 52 and the copy file).
    case copyCall(CallExport)
}
