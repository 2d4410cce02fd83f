import Yams

/// Reads the `nfs:` key of a manager configuration (the NFs the manager
/// starts and supervises) and the `api:` key; every error names the line.
///
/// ```yaml
/// nfs:
///   - {kind: firewall, service: 1, args: [--rules, config/firewall.rules], restart: always}
///   - kind: monitor          # a built-in NF (nfv nf KIND), or program (with program: /path)
///     service: 2
///     instances: 2           # copies of it (default 1)
///     cpu: 1                 # pin to a CPU (default: with a cpu_weight, the CPU
///                            #   the weights balance best on; else the scheduler)
///     cpu_weight: 200        # its CPU share against other supervised NFs (default 100)
///     cpu_cap: 50            # at most this percent of one CPU (default: no cap)
///     restart: on-failure    # always, on-failure (default) or never
///     args: [--to, next]     # its own options
///   - group: edge            # an NF group: one process, one thread, no context
///     cpu: 1                 #   switch between its members; cpu, cpu_weight,
///     restart: always        #   cpu_cap and restart are the group's
///     members:               # built-in NFs: kind, service, args
///       - {kind: forward, service: 3, args: [--to, next]}
///       - {kind: monitor, service: 4, args: [--to, next]}
/// api: {listen: 127.0.0.1:8080, token_file: /etc/swiftnfv/token}   # the API on TCP too (bearer token)
/// ```
public enum NFsConfigParser {
    typealias Fail = (Node, String) -> ConfigError

    static func nfs(_ value: Node, _ fail: Fail) throws(ConfigError) -> [ManagerConfig.Deployment] {
        guard case .sequence(let seq) = value else {
            throw fail(value, "'nfs' must be a list of NFs, such as - {kind: forward, service: 1, args: [--to, next]}")
        }
        return try seq.map { (item) throws(ConfigError) in try deployment(item, fail) }
    }

    static func deployment(_ node: Node, _ fail: Fail) throws(ConfigError) -> ManagerConfig.Deployment {
        guard case .mapping(let m) = node else { throw fail(node, "an NF must be a mapping, such as {kind: forward, service: 1}") }
        if m.keys.contains(where: { $0.string == "group" }) { return try group(node, m, fail) }
        return try nf(node, m, inGroup: false, fail)
    }

    /// An NF entry (`inGroup`: a group's member, which takes kind, service and args only).
    static func nf(_ node: Node, _ m: Node.Mapping, inGroup: Bool, _ fail: Fail) throws(ConfigError) -> ManagerConfig.Deployment {
        var kind: String?, program: String?, service: Int?, instances = 1, cpu: Int?, restart = RestartPolicy.onFailure
        var weight: Int?, cap: Int?
        var args: [String] = []
        for (k, v) in m {
            let key = k.string ?? "?"
            if inGroup && !["kind", "service", "args"].contains(key) {
                throw fail(k, ["cpu", "cpu_weight", "cpu_cap", "restart"].contains(key)
                    ? "nfs: a group member's '\(key)' is the group's: give it to the group"
                    : "nfs: unknown key '\(key)' for a group member; known: kind, service, args")
            }
            func text() throws(ConfigError) -> String {
                guard case .scalar = v, let s = v.string, !s.isEmpty else { throw fail(v, "nfs: '\(key)' must be a value") }
                return s
            }
            func number(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
                guard case .scalar = v, let n = v.int, range.contains(n) else {
                    throw fail(v, "nfs: '\(key)' must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(v.string ?? "?")'")
                }
                return n
            }
            switch key {
            case "kind": kind = try text()
            case "program": program = try text()
            case "service": service = try number(1...(Limits.maxServices - 1))
            case "instances": instances = try number(1...Limits.maxInstancesPerService)
            case "cpu": cpu = try number(0...4095)
            case "cpu_weight": weight = try number(1...10_000)
            case "cpu_cap": cap = try number(1...(100 * 1024))
            case "restart":
                let s = try text()
                guard let p = RestartPolicy(rawValue: s) else { throw fail(v, "nfs: restart '\(s)' is not always, on-failure or never") }
                restart = p
            case "args":
                guard case .sequence(let items) = v else { throw fail(v, "nfs: 'args' must be a list, such as [--to, \"service:2\"]") }
                for item in items {
                    guard case .scalar = item, let s = item.string else { throw fail(item, "nfs: each of 'args' must be a value") }
                    args.append(s)
                }
            default:
                throw fail(k, "nfs: unknown key '\(key)'; known: kind, program, service, instances, cpu, cpu_weight, cpu_cap, restart, args")
            }
        }
        guard let kind else { throw fail(node, "nfs: 'kind' is missing (\(NFLaunchSpec.builtInKinds.joined(separator: ", ")) or program)") }
        guard let service else { throw fail(node, "nfs: 'service' is missing (1...\(Limits.maxServices - 1))") }
        if inGroup && kind == "program" { throw fail(node, "nfs: a group runs built-in NFs only; run a program as an NF of its own") }
        let spec = NFLaunchSpec(kind: kind, program: program, service: service, args: args, cpu: cpu, restart: restart,
                                cpuWeight: weight, cpuCap: cap)
        if let problem = spec.problem { throw fail(node, "nfs: \(problem)") }
        return .nf(spec, instances: instances)
    }

    /// A group entry: `group` (its name), `members` and the group's `cpu`,
    /// `cpu_weight`, `cpu_cap` and `restart`.
    static func group(_ node: Node, _ m: Node.Mapping, _ fail: Fail) throws(ConfigError) -> ManagerConfig.Deployment {
        var g = NFGroupSpec(name: "", members: [])
        var sawMembers = false
        for (k, v) in m {
            let key = k.string ?? "?"
            func number(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
                guard case .scalar = v, let n = v.int, range.contains(n) else {
                    throw fail(v, "nfs: group '\(key)' must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(v.string ?? "?")'")
                }
                return n
            }
            switch key {
            case "group":
                guard case .scalar = v, let s = v.string, !s.isEmpty else { throw fail(v, "nfs: 'group' must be a name, such as edge") }
                g.name = s
            case "members":
                guard case .sequence(let items) = v, !items.isEmpty else {
                    throw fail(v, "nfs: a group's 'members' must be a list of NFs, such as - {kind: forward, service: 1, args: [--to, next]}")
                }
                sawMembers = true
                for item in items {
                    guard case .mapping(let mm) = item else { throw fail(item, "a group member must be a mapping, such as {kind: forward, service: 1}") }
                    guard case .nf(let spec, _) = try nf(item, mm, inGroup: true, fail) else { continue }
                    g.members.append(spec)
                }
            case "cpu": g.cpu = try number(0...4095)
            case "cpu_weight": g.cpuWeight = try number(1...10_000)
            case "cpu_cap": g.cpuCap = try number(1...(100 * 1024))
            case "restart":
                guard case .scalar = v, let s = v.string, let p = RestartPolicy(rawValue: s) else {
                    throw fail(v, "nfs: restart '\(v.string ?? "?")' is not always, on-failure or never")
                }
                g.restart = p
            default:
                throw fail(k, "nfs: unknown key '\(key)' for a group; known: group, members, cpu, cpu_weight, cpu_cap, restart")
            }
        }
        guard sawMembers else { throw fail(node, "nfs: group '\(g.name)' has no 'members'") }
        if let problem = g.problem { throw fail(node, "nfs: \(problem)") }
        return .group(g)
    }

    static func api(_ value: Node, _ fail: Fail) throws(ConfigError) -> (listen: String?, tokenFile: String?) {
        guard case .mapping(let m) = value else { throw fail(value, "'api' must be a mapping, such as {listen: 127.0.0.1:8080, token_file: /etc/swiftnfv/token}") }
        var listen: String?, token: String?
        for (k, v) in m {
            guard case .scalar = v, let s = v.string, !s.isEmpty else { throw fail(v, "api: '\(k.string ?? "?")' must be a value") }
            switch k.string {
            case "listen":
                guard APIAddress.loopback(s) != nil else { throw fail(v, "api: listen '\(s)' must be a loopback address and port, such as 127.0.0.1:8080") }
                listen = s
            case "token_file": token = s
            default: throw fail(k, "api: unknown key '\(k.string ?? "?")'; known: listen, token_file")
            }
        }
        if listen != nil && token == nil { throw fail(value, "api: listen needs token_file (the bearer token TCP clients must send)") }
        return (listen, token)
    }
}

/// Parses the API's TCP address.
public enum APIAddress {
    /// `127.0.0.1:PORT` (or `localhost:PORT`, `[::1]:PORT`) as host and port; `nil` for any other address.
    public static func loopback(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        switch host {
        case "127.0.0.1", "localhost": return ("127.0.0.1", port)
        case "[::1]": return ("::1", port)
        default: return nil
        }
    }
}
