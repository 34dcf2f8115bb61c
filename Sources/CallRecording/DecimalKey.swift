/// A JSON number literal reduced to sign, significant digits and exponent, so equal values compare
/// equal however they are spelled (`1.50`, `1.5`, `15e-1`; `-0` equals `0`).
struct DecimalKey: Hashable {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    init(_ text: String) {
        var negative = false
        var digits: [UInt8] = []
        var exponent = 0
        var seenPoint = false
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        var exponentText = ""
        var inExponent = false
        for byte in bytes {
            if inExponent {
                exponentText.append(Character(Unicode.Scalar(byte)))
            } else if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                inExponent = true
            } else {
                if digits.isEmpty, byte == UInt8(ascii: "0") {
                    if seenPoint { exponent -= 1 }
                    continue
                }
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { exponent -= 1 }
            }
        }
        if exponentText.hasPrefix("+") { exponentText.removeFirst() }
        exponent += Int(exponentText) ?? 0
        while digits.last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty {
            negative = false
            exponent = 0
        }
        self.negative = negative
        self.digits = digits
        self.exponent = exponent
    }
}
