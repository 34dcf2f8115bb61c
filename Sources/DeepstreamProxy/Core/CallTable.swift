/// Identifies a call the proxy follows: its RPC name (interned: an index into the observer's
/// ``NameTable``) and the correlation id's bytes, packed into fixed-width integers (pure).
///
/// Built from the bytes of a message without making a `String`; ids longer than 32 bytes keep a copy
/// of their bytes. Equality compares every byte, so two ids that hash alike are still told apart.
package struct CallKey: Hashable, Sendable {
    /// The interned name.
    package var name: UInt32
    /// Bytes in the correlation id.
    package var length: UInt32
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    private var w3: UInt64 = 0
    /// The whole id when it is longer than the 32 bytes packed inline.
    private var overflow: [UInt8]?

    /// Bytes kept inline.
    static let inlineBytes = 32

    /// Creates the key of name `name` and correlation id `correlationId` (UTF-8 bytes).
    package init(name: UInt32, correlationId: UnsafeRawBufferPointer) {
        self.name = name
        length = UInt32(truncatingIfNeeded: correlationId.count)
        guard correlationId.count <= Self.inlineBytes else {
            overflow = Array(correlationId)
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in
            if let base = correlationId.baseAddress, !correlationId.isEmpty {
                target.baseAddress!.copyMemory(from: base, byteCount: correlationId.count)
            }
        }
        (w0, w1, w2, w3) = words
    }

    /// Creates the key of name `name` and correlation id `correlationId`.
    package init(name: UInt32, correlationId: String) {
        var id = correlationId
        self = id.withUTF8 { CallKey(name: name, correlationId: UnsafeRawBufferPointer($0)) }
    }

    /// The correlation id as text (made only when an event names the call).
    package var correlationId: String {
        if let overflow { return String(decoding: overflow, as: UTF8.self) }
        var words = (w0, w1, w2, w3)
        let count = Int(length)
        return withUnsafeBytes(of: &words) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    /// A 64-bit mix of the key (multiply–xorshift over the packed words): a handful of instructions
    /// instead of SipHash over a `String`. `seed` is the table's, so ids chosen to collide in one
    /// process do not collide in another.
    func mixed(seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(name) << 32 | UInt64(length))
        @inline(__always) func mix(_ word: UInt64) {
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
        }
        if let overflow {
            overflow.withUnsafeBytes { bytes in
                var index = 0
                while index < bytes.count {
                    var word: UInt64 = 0
                    let take = min(8, bytes.count - index)
                    withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)])) }
                    mix(word)
                    index += take
                }
            }
        } else {
            mix(w0)
            if length > 8 { mix(w1) }
            if length > 16 { mix(w2) }
            if length > 24 { mix(w3) }
        }
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 31)
    }
}

/// The observer's calls: an open-addressing hash table from ``CallKey`` to a value, with entries
/// kept dense (pure; no Foundation, no `Hasher`).
///
/// `Dictionary` hashes every key with a freshly seeded SipHash; the observer looks a call up two to
/// four times per message, which made hashing a tenth of the proxy's CPU. Here a look-up is one
/// multiply–xorshift mix and a probe of an `Int32` array; keys are compared in full on every probe
/// hit. Removal moves the last entry into the hole, so iterating (eviction) walks a dense array.
package struct CallTable<Value>: Sendable where Value: Sendable {
    /// Keys, in entry order.
    package private(set) var keys: [CallKey] = []
    /// Values, in entry order (mutate through ``subscript(entry:)``).
    package private(set) var values: [Value] = []
    private var hashes: [UInt64] = []
    /// Entry index + 1 per slot; 0 is an empty slot. The count is a power of two, at most half full.
    private var slots: [Int32]
    private var mask: Int
    private let seed: UInt64

    /// Creates an empty table; `seed` randomises the hash (tests pass a fixed one).
    package init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.seed = seed
        slots = [Int32](repeating: 0, count: 16)
        mask = 15
    }

    /// Entries in the table.
    package var count: Int { keys.count }

    /// The entry index of `key`, if it is in the table.
    package func entry(of key: CallKey) -> Int? {
        let hash = key.mixed(seed: seed)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            if hashes[stored - 1] == hash && keys[stored - 1] == key { return stored - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The value of `key`, if it is in the table.
    package subscript(key: CallKey) -> Value? {
        entry(of: key).map { values[$0] }
    }

    /// The value at an entry index from ``entry(of:)`` (valid until the next insert or removal).
    package subscript(entry index: Int) -> Value {
        get { values[index] }
        set { values[index] = newValue }
    }

    /// Adds `key` (which must not be in the table yet) with `value`; returns its entry index.
    @discardableResult
    package mutating func insert(_ key: CallKey, _ value: Value) -> Int {
        if (keys.count + 1) * 2 > slots.count { grow() }
        let hash = key.mixed(seed: seed)
        keys.append(key)
        values.append(value)
        hashes.append(hash)
        place(entry: keys.count - 1, hash: hash)
        return keys.count - 1
    }

    /// Sets the value of `key`, adding it when it is not there.
    package mutating func set(_ key: CallKey, _ value: Value) {
        if let index = entry(of: key) {
            values[index] = value
        } else {
            insert(key, value)
        }
    }

    /// Removes `key`, returning its value.
    @discardableResult
    package mutating func remove(_ key: CallKey) -> Value? {
        guard let index = entry(of: key) else { return nil }
        return remove(entry: index).value
    }

    /// Removes the entry at `index` (from ``entry(of:)``); the last entry moves into its place.
    @discardableResult
    package mutating func remove(entry index: Int) -> (key: CallKey, value: Value) {
        unplace(entry: index)
        let last = keys.count - 1
        if index != last {
            // The last entry takes the hole: its slot now points at `index`.
            let lastSlot = slot(ofEntry: last)
            slots[lastSlot] = Int32(index + 1)
            keys.swapAt(index, last)
            values.swapAt(index, last)
            hashes.swapAt(index, last)
        }
        hashes.removeLast()
        return (keys.removeLast(), values.removeLast())
    }

    /// Empties the table.
    package mutating func removeAll() {
        keys.removeAll()
        values.removeAll()
        hashes.removeAll()
        slots = [Int32](repeating: 0, count: 16)
        mask = 15
    }

    private func slot(ofEntry index: Int) -> Int {
        var slot = Int(truncatingIfNeeded: hashes[index]) & mask
        while Int(slots[slot]) != index + 1 { slot = (slot + 1) & mask }
        return slot
    }

    private mutating func place(entry index: Int, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index + 1)
    }

    /// Empties the entry's slot and shifts later slots of its probe run back (no tombstones).
    private mutating func unplace(entry index: Int) {
        var hole = slot(ofEntry: index)
        slots[hole] = 0
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(slots[next]) - 1]) & mask
            // Move the slot back when its home is not in (hole, next] (cyclically).
            let distanceToNext = (next - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for index in hashes.indices { place(entry: index, hash: hashes[index]) }
    }
}
