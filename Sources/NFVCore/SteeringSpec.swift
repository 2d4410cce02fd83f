/// Everything steering decides by, as values: the named chains (each at a
/// fixed index, which packets carry), each input port's default chain, and
/// the flow rules. The manager keeps one, changes it (configuration, NFs'
/// requests) and publishes it whole as a new version of the shared steering
/// table; every change is checked first and a refused one changes nothing.
///
/// A chain keeps its index while it exists, so a packet inside a chain that
/// is replaced goes on at its next position in the new definition. Index 0
/// is always the chain named `default`. A removed chain's index is reused
/// last (the least recently freed first), so that a packet still carrying
/// it is unlikely to meet a new chain.
public struct SteeringSpec: Sendable, Equatable {
    /// Chains by index; `nil`: free.
    public private(set) var chains: [ChainSpec?] = Array(repeating: nil, count: Limits.maxChains)
    /// The chain a port's packets follow when no rule matches (`nil`: the
    /// chain named `default`, if there is one; else they are dropped).
    public private(set) var portDefaults: [PortID: String] = [:]
    /// In table order (`FlowRule.precedes`).
    public private(set) var rules: [FlowRule] = []
    /// Freed chain indices, least recently freed first.
    private var freed: [Int] = []
    /// The next ID `addRule` gives a rule that asks for none.
    public private(set) var nextRuleID: UInt32 = 1

    public init() {}

    /// A change that cannot be made, and why.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public var problem: String
        public init(_ problem: String) { self.problem = problem }
        public var description: String { problem }
    }

    public func index(ofChain name: String) -> ChainID? {
        chains.firstIndex { $0?.name == name }.map { ChainID(UInt16($0)) }
    }

    public func chain(named name: String) -> ChainSpec? { index(ofChain: name).flatMap { chains[Int($0.rawValue)] } }

    /// The chain index a port's packets follow when no rule matches.
    public func defaultChain(of port: PortID) -> ChainID? {
        index(ofChain: portDefaults[port] ?? ChainSpec.defaultName)
    }

    /// Adds `chain`, or replaces the chain of that name (keeping its index).
    public mutating func setChain(_ chain: ChainSpec) throws(Refusal) {
        guard ManagerConfig.isValidName(chain.name) else {
            throw Refusal("chain name '\(chain.name)' must be 1 to \(Limits.maxNameLength) letters, digits, '-' or '_'")
        }
        guard chain.steps.count <= Limits.maxChainLength else {
            throw Refusal("chain '\(chain.name)' has \(chain.steps.count) steps; at most \(Limits.maxChainLength)")
        }
        if let bad = chain.steps.first(where: { !$0.isValid }) {
            throw Refusal("chain '\(chain.name)': service \(bad.rawValue) is out of range (1...\(Limits.maxServices - 1))")
        }
        if let i = index(ofChain: chain.name) { chains[Int(i.rawValue)] = chain; return }
        // Index 0 is the default chain's (what NF-made packets follow).
        let unused = chains.indices.dropFirst().first { chains[$0] == nil && !freed.contains($0) }
        let reusable = freed.first { $0 != 0 }
        guard let slot = chain.name == ChainSpec.defaultName ? 0 : unused ?? reusable else {
            throw Refusal("no room for chain '\(chain.name)': \(Limits.maxChains - 1) chains besides default already")
        }
        freed.removeAll { $0 == slot }
        chains[slot] = chain
    }

    /// Removes a chain that no rule and no port default names.
    public mutating func removeChain(named name: String) throws(Refusal) {
        guard let i = index(ofChain: name) else { throw Refusal("no chain named '\(name)'") }
        let users = rules.filter { $0.target == .chain(name) }.map(\.id)
        guard users.isEmpty else { throw Refusal("chain '\(name)' is the target of rule(s) \(users.map(String.init).joined(separator: ", "))") }
        if let port = portDefaults.first(where: { $0.value == name })?.key {
            throw Refusal("chain '\(name)' is port \(port.rawValue)'s default")
        }
        chains[Int(i.rawValue)] = nil
        freed.append(Int(i.rawValue))
    }

    /// Makes `chain` (which must exist) the default of `port`.
    public mutating func setDefault(of port: PortID, to chain: String) throws(Refusal) {
        guard Int(port.rawValue) < Limits.maxPorts else { throw Refusal("port \(port.rawValue) is out of range (0...\(Limits.maxPorts - 1))") }
        guard index(ofChain: chain) != nil else { throw Refusal("port \(port.rawValue)'s default: no chain named '\(chain)'") }
        portDefaults[port] = chain
    }

    /// Adds `rule` in its place (an ID of 0 gets the next free one) and
    /// returns its ID; a rule with an ID already in use replaces that rule.
    @discardableResult
    public mutating func addRule(_ rule: FlowRule) throws(Refusal) -> UInt32 {
        if let problem = rule.match.problem { throw Refusal("rule \(rule.id): \(problem)") }
        switch rule.target {
        case .chain(let name):
            guard index(ofChain: name) != nil else { throw Refusal("rule \(rule.id): no chain named '\(name)'") }
        case .service(let s):
            guard s.isValid else { throw Refusal("rule \(rule.id): service \(s.rawValue) is out of range (1...\(Limits.maxServices - 1))") }
        case .port(let p):
            guard Int(p.rawValue) < Limits.maxPorts else { throw Refusal("rule \(rule.id): port \(p.rawValue) is out of range") }
        case .drop: break
        }
        var r = rule
        if r.id == 0 {
            while rules.contains(where: { $0.id == nextRuleID }) || nextRuleID == 0 { nextRuleID &+= 1 }
            r.id = nextRuleID
        }
        let replacing = rules.contains { $0.id == r.id }
        guard replacing || rules.count < Limits.maxRules else { throw Refusal("the flow table is full (\(Limits.maxRules) rules)") }
        rules.removeAll { $0.id == r.id }
        let at = rules.firstIndex { r.precedes($0) } ?? rules.count
        rules.insert(r, at: at)
        if r.id >= nextRuleID { nextRuleID = r.id &+ 1 }
        return r.id
    }

    /// Removes rule `id`; returns it.
    @discardableResult
    public mutating func removeRule(id: UInt32) throws(Refusal) -> FlowRule {
        guard let i = rules.firstIndex(where: { $0.id == id }) else { throw Refusal("no rule \(id)") }
        return rules.remove(at: i)
    }

    /// Rules installed by `owner`.
    public func rules(ownedBy owner: InstanceID) -> [FlowRule] { rules.filter { $0.owner == owner } }
}
