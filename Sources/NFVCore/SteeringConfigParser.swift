import NFVPacket
import Yams

/// Reads the steering keys of a manager configuration (`chains`,
/// `port_chains`, `rules`, `permissions`); every error names the line.
///
/// ```yaml
/// chains:
///   web: [1, 2]                           # a name and its services
///   scrub: {steps: [3, 1, 2], exit: other}
/// port_chains: {1: scrub}                 # port 1's default (others: default)
/// rules:                                  # first match wins (priority, then order)
///   - {src: 10.0.0.0/8, proto: tcp, dst_port: 80, to: "chain:scrub"}
///   - {priority: -1, src: "2001:db8::/32", to: drop}
///   - {in_port: 0, vlan: 7, src_port: 1000-2000, to: "service:4"}
/// permissions: {5: {install_rules: true, change_chains: false, rules_per_second: 1000, max_rules: 100}}
/// ```
public enum SteeringConfigParser {
    typealias Fail = (Node, String) -> ConfigError

    static func chains(_ value: Node, _ fail: Fail) throws(ConfigError) -> [(ChainSpec, Int?)] {
        guard case .mapping(let m) = value else { throw fail(value, "'chains' must map chain names to service lists, such as {web: [1, 2]}") }
        var out: [(ChainSpec, Int?)] = []
        for (k, v) in m {
            guard let name = k.string, ManagerConfig.isValidName(name) else {
                throw fail(k, "chain name '\(k.string ?? "?")' must be 1 to \(Limits.maxNameLength) letters, digits, '-' or '_'")
            }
            var spec = ChainSpec(name: name, steps: [])
            var stepsNode = v
            if case .mapping(let fields) = v {
                guard let s = fields["steps"] else { throw fail(v, "chain '\(name)': a mapping needs 'steps', such as {steps: [1, 2], exit: other}") }
                stepsNode = s
                for (fk, fv) in fields {
                    switch fk.string {
                    case "steps": break
                    case "exit":
                        do { spec.exit = try ChainExit(parsing: fv.string ?? "") } catch { throw fail(fv, "chain '\(name)': \(error.problem)") }
                    default: throw fail(fk, "chain '\(name)': unknown key '\(fk.string ?? "?")'; known: steps, exit")
                    }
                }
            }
            guard case .sequence(let seq) = stepsNode else { throw fail(stepsNode, "chain '\(name)' must be a list of service IDs, such as [1, 2]") }
            for item in seq {
                guard let n = item.int, (1..<Limits.maxServices).contains(n) else {
                    throw fail(item, "chain '\(name)': '\(item.string ?? "?")' is not a service ID (1...\(Limits.maxServices - 1))")
                }
                spec.steps.append(ServiceID(UInt16(n)))
            }
            guard spec.steps.count <= Limits.maxChainLength else {
                throw fail(stepsNode, "chain '\(name)' has \(spec.steps.count) steps; at most \(Limits.maxChainLength)")
            }
            out.append((spec, k.mark?.line))
        }
        return out
    }

    static func portChains(_ value: Node, _ fail: Fail) throws(ConfigError) -> [(PortID, String, Int?)] {
        guard case .mapping(let m) = value else { throw fail(value, "'port_chains' must map port numbers to chain names, such as {1: scrub}") }
        return try m.map { (k, v) throws(ConfigError) in
            guard let n = k.int, (0..<Limits.maxPorts).contains(n) else {
                throw fail(k, "port_chains: '\(k.string ?? "?")' is not a port (0...\(Limits.maxPorts - 1))")
            }
            guard let name = v.string else { throw fail(v, "port_chains: port \(n) must name a chain") }
            return (PortID(UInt16(n)), name, k.mark?.line)
        }
    }

    static func rules(_ value: Node, _ fail: Fail) throws(ConfigError) -> [(FlowRule, Int?)] {
        guard case .sequence(let seq) = value else { throw fail(value, "'rules' must be a list of rules, such as - {dst_port: 80, to: \"chain:web\"}") }
        return try seq.map { (item) throws(ConfigError) in (try rule(item, fail), item.mark?.line) }
    }

    static func rule(_ node: Node, _ fail: Fail) throws(ConfigError) -> FlowRule {
        guard case .mapping(let m) = node else { throw fail(node, "a rule must be a mapping, such as {dst_port: 80, to: drop}") }
        var r = FlowRule(id: 0, target: .drop)
        var target: FlowTarget?
        for (k, v) in m {
            let key = k.string ?? "?"
            func text() throws(ConfigError) -> String {
                guard case .scalar = v, let s = v.string, !s.isEmpty else { throw fail(v, "rule: '\(key)' must be a value") }
                return s
            }
            func number(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
                guard let n = v.int, range.contains(n) else { throw fail(v, "rule: '\(key)' must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(v.string ?? "?")'") }
                return n
            }
            switch key {
            case "id": r.id = UInt32(try number(1...Int(UInt32.max)))
            case "priority": r.priority = Int32(try number(Int(Int32.min)...Int(Int32.max)))
            case "in_port": r.match.inPort = PortID(UInt16(try number(0...(Limits.maxPorts - 1))))
            case "vlan": r.match.vlan = UInt16(try number(0...4095))
            case "proto":
                let s = try text()
                guard let p = Self.proto(s) else { throw fail(v, "rule: proto '\(s)' is not tcp, udp, icmp, icmpv6 or a number 0...255") }
                r.match.proto = p
            case "src", "dst":
                let s = try text()
                guard let p = AddressPrefix(s) else { throw fail(v, "rule: \(key) '\(s)' is not an IPv4 or IPv6 address or prefix") }
                if key == "src" { r.match.source = p } else { r.match.destination = p }
            case "src_port", "dst_port":
                let s = try text()
                guard let range = Self.portRange(s) else { throw fail(v, "rule: \(key) '\(s)' is not a port or a range such as 1000-2000") }
                if key == "src_port" { r.match.sourcePorts = range } else { r.match.destinationPorts = range }
            case "to":
                let s = try text()
                guard let t = Self.target(s) else { throw fail(v, "rule: to '\(s)' is not chain:NAME, service:N, port:N or drop") }
                target = t
            default:
                throw fail(k, "rule: unknown key '\(key)'; known: id, priority, in_port, vlan, proto, src, dst, src_port, dst_port, to")
            }
        }
        guard let target else { throw fail(node, "rule: 'to' is missing (chain:NAME, service:N, port:N or drop)") }
        r.target = target
        if let problem = r.match.problem { throw fail(node, "rule: \(problem)") }
        return r
    }

    static func permissions(_ value: Node, _ fail: Fail) throws(ConfigError) -> [ServiceID: NFPermissions] {
        guard case .mapping(let m) = value else { throw fail(value, "'permissions' must map service IDs to permissions, such as {5: {install_rules: true}}") }
        var out: [ServiceID: NFPermissions] = [:]
        for (k, v) in m {
            guard let n = k.int, (1..<Limits.maxServices).contains(n) else {
                throw fail(k, "permissions: '\(k.string ?? "?")' is not a service ID (1...\(Limits.maxServices - 1))")
            }
            guard case .mapping(let fields) = v else { throw fail(v, "permissions: service \(n) must map to {install_rules: true, ...}") }
            var p = NFPermissions()
            for (fk, fv) in fields {
                switch fk.string {
                case "install_rules":
                    guard let b = fv.bool else { throw fail(fv, "permissions: install_rules must be true or false") }
                    p.installRules = b
                case "change_chains":
                    guard let b = fv.bool else { throw fail(fv, "permissions: change_chains must be true or false") }
                    p.changeChains = b
                case "rules_per_second":
                    guard let r = fv.int, (1...1_000_000).contains(r) else { throw fail(fv, "permissions: rules_per_second must be 1...1000000") }
                    p.rulesPerSecond = r
                case "max_rules":
                    guard let r = fv.int, (0...Limits.maxRules).contains(r) else { throw fail(fv, "permissions: max_rules must be 0...\(Limits.maxRules)") }
                    p.maxRules = r
                default:
                    throw fail(fk, "permissions: unknown key '\(fk.string ?? "?")'; known: install_rules, change_chains, rules_per_second, max_rules")
                }
            }
            out[ServiceID(UInt16(n))] = p
        }
        return out
    }

    static func proto(_ s: String) -> UInt8? {
        switch s.lowercased() {
        case "tcp": 6
        case "udp": 17
        case "icmp": 1
        case "icmpv6": 58
        default: UInt8(s)
        }
    }

    static func portRange(_ s: String) -> ClosedRange<UInt16>? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let lo = UInt16(parts[0]) else { return nil }
        guard parts.count == 2 else { return lo...lo }
        guard let hi = UInt16(parts[1]), lo <= hi else { return nil }
        return lo...hi
    }

    /// `chain:NAME`, `service:N`, `port:N` or `drop`.
    public static func target(_ s: String) -> FlowTarget? {
        if s == "drop" { return .drop }
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "chain": return ManagerConfig.isValidName(parts[1]) ? .chain(parts[1]) : nil
        case "service":
            guard let n = UInt16(parts[1]), ServiceID(n).isValid else { return nil }
            return .service(ServiceID(n))
        case "port":
            guard let n = UInt16(parts[1]), Int(n) < Limits.maxPorts else { return nil }
            return .port(PortID(n))
        default: return nil
        }
    }
}
