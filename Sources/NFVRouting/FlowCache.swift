import NFVCore

/// The answers of one flow table for recent flows, so that a flow's later
/// packets cost a hash and a compare whatever the number of rules. Two-way
/// (a flow may sit in one of two lines, so two colliding flows do not evict
/// each other); each line is tagged with the table version it was computed
/// for, so a new version needs no flush: a line of an older one is a miss.
/// One per thread.
public struct FlowCache {
    struct Line {
        var key: FlowKey?
        var version: UInt64 = .max
        var rule: Int32 = -1  // -1: no rule (the port's default)
    }

    var lines: ContiguousArray<Line>
    let mask: Int
    /// Lookups answered from the cache, and from the tree.
    public private(set) var hits: UInt64 = 0
    public private(set) var misses: UInt64 = 0

    public init(lines: Int = 1 << 14) {
        var size = 1
        while size < lines { size <<= 1 }
        self.lines = ContiguousArray(repeating: Line(), count: size)
        mask = size - 1
    }

    /// Where `table` sends a packet of flow `key` that arrived on `port`.
    public mutating func action(_ key: FlowKey, port: Int, table: FlowTable) -> Action {
        let r = rule(key, table: table)
        return table.action(rule: r < 0 ? nil : Int(r), port: port)
    }

    /// The index (in `table`'s order) of the first rule matching flow
    /// `key`, or -1 for none (the port's default).
    public mutating func rule(_ key: FlowKey, table: FlowTable) -> Int32 {
        let h = key.hash32
        let first = Int(h) & mask
        let second = Int(h >> 16 | h << 16) & mask
        if let r = cached(first, key, table.version) ?? cached(second, key, table.version) {
            hits &+= 1
            return r
        }
        misses &+= 1
        let r = table.firstMatch(key).map(Int32.init) ?? -1
        let slot = lines[first].version != table.version ? first : second
        lines[slot] = Line(key: key, version: table.version, rule: r)
        return r
    }

    /// The rule line `slot` holds for `key` in `version` (-1: none), if it does.
    @inline(__always)
    func cached(_ slot: Int, _ key: FlowKey, _ version: UInt64) -> Int32? {
        lines[slot].version == version && lines[slot].key == key ? lines[slot].rule : nil
    }
}
