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
        var kind: String?, program: String?, service: Int?, instances = 1, cpu: Int?, restart = RestartPolicy.onFailure
        var weight: Int?, cap: Int?
        var args: [String] = []
        for (k, v) in m {
            let key = k.string ?? "?"
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
        let spec = NFLaunchSpec(kind: kind, program: program, service: service, args: args, cpu: cpu, restart: restart,
                                cpuWeight: weight, cpuCap: cap)
        if let problem = spec.problem { throw fail(node, "nfs: \(problem)") }
        return ManagerConfig.Deployment(spec: spec, instances: instances)
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
