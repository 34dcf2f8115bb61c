import DeepstreamProtocol
import RPCSteering

/// The Rules overlay (`R`, issue 13): list the embedded broker's steering rules with hit counts,
/// enable/disable, add or edit as one line of JSON, delete. Every change goes to the broker at once
/// (``ConsoleEffect/replaceRules(_:)``).
extension ConsoleState {
    /// Opens the overlay (embedded broker only).
    mutating func openRules() {
        guard configuration.canSteer || configuration.canEditRules else {
            notify("Steering rules apply to the console's embedded broker or proxy only")
            return
        }
        rules.cancelEditing()
        overlay = .rules
    }

    /// Performs a Rules-overlay command; nil when the command is not the overlay's.
    mutating func performInRules(_ command: ConsoleCommand) -> [ConsoleEffect]? {
        guard case .rules = overlay else { return nil }
        if rules.editor != nil {
            switch command {
            case .confirm:
                guard rules.commitEditing() else { return [.requestRedraw] }
                notify("Rule \(rules.selection + 1) saved: \(rules.rules.rules[rules.selection].entry.jsonText)")
                return [.replaceRules(rules.rules), .requestRedraw]
            case .back:
                rules.cancelEditing()
                return [.requestRedraw]
            default:
                return nil
            }
        }
        switch command {
        case .moveDown: rules.move(by: 1)
        case .moveUp: rules.move(by: -1)
        case .first: rules.move(by: -rules.rules.rules.count)
        case .last: rules.move(by: rules.rules.rules.count)
        case .toggleRule:
            guard rules.toggleSelected() else { return [.requestRedraw] }
            let number = rules.selection + 1
            notify("Rule \(number) \(rules.rules.rules[rules.selection].isEnabled ? "enabled" : "disabled")")
            return [.replaceRules(rules.rules), .requestRedraw]
        case .deleteRule:
            let number = rules.selection + 1
            guard rules.deleteSelected() else { return [.requestRedraw] }
            notify("Rule \(number) deleted (the rules after it moved up one number)")
            return [.replaceRules(rules.rules), .requestRedraw]
        case .addRule: rules.startEditing(selected: false)
        case .editRule: rules.startEditing(selected: !rules.rules.isEmpty)
        case .back, .openRules, .quit: overlay = nil
        default: return nil
        }
        return [.requestRedraw]
    }

    /// Types into the rule editor; false when it is not open.
    mutating func typeInRuleEditor(_ character: Character) -> Bool {
        guard case .rules = overlay, var editor = rules.editor else { return false }
        editor.insert(character)
        rules.editor = editor
        rules.error = nil
        return true
    }

    /// Applies a readline command to the rule editor; false when it is not open.
    mutating func editRuleLine(_ apply: (inout LineEditor) -> Void) -> Bool {
        guard case .rules = overlay, var editor = rules.editor else { return false }
        apply(&editor)
        rules.editor = editor
        return true
    }

    /// Counts a rule hit once per call: when a steering step of rule `number` is the first of that rule
    /// in the call's timeline (a reject rule fires at every provider it rejects).
    mutating func countRuleHit(rule number: Int, in record: CallRecord) {
        guard number > 0 else { return }
        var seen = 0
        for entry in record.timeline {
            if case .steered(let rule, _, _) = entry.step, rule == number { seen += 1 }
        }
        if seen == 1 { rules.countHit(rule: number) }
    }

    /// The overlay's lines: `▸  1  on    3 calls  {"match":…}` per rule.
    package var ruleLines: [StyledLine] {
        rules.rules.rules.enumerated().map { index, rule in
            let number = String(index + 1).leftPadded(to: 3)
            let state = rule.isEnabled ? "on " : "off"
            let hits = rules.hits.indices.contains(index) ? rules.hits[index] : 0
            let count = "\(hits) call\(hits == 1 ? "" : "s")".leftPadded(to: 9)
            return StyledLine([
                StyledSpan("\(number)  ", .dim), StyledSpan(state, rule.isEnabled ? .stateOK : .dim),
                StyledSpan("  \(count)  ", .text), StyledSpan(rule.entry.jsonText, rule.isEnabled ? .text : .dim),
            ])
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
