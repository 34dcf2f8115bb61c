import DeepstreamProtocol

/// Text formatting shared by the reducer's content builders and the views.
package enum DisplayFormat {
    /// The UTC time of day with milliseconds: `14:03:07.125`.
    package static func timeOfDay(_ time: Timestamp) -> String {
        let milliseconds = time.nanoseconds / 1_000_000
        let ms = milliseconds % 1000
        let seconds = milliseconds / 1000
        return "\(pad(seconds / 3600 % 24, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(ms, 3))"
    }

    /// A latency for a column: `850µs`, `12.3ms`, `1.25s`, `73s`; `-` for none.
    package static func latency(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if micros < 1000 { return "\(micros)µs" }
        if micros < 10_000 { return "\(micros / 1000).\(pad(UInt64(micros % 1000 / 10), 2))ms" }
        if micros < 1_000_000 { return "\(micros / 1000).\(micros % 1000 / 100)ms" }
        if micros < 10_000_000 { return "\(micros / 1_000_000).\(pad(UInt64(micros % 1_000_000 / 10_000), 2))s" }
        return "\(micros / 1_000_000)s"
    }

    /// A byte count: `-`, `512B`, `1.5K`, `12K`, `3.4M`.
    package static func bytes(_ count: Int?) -> String {
        guard let count else { return "-" }
        if count < 1024 { return "\(count)B" }
        if count < 10 * 1024 { return "\(count / 1024).\(count % 1024 * 10 / 1024)K" }
        if count < 1024 * 1024 { return "\(count / 1024)K" }
        return "\(count / (1024 * 1024)).\(count % (1024 * 1024) * 10 / (1024 * 1024))M"
    }

    /// A memory budget: `64 MiB`, `512 KiB`, `0 B`.
    package static func budget(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }

    /// The Calls footer's note once the payload budget released something:
    /// `payloads of 1234 old calls dropped (memory budget 64 MiB)`; nil before.
    package static func releasedPayloads(_ log: CallLog) -> String? {
        guard log.releasedPayloadCalls > 0 else { return nil }
        return "payloads of \(count(log.releasedPayloadCalls, "old call")) dropped (memory budget \(budget(log.payloadBudget)))"
    }

    /// A rate with one decimal: `0.0`, `12.5`, `1234`.
    package static func rate(_ value: Double) -> String {
        if value >= 1000 { return String(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `text` cut or padded to exactly `width` characters (cut text ends in `…`).
    package static func fit(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        guard width > 0 else { return "" }
        let count = text.count
        if count > width { return String(text.prefix(width - 1)) + "…" }
        let padding = String(repeating: " ", count: width - count)
        return alignRight ? padding + text : text + padding
    }

    /// `1 call`, `2 calls`, `0 errors`: a count with its noun in the right number.
    package static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }

    /// `text` broken into lines of at most `width` characters, at spaces where possible.
    package static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    private static func pad(_ value: UInt64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func pad(_ value: Int64, _ width: Int) -> String { pad(UInt64(max(0, value)), width) }
}
