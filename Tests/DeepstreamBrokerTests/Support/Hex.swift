/// Hex helpers for reference frames.
enum Hex {
    /// `"0a ff"` → `[0x0a, 0xff]`.
    static func bytes(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }
}
