/// deepstream's state-registry checksum (`createCheckSum` / `getCheckSumTotal` in
/// `distributed-state-registry.ts`), reproduced with JavaScript's number semantics.
package enum ProviderChecksum {
    /// `h(name)`: `c = ((c << 5) - c) + charCode` per UTF-16 unit from `c = 0`. The shift works on
    /// int32 (JavaScript's `<<` truncates its operand and result), the subtraction and addition on
    /// doubles, so the result can leave the int32 range; Int64 holds it exactly.
    package static func hash(_ name: String) -> Int64 {
        var c: Int64 = 0
        for unit in name.utf16 {
            let shifted = Int64(Int32(truncatingIfNeeded: Int64(Int32(truncatingIfNeeded: c)) << 5))
            c = shifted - c + Int64(unit)
        }
        return c
    }

    /// The checksum a node announces for the set of names it holds: the unwrapped sum of ``hash(_:)``.
    package static func total(of names: some Sequence<String>) -> Int64 {
        names.reduce(0) { $0 &+ hash($1) }
    }
}
