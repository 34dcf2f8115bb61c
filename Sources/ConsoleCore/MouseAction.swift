/// What the mouse did (`--mouse`).
package enum MouseAction: String, Hashable, Sendable {
    /// Left button pressed.
    case click
    /// Wheel turned up.
    case wheelUp
    /// Wheel turned down.
    case wheelDown
}
