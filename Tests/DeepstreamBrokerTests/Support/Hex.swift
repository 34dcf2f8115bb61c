/// Hex helpers for reference frames.
enum Hex {
    /// `"0a ff"` or `"0aff"` → `[0x0a, 0xff]`. Traps on malformed test vectors.
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        precondition(digits.count % 2 == 0, "odd number of hex digits in a test vector")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
