/// The share of the CPUs an NF's weight entitles it to while every NF
/// with a claim is busy (the kernel gives an idle NF's share to the others),
/// in percent of one CPU: what `GET /v1/nfs` reports as specified, next to
/// the share it used.
public enum CPUEntitlement {
    /// One NF's claim: its weight (100 when it has none), the CPU it is
    /// pinned to (if any) and its cap in percent of one CPU (if any).
    public struct Claim: Sendable, Equatable {
        public var weight: Int
        public var cpu: Int?
        public var cap: Int?
        public init(weight: Int, cpu: Int? = nil, cap: Int? = nil) { self.weight = weight; self.cpu = cpu; self.cap = cap }
    }

    /// Each claim's entitlement: a pinned NF's weight over the weights
    /// pinned to the same CPU, of that CPU; an unpinned one's weight over
    /// all the unpinned weights, of the CPUs no claim is pinned to (or of
    /// all of them when every CPU has pinned claims: the kernel places
    /// unpinned NFs where it likes). At most 100 (one thread) and its cap.
    public static func percent(_ claims: [Claim], cpus: Int) -> [Double] {
        var pinned: [Int: Int] = [:]
        var free = 0
        for c in claims {
            if let cpu = c.cpu { pinned[cpu, default: 0] += c.weight } else { free += c.weight }
        }
        let spare = max(0, cpus - pinned.keys.filter { $0 < cpus }.count)
        let freeCPUs = Double(spare > 0 ? spare : cpus)
        return claims.map { c in
            let share = c.cpu.map { Double(c.weight) / Double(max(1, pinned[$0] ?? 0)) * 100 }
                ?? Double(c.weight) / Double(max(1, free)) * freeCPUs * 100
            return min(share, 100, c.cap.map(Double.init) ?? 100)
        }
    }
}
