import DeepstreamProtocol

/// A text for a JSON value that is equal exactly when the values are equal as ``JSONDiff`` compares
/// them: members sorted by name, numbers reduced to their value (`1.50` and `1.5` alike). Used as a
/// dictionary key to find a recorded request with equal data.
package enum JSONCanonical {
    /// The canonical text of `value`.
    package static func text(of value: JSONValue) -> String {
        var text = ""
        append(value, to: &text)
        return text
    }

    private static func append(_ value: JSONValue, to text: inout String) {
        switch value {
        case .object(let object):
            text += "{"
            for (index, member) in object.members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { text += "," }
                text += JSONValue.string(member.key).jsonText + ":"
                append(member.value, to: &text)
            }
            text += "}"
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                append(element, to: &text)
            }
            text += "]"
        case .number(let number):
            let key = DecimalKey(number.text)
            text += (key.negative ? "-" : "") + (key.digits.isEmpty ? "0" : key.digits.map(String.init).joined()) + "e\(key.exponent)"
        case .null, .bool, .string:
            text += value.jsonText
        }
    }
}
