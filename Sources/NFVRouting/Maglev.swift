import NFVCore

/// Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table
/// of a prime size in which each backend owns about the same number of
/// entries, filled so that when a backend joins or leaves only about 1/n of
/// the entries change owner (`hash % n` would move almost all of them).
///
/// Each backend's preference order over the entries depends only on its own
/// ID, so the table a set of backends gets does not depend on the order they
/// are listed in.
public enum Maglev {
    /// Entries in a table: a prime well above 16 instances x 100.
    public static let tableSize = Limits.lookupTableSize

    /// The table for `backends` (IDs, none 0): `table[h % tableSize]` is the
    /// backend of a flow of hash `h`. All zero when there is no backend.
    public static func table(for backends: [UInt16], size: Int = tableSize) -> [UInt16] {
        var table = [UInt16](repeating: 0, count: size)
        let ids = Array(Set(backends)).sorted()
        guard !ids.isEmpty else { return table }
        let m = UInt64(size)
        let offsets = ids.map { mix(UInt64($0) &* 0x9E37_79B9_7F4A_7C15) % m }
        let skips = ids.map { mix(UInt64($0) &* 0xC2B2_AE3D_27D4_EB4F ^ 0x5555) % (m - 1) + 1 }
        var next = [UInt64](repeating: 0, count: ids.count)
        var filled = 0
        while true {
            for i in ids.indices {
                var c = (offsets[i] &+ next[i] &* skips[i]) % m
                while table[Int(c)] != 0 {
                    next[i] += 1
                    c = (offsets[i] &+ next[i] &* skips[i]) % m
                }
                table[Int(c)] = ids[i]
                next[i] += 1
                filled += 1
                if filled == size { return table }
            }
        }
    }

    /// A 64-bit finalizer (SplitMix64's), so nearby IDs get unrelated orders.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
