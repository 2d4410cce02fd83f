/// A packet classifier over rules of closed ranges, one per field (for the
/// firewall five: source address, destination address, protocol, source
/// port, destination port, as 32-bit values; the flow table has eight),
/// first match wins: a HyperSplit-style decision tree. A rule whose ranges
/// only approximate it (an IPv6 prefix seen through 32 bits) is marked
/// inexact: the caller checks it in full (`match(_:verify:)`), and it never
/// shadows the rules after it.
///
/// Why this structure: prefixes and port ranges are both ranges, so a tree
/// that cuts one field at one boundary per node handles them natively, with
/// no expansion of ranges into prefixes (which multiplies a rule with two
/// port ranges up to 900 times) and no per-tuple hash probes (tuple space
/// search degrades with many distinct prefix-length pairs). Each node splits
/// the field whose median rule boundary best balances its rules; a rule that
/// spans the cut goes both ways; a node stops at `leafSize` rules, or when
/// one rule covers the node's whole region (every rule after it is shadowed
/// there and dropped, which keeps catch-all rules from replicating). A
/// lookup walks the tree (about log2 of the rule count comparisons) and
/// checks the few rules of one leaf in order.
///
/// Immutable once built: build a new one to change the rules.
public struct RuleTree: Sendable {
    /// One rule: `low[f]...high[f]` for each field `f`; `exact`: whether
    /// matching the ranges is matching the rule.
    public struct Rule: Sendable, Equatable {
        public var low: [UInt32]
        public var high: [UInt32]
        public var exact: Bool
        public init(low: [UInt32], high: [UInt32], exact: Bool = true) {
            precondition(low.count == high.count && !low.isEmpty)
            self.low = low
            self.high = high
            self.exact = exact
        }
    }

    /// Fields a rule and a key have (the firewall's five unless told).
    public let fieldCount: Int
    /// Rules a leaf may hold before the tree splits it further.
    public static let leafSize = 8

    /// Internal node: `field` < fieldCount, go to `left` when the key's field
    /// is below `value`, else `right`. Leaf: `field == leaf`, its rules are
    /// `leafRules[left ..< left + right]`.
    @usableFromInline struct Node: Sendable {
        @usableFromInline var field: UInt32
        @usableFromInline var value: UInt32
        @usableFromInline var left: Int32
        @usableFromInline var right: Int32
    }
    @usableFromInline static let leaf: UInt32 = .max

    @usableFromInline var nodes: ContiguousArray<Node> = []
    @usableFromInline var leafRules: ContiguousArray<Int32> = []
    /// low, high of each field, for each rule: `2 * fieldCount` values a rule.
    @usableFromInline var bounds: ContiguousArray<UInt32> = []
    @usableFromInline var exact: [Bool] = []
    /// The same, for each entry of `leafRules`: a leaf's rules are checked
    /// in one contiguous read.
    @usableFromInline var leafBounds: ContiguousArray<UInt32> = []
    public let ruleCount: Int

    /// Builds the tree; rule `i` has priority `i` (lower wins). Every rule
    /// has `fieldCount` fields.
    public init(_ rules: [Rule], fieldCount: Int = 5) {
        precondition(rules.allSatisfy { $0.low.count == fieldCount }, "every rule has \(fieldCount) fields")
        self.fieldCount = fieldCount
        ruleCount = rules.count
        bounds.reserveCapacity(rules.count * 2 * fieldCount)
        for r in rules { for f in 0..<fieldCount { bounds.append(r.low[f]); bounds.append(r.high[f]) } }
        exact = rules.map(\.exact)
        var region = [(UInt32, UInt32)](repeating: (0, .max), count: fieldCount)
        _ = build(Array(0..<Int32(rules.count)), &region, depth: 0)
    }

    /// Nodes in the tree (internal and leaves).
    public var nodeCount: Int { nodes.count }
    /// Rule entries over all leaves (more than `ruleCount` when rules span cuts).
    public var leafEntries: Int { leafRules.count }

    /// The first rule whose ranges hold `key` (`fieldCount` values) and
    /// that `verify` accepts, or `nil`. `verify` is asked about each rule
    /// whose ranges hold the key, in priority order, until it accepts one:
    /// it checks what the ranges do not say (an inexact rule's full
    /// addresses) and accepts an exact rule as it is.
    @inlinable
    public func match(_ key: UnsafePointer<UInt32>, verify: (Int) -> Bool) -> Int? {
        nodes.withUnsafeBufferPointer { ns -> Int? in
            guard !ns.isEmpty else { return nil }
            var n = ns[0]
            while n.field != Self.leaf { n = ns[Int(key[Int(n.field)] < n.value ? n.left : n.right)] }
            let width = 2 * fieldCount
            return leafRules.withUnsafeBufferPointer { lr -> Int? in
                leafBounds.withUnsafeBufferPointer { b -> Int? in
                    var r = Int(n.left) * width
                    candidates: for i in Int(n.left)..<Int(n.left + n.right) {
                        defer { r += width }
                        for f in 0..<fieldCount where key[f] < b[r + 2 * f] || key[f] > b[r + 2 * f + 1] { continue candidates }
                        if verify(Int(lr[i])) { return Int(lr[i]) }
                    }
                    return nil
                }
            }
        }
    }

    /// The first rule matching `key` (one value per field, five fields), or `nil`.
    @inlinable
    public func match(_ key: (UInt32, UInt32, UInt32, UInt32, UInt32)) -> Int? {
        precondition(fieldCount == 5, "a five-value key needs a five-field tree")
        return nodes.withUnsafeBufferPointer { ns -> Int? in
            guard !ns.isEmpty else { return nil }
            var n = ns[0]
            while n.field != Self.leaf {
                let v: UInt32 = switch n.field {
                case 0: key.0
                case 1: key.1
                case 2: key.2
                case 3: key.3
                default: key.4
                }
                n = ns[Int(v < n.value ? n.left : n.right)]
            }
            return leafRules.withUnsafeBufferPointer { lr -> Int? in
                leafBounds.withUnsafeBufferPointer { b -> Int? in
                    var r = Int(n.left) * 10
                    for i in Int(n.left)..<Int(n.left + n.right) {
                        if b[r] <= key.0 && key.0 <= b[r + 1] && b[r + 2] <= key.1 && key.1 <= b[r + 3]
                            && b[r + 4] <= key.2 && key.2 <= b[r + 5] && b[r + 6] <= key.3 && key.3 <= b[r + 7]
                            && b[r + 8] <= key.4 && key.4 <= b[r + 9] {
                            return Int(lr[i])
                        }
                        r += 10
                    }
                    return nil
                }
            }
        }
    }

    func low(_ r: Int32, _ f: Int) -> UInt32 { bounds[Int(r) * 2 * fieldCount + 2 * f] }
    func high(_ r: Int32, _ f: Int) -> UInt32 { bounds[Int(r) * 2 * fieldCount + 2 * f + 1] }

    /// Builds the subtree for `rules` (ascending) within `region`; returns its node index.
    mutating func build(_ candidates: [Int32], _ region: inout [(UInt32, UInt32)], depth: Int) -> Int32 {
        // An exact rule covering the whole region shadows every rule after it here.
        var rules = candidates
        if let cover = rules.firstIndex(where: { r in
            exact[Int(r)] && (0..<fieldCount).allSatisfy { low(r, $0) <= region[$0].0 && high(r, $0) >= region[$0].1 }
        }) {
            rules.removeSubrange((cover + 1)...)
        }
        let index = Int32(nodes.count)
        nodes.append(Node(field: Self.leaf, value: 0, left: 0, right: 0))
        if rules.count > Self.leafSize && depth < 64, let (field, value) = bestSplit(rules, region) {
            let left = rules.filter { low($0, field) < value }
            let right = rules.filter { high($0, field) >= value }
            if max(left.count, right.count) < rules.count {
                let saved = region[field]
                region[field] = (saved.0, value - 1)
                let l = build(left, &region, depth: depth + 1)
                region[field] = (value, saved.1)
                let r = build(right, &region, depth: depth + 1)
                region[field] = saved
                nodes[Int(index)] = Node(field: UInt32(field), value: value, left: l, right: r)
                return index
            }
        }
        nodes[Int(index)] = Node(field: Self.leaf, value: 0, left: Int32(leafRules.count), right: Int32(rules.count))
        leafRules.append(contentsOf: rules)
        for r in rules {
            let at = Int(r) * 2 * fieldCount
            leafBounds.append(contentsOf: bounds[at..<(at + 2 * fieldCount)])
        }
        return index
    }

    /// The field and cut (the median rule boundary inside the region) that
    /// leave the fewest rules on the fuller side; `nil` if no field can be cut.
    func bestSplit(_ rules: [Int32], _ region: [(UInt32, UInt32)]) -> (Int, UInt32)? {
        var best: (field: Int, value: UInt32, cost: Int, total: Int)?
        for f in 0..<fieldCount {
            var cuts: [UInt32] = []
            cuts.reserveCapacity(rules.count * 2)
            for r in rules {
                let lo = max(low(r, f), region[f].0), hi = min(high(r, f), region[f].1)
                if lo > region[f].0 { cuts.append(lo) }
                if hi < region[f].1 { cuts.append(hi + 1) }
            }
            guard !cuts.isEmpty else { continue }
            cuts.sort()
            let value = cuts[cuts.count / 2]
            var left = 0, right = 0
            for r in rules {
                if low(r, f) < value { left += 1 }
                if high(r, f) >= value { right += 1 }
            }
            let cost = max(left, right), total = left + right
            if best == nil || cost < best!.cost || (cost == best!.cost && total < best!.total) {
                best = (f, value, cost, total)
            }
        }
        return best.map { ($0.field, $0.value) }
    }
}
