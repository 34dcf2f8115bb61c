/// A JSON value that round-trips exactly.
///
/// Numbers keep their literal text (so `12345678901234567890` and `0.1` are not rounded through
/// `Double`), objects keep their member order, and strings are full Unicode. "No payload" is expressed
/// as `JSONValue?` being `nil`, which stays distinct from ``null``.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, kept as its JSON literal.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)
}

/// A JSON number kept as its literal text (validated against the JSON grammar on creation).
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal, e.g. `-12.5e3`.
    public let text: String

    /// Creates a number from a JSON literal; `nil` if `text` is not a JSON number.
    public init?(_ text: String) {
        var parser = JSONParser(text: text)
        guard case .number(let number)? = try? parser.parseDocument() else { return nil }
        self = number
    }

    /// Creates a number from text already validated by the parser.
    init(validated text: String) { self.text = text }

    /// Creates a number from an integer.
    public init(_ value: Int) { self.text = String(value) }

    /// Creates a number from a finite double, formatted as Swift's shortest round-trip text
    /// (`1.0` is written `1`, as JavaScript's `JSON.stringify` does).
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if abs(value) < 1e15, let integral = Int64(exactly: value) {
            self.text = String(integral)
        } else {
            self.text = "\(value)"
        }
    }

    /// The value as a `Double` (may round).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The value as an `Int`, if the literal is an integer that fits.
    public var intValue: Int? { Int(text) }

    /// The literal.
    public var description: String { text }
}

/// A JSON object: ordered members with unique keys (the last duplicate wins, as in JavaScript, but
/// keeps the position of the first).
///
/// Looking a key up and adding or replacing a member take O(1) amortised time: objects with more
/// than ``indexThreshold`` members keep a key → position index next to the member list, so parsing an
/// object with n keys is O(n) (a linear scan per key made it O(n²), which let one 1 MB frame stall
/// the broker for seconds). Smaller objects, the usual case, are scanned. Removing a member is O(n).
/// The index uses Swift's per-process randomly seeded hashing, so colliding keys cannot be chosen
/// from outside.
public struct JSONObject: Hashable, Sendable, Sequence {
    /// Up to this many members, keys are found by scanning (cheaper than hashing for small objects).
    static let indexThreshold = 8

    /// The members in order.
    public private(set) var members: [(key: String, value: JSONValue)]
    /// Position of every key in ``members``; `nil` while the object has at most ``indexThreshold`` members.
    private var positions: [String: Int]?

    /// Creates an empty object.
    public init() { members = [] }

    /// Creates an object from key/value pairs in order.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// The member named `key`; assigning `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let index = position(of: key) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                    positions = nil
                    if members.count > Self.indexThreshold { buildPositions() }
                }
            } else if let newValue {
                members.append((key, newValue))
                if positions != nil {
                    positions![key] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    buildPositions()
                }
            }
        }
    }

    /// An object from members in document order that may repeat keys (the parser's output): hashes
    /// each key once into an index sized up front, instead of inserting member by member.
    init(parsedMembers: [(key: String, value: JSONValue)]) {
        guard parsedMembers.count > Self.indexThreshold else {
            members = []
            members.reserveCapacity(parsedMembers.count)
            for member in parsedMembers { self[member.key] = member.value }
            return
        }
        var positions = [String: Int](minimumCapacity: parsedMembers.count)
        var hasDuplicates = false
        for (index, member) in parsedMembers.enumerated() where positions.updateValue(index, forKey: member.key) != nil {
            hasDuplicates = true
        }
        guard hasDuplicates else {
            members = parsedMembers
            self.positions = positions
            return
        }
        // Rare: keep each key once, at its first position, with its last value.
        members = []
        for member in parsedMembers { self[member.key] = member.value }
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex(where: { $0.key == key })
    }

    private mutating func buildPositions() {
        var positions = [String: Int](minimumCapacity: members.count * 2)
        for (index, member) in members.enumerated() { positions[member.key] = index }
        self.positions = positions
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }

    /// Members compare in order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes the members in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

extension JSONValue {
    /// Parses JSON text. Throws ``JSONParseError`` with the byte offset where the text breaks.
    public init(parsing text: String) throws(JSONParseError) {
        var parser = JSONParser(text: text)
        self = try parser.parseDocument()
    }

    /// Parses JSON from UTF-8 bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        var parser = JSONParser(bytes: Array(bytes))
        self = try parser.parseDocument()
    }

    /// Parses a JSON document, keeping the top-level members named in `rawKeys` whose values are not
    /// strings as compact JSON text instead of building them (they read `null` in the value).
    static func parsing(_ bytes: [UInt8], keepingRaw rawKeys: Set<String>) throws(JSONParseError) -> (JSONValue, [String: String]) {
        var parser = JSONParser(bytes: bytes)
        parser.rawKeys = rawKeys
        let value = try parser.parseDocument()
        return (value, parser.rawTexts)
    }

    /// Compact JSON text, as JavaScript's `JSON.stringify(value)` writes it.
    public var jsonText: String { JSONWriter.text(of: self, indent: nil) }

    /// Indented JSON text for people (two spaces per level).
    public var prettyText: String { JSONWriter.text(of: self, indent: "  ") }

    /// Convenience: a number from an `Int`.
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    /// Convenience: a number from a `Double` (`null` for a non-finite value, as JavaScript does).
    public static func double(_ value: Double) -> JSONValue {
        JSONNumber(value).map(JSONValue.number) ?? .null
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        if case .number(let n) = self { return n.doubleValue }
        return nil
    }

    /// The number as an `Int`, if this is an integral number that fits.
    public var intValue: Int? {
        if case .number(let n) = self { return n.intValue }
        return nil
    }

    /// The Boolean, if this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `nil` literal → ``null``.
    public init(nilLiteral: ()) { self = .null }
    /// Boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Integer literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Float literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// String literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Dictionary literal; keys keep the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { jsonText }
}
