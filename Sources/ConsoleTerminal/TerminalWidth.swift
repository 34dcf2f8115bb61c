// Display widths in terminal columns, in the manner of wcwidth(3) but independent of the C locale
// (glibc's wcwidth answers -1 for every non-ASCII character unless a UTF-8 locale is active, and
// the screen buffer must give the same answers in tests and in the running console).

extension Unicode.Scalar {
    /// Columns this scalar occupies in a terminal: 0, 1 or 2.
    ///
    /// Combining marks, format characters and control characters are 0; East Asian wide and
    /// fullwidth characters and emoji with emoji presentation are 2; everything else is 1.
    /// Matches glibc's `wcwidth` for printable characters.
    package var terminalWidth: Int {
        let value = self.value
        if value < 0x7F { return value >= 0x20 ? 1 : 0 }
        if value < 0xA0 { return 0 }
        if value < 0x300 { return 1 }
        // Arrows, mathematical operators, box drawing and block elements: one column each, and the
        // console draws them on every frame (borders, `→` in routes), so they skip the property
        // look-ups below.
        if (0x2190..<0x2300).contains(value) || (0x2500..<0x25A0).contains(value) { return 1 }
        if Self.isZeroWidth(self) { return 0 }
        if Self.isWide(value) { return 2 }
        if properties.isEmojiPresentation && !Self.regionalIndicators.contains(value) { return 2 }
        return 1
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) {
            // Hangul medial vowels and final consonants join the preceding syllable.
            return true
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark:
            return true
        case .format:
            return !Self.prependedConcatenationMarks.contains(value)
        default:
            return false
        }
    }

    // Format characters that are visible signs spanning the following digits; glibc gives them a column.
    private static let prependedConcatenationMarks: Set<UInt32> = [
        0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2,
        0x110BD, 0x110CD,
    ]

    // Regional indicators have emoji presentation, but glibc (and so ncurses) counts each as one column.
    private static let regionalIndicators: ClosedRange<UInt32> = 0x1F1E6...0x1F1FF

    // East Asian Wide (W) and Fullwidth (F) ranges that are not emoji, sorted by lower bound.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1,
        0x17000...0x18CFF, 0x18D00...0x18D08, 0x1AFF0...0x1AFFE, 0x1B000...0x1B2FF,
        0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ value: UInt32) -> Bool {
        guard value >= 0x1100 else { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}

extension Character {
    /// Columns this grapheme occupies in a terminal: 0, 1 or 2.
    ///
    /// The widest of its scalars, so a base letter with combining marks is 1 and an emoji
    /// sequence is 2 (the console draws such a sequence as its first emoji).
    package var terminalWidth: Int {
        var widest = 0
        for scalar in unicodeScalars {
            widest = max(widest, scalar.terminalWidth)
            if widest == 2 { break }
        }
        return widest
    }
}

extension StringProtocol {
    /// Columns this text occupies in a terminal: the sum of its graphemes' widths.
    package var terminalWidth: Int {
        var total = 0
        for character in self {
            total += character.terminalWidth
        }
        return total
    }
}
