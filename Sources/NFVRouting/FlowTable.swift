import NFVClassify
import NFVCore
import NFVPacket

/// The flow table compiled for one version of the steering table: its rules
/// as a decision tree (`RuleTree` over `FlowKey`'s eight fields, the same
/// structure as the firewall's), each rule's action, and each input port's
/// default. Immutable: a change builds a new one. Classifying a key walks
/// the tree; `FlowCache` keeps recent flows' answers in front of it.
public final class FlowTable: Sendable {
    /// The steering-table version it was built for.
    public let version: UInt64
    @usableFromInline let tree: RuleTree
    /// Per rule, in table order: where it sends a packet, and the IPv6
    /// prefixes the tree sees only through their top 32 bits (nil: none).
    @usableFromInline let actions: [Action]
    let inexact: [(IPv6Prefix?, IPv6Prefix?)?]
    /// Per input port: its default chain, or drop.
    @usableFromInline let defaults: [Action]
    public let ruleIDs: [UInt32]

    public init(_ spec: SteeringSpec, version: UInt64) {
        self.version = version
        var rules: [RuleTree.Rule] = []
        var actions: [Action] = []
        var inexact: [(IPv6Prefix?, IPv6Prefix?)?] = []
        for r in spec.rules {
            let m = r.match
            var low = [UInt32](repeating: 0, count: FlowKey.fieldCount)
            var high = [UInt32](repeating: .max, count: FlowKey.fieldCount)
            var partial: (IPv6Prefix?, IPv6Prefix?) = (nil, nil)
            func address(_ field: Int, _ prefix: AddressPrefix?) -> IPv6Prefix? {
                switch prefix {
                case .ipv4(let p)?:
                    low[field] = p.address.value
                    high[field] = p.address.value | ~p.mask
                case .ipv6(let p)?:
                    let top = UInt32(truncatingIfNeeded: p.address.high >> 32)
                    let mask = p.length >= 32 ? UInt32.max : p.length == 0 ? 0 : ~UInt32(0) << (32 - p.length)
                    low[field] = top & mask
                    high[field] = top | ~mask
                    return p.length > 32 ? p : nil
                case nil: break
                }
                return nil
            }
            partial.0 = address(0, m.source)
            partial.1 = address(1, m.destination)
            if let p = m.proto { low[2] = UInt32(p); high[2] = UInt32(p) }
            if m.sourcePorts != 0...65535 { low[3] = UInt32(m.sourcePorts.lowerBound); high[3] = UInt32(m.sourcePorts.upperBound) }
            if m.destinationPorts != 0...65535 {
                low[4] = UInt32(m.destinationPorts.lowerBound); high[4] = UInt32(m.destinationPorts.upperBound)
            }
            if let p = m.inPort { low[5] = UInt32(p.rawValue); high[5] = UInt32(p.rawValue) }
            if let v = m.vlan { low[6] = UInt32(v); high[6] = UInt32(v) }
            if m.family != 0 { low[7] = UInt32(m.family); high[7] = UInt32(m.family) }
            let exact = partial.0 == nil && partial.1 == nil
            rules.append(RuleTree.Rule(low: low, high: high, exact: exact))
            inexact.append(exact ? nil : partial)
            actions.append(Self.action(r.target, spec))
        }
        tree = RuleTree(rules, fieldCount: FlowKey.fieldCount)
        self.actions = actions
        self.inexact = inexact
        ruleIDs = spec.rules.map(\.id)
        defaults = (0..<Limits.maxPorts).map { port in
            spec.defaultChain(of: PortID(UInt16(port))).map { .toChain($0) } ?? .drop
        }
    }

    static func action(_ target: FlowTarget, _ spec: SteeringSpec) -> Action {
        switch target {
        case .chain(let name): spec.index(ofChain: name).map { .toChain($0) } ?? .drop
        case .service(let s): .toService(s)
        case .port(let p): .toPort(p)
        case .drop: .drop
        }
    }

    public var ruleCount: Int { actions.count }
    /// The decision tree's size: nodes, and rule entries over its leaves.
    public var treeNodes: Int { tree.nodeCount }
    public var treeEntries: Int { tree.leafEntries }

    /// The index (in table order) of the first rule matching `key`, or `nil`.
    @inlinable
    public func firstMatch(_ key: FlowKey) -> Int? {
        withUnsafeBytes(of: key.fields) { raw in
            tree.match(raw.baseAddress!.assumingMemoryBound(to: UInt32.self)) { verify($0, key) }
        }
    }

    @usableFromInline
    func verify(_ rule: Int, _ key: FlowKey) -> Bool {
        guard let (src, dst) = inexact[rule] else { return true }
        return (src?.contains(key.source6) ?? true) && (dst?.contains(key.destination6) ?? true)
    }

    /// Where rule `index` (from `firstMatch`) sends its packets, or, for
    /// `nil`, the default of `port`.
    @inlinable
    public func action(rule index: Int?, port: Int) -> Action {
        if let index { return actions[index] }
        return port < defaults.count ? defaults[port] : .drop
    }
}
