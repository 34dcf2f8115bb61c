/// The call log's index from ``CallKey`` to slot: open addressing with linear probing over one
/// array of 8-byte buckets, each `(32 bits of the key's hash) << 32 | (slot + 1)` (0 = empty).
///
/// A `[CallKey: Int]` dictionary stores every key (40 bytes) and value again, in a table kept at most
/// three-quarters full: about 125 bytes a call at 100,000 calls. Here the key lives only in its
/// record, and the table is at most half full of 8-byte buckets (about 16 bytes a call). Removal
/// shifts the following entries back (no tombstones), so lookups never slow down over time.
struct CallIndex: Sendable {
    private var buckets: [UInt64] = Array(repeating: 0, count: 16)
    private var count = 0

    private var mask: Int { buckets.count - 1 }

    private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: hash)) }

    /// The slot holding the key with `hash`, if any; `holdsKey` tells whether a slot's record has the key.
    func slot(hash: Int, holdsKey: (Int) -> Bool) -> Int? {
        let tag = Self.tag(hash)
        var bucket = Int(tag) & mask
        while true {
            let entry = buckets[bucket]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let slot = Int(entry & 0xFFFF_FFFF) - 1
                if holdsKey(slot) { return slot }
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Adds `slot` under a key with `hash` (the key must not be in the index).
    mutating func insert(slot: Int, hash: Int) {
        if (count + 1) * 2 > buckets.count { grow() }
        place(Self.tag(hash) << 32 | UInt64(slot + 1))
        count += 1
    }

    /// Removes the entry for `slot` (filed under `hash`), if present.
    mutating func remove(slot: Int, hash: Int) {
        let entry = Self.tag(hash) << 32 | UInt64(slot + 1)
        var bucket = Int(Self.tag(hash)) & mask
        while buckets[bucket] != entry {
            if buckets[bucket] == 0 { return }
            bucket = (bucket + 1) & mask
        }
        // Backward shift: move each following entry into the hole when its home bucket is not
        // between the hole and where it sits, so every entry stays reachable from its home.
        var hole = bucket
        var next = bucket
        while true {
            next = (next + 1) & mask
            let moving = buckets[next]
            if moving == 0 { break }
            let home = Int(moving >> 32) & mask
            if (next - home) & mask >= (next - hole) & mask {
                buckets[hole] = moving
                hole = next
            }
        }
        buckets[hole] = 0
        count -= 1
    }

    private mutating func place(_ entry: UInt64) {
        var bucket = Int(entry >> 32) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = entry
    }

    private mutating func grow() {
        let old = buckets
        buckets = Array(repeating: 0, count: old.count * 2)
        for entry in old where entry != 0 { place(entry) }
    }
}
