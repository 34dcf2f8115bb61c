/// Why a providers file could not be loaded: which file, which provider, what.
package struct ProvidersFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's name or path as the caller gave it.
    package var file: String
    /// The 0-based index in `providers`, when the problem is in one provider.
    package var index: Int?
    /// That provider's name, when it has a readable one.
    package var name: String?
    /// What is wrong, e.g. `delay: the range "50..10" is empty (50 > 10)`.
    package var message: String

    /// Creates an error.
    package init(file: String, index: Int? = nil, name: String? = nil, message: String) {
        self.file = file
        self.index = index
        self.name = name
        self.message = message
    }

    /// One line: `FILE: providers[2] "flaky": rejectRate: expected a number within 0…1, got 1.5`.
    package var description: String {
        var place = ""
        if let index { place += "providers[\(index)] " }
        if let name { place += "\"\(name)\" " }
        if !place.isEmpty { place = place.dropLast() + ": " }
        // Names and members come from the file and may hold line breaks: keep the promise of one line.
        return "\(file): \(place)\(message)".escapedForOneLine(quotes: false)
    }
}
