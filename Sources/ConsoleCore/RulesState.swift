import RPCSteering

/// The Rules overlay's model (issue 13): the embedded broker's steering rules in order, how many calls
/// each touched, the selection, and the one-line editor for adding or editing a rule as JSON.
package struct RulesState: Hashable, Sendable {
    /// The rules in force, in order (rule 1 first).
    package private(set) var rules = SteeringRules()
    /// Calls each rule touched since it was loaded or last edited, by index.
    package private(set) var hits: [Int] = []
    /// The selected rule (index into ``rules``).
    package internal(set) var selection = 0
    /// The rule being typed, if any.
    package internal(set) var editor: LineEditor?
    /// The index of the rule being edited; nil while typing a new rule.
    package internal(set) var editingIndex: Int?
    /// Why the typed rule was refused (one line), shown under the editor.
    package internal(set) var error: String?

    /// Creates an empty rule list.
    package init() {}

    /// Replaces the rules (at start) and resets the hit counts.
    mutating func load(_ rules: SteeringRules) {
        self.rules = rules
        hits = Array(repeating: 0, count: rules.rules.count)
        selection = 0
    }

    /// Counts one call touched by rule `number` (1-based, as timelines number rules).
    mutating func countHit(rule number: Int) {
        guard number >= 1, number <= hits.count else { return }
        hits[number - 1] += 1
    }

    /// Moves the selection by `delta`, within the list.
    mutating func move(by delta: Int) {
        selection = max(0, min(rules.rules.count - 1, selection + delta))
    }

    /// Enables or disables the selected rule; false when there is none.
    mutating func toggleSelected() -> Bool {
        guard rules.rules.indices.contains(selection) else { return false }
        rules.rules[selection].isEnabled.toggle()
        return true
    }

    /// Deletes the selected rule (later rules move up one number); false when there is none.
    mutating func deleteSelected() -> Bool {
        guard rules.rules.indices.contains(selection) else { return false }
        rules.rules.remove(at: selection)
        hits.remove(at: selection)
        selection = max(0, min(selection, rules.rules.count - 1))
        return true
    }

    /// Opens the editor: empty for a new rule, or with the selected rule's JSON.
    mutating func startEditing(selected: Bool) {
        error = nil
        if selected, rules.rules.indices.contains(selection) {
            editingIndex = selection
            editor = LineEditor(rules.rules[selection].entry.jsonText)
        } else {
            editingIndex = nil
            editor = LineEditor()
        }
    }

    /// Closes the editor without changes.
    mutating func cancelEditing() {
        editor = nil
        editingIndex = nil
        error = nil
    }

    /// Parses the typed rule: on success it replaces the edited rule (its hits restart at 0) or is
    /// appended, and the editor closes; on failure the editor stays open with ``error``.
    mutating func commitEditing() -> Bool {
        guard let text = editor?.text else { return false }
        let rule: SteeringRule
        do { rule = try SteeringRule(parsingEntry: text) } catch {
            self.error = String(error.message.map { $0.isNewline ? " " : $0 })
            return false
        }
        if let index = editingIndex, rules.rules.indices.contains(index) {
            rules.rules[index] = rule
            hits[index] = 0
            selection = index
        } else {
            rules.rules.append(rule)
            hits.append(0)
            selection = rules.rules.count - 1
        }
        cancelEditing()
        return true
    }
}
