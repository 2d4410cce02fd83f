import Yams

/// Reads a manager configuration from YAML (JSON, being YAML, works too).
/// Every error names the file, the line and the problem.
///
/// ```yaml
/// name: default          # platform instance name
/// ports:                 # DPDK device strings, port 0, 1, ...
///   - net_null0
///   - net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap
/// chain: [1, 2, 3]       # default service chain
/// exit_port: other       # after the last step: a port, other (0<->1, 2<->3) or input (default)
/// pool_size: 32767       # packet buffers
/// ring_size: 4096        # descriptors per NF ring
/// max_idle_sleep_us: 200 # longest sleep between port polls when idle
/// wait_for_chain: false  # hold RX until every chain service has an instance
/// standby: true          # keep an NF process attached for fast launches
/// keep_rps: false        # leave RPS on the ports' interfaces (default: off while open)
/// dataplane_cpu: 0       # pin the dataplane thread (default: the scheduler places it)
/// balance: {2: queue}    # several instances of a service: by flow (default) or queue
/// ```
/// and the steering keys `chains`, `port_chains`, `rules` and `permissions`
/// (`SteeringConfigParser`), and `nfs` and `api` (`NFsConfigParser`).
public enum ConfigParser {
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> ManagerConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), problem: Self.problem(of: error))
        } catch {
            throw ConfigError(file: file, problem: "\(error)")
        }
        var config = ManagerConfig()
        guard let root else { return config }
        let failAt = Self.failAt(file)
        var chainLines: [Int?] = [], portChainLines: [PortID: Int?] = [:], ruleLines: [Int?] = []
        guard case .mapping(let mapping) = root else {
            throw ConfigError(file: file, line: root.mark?.line, problem: "the top level must be a mapping of keys such as 'ports' and 'chain'")
        }
        for (key, value) in mapping {
            let line = key.mark?.line
            func fail(_ problem: String) -> ConfigError { ConfigError(file: file, line: value.mark?.line ?? line, problem: problem) }
            func integer(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
                guard case .scalar = value, let n = value.int else { throw fail("'\(key.string ?? "")' must be a whole number") }
                guard range.contains(n) else { throw fail("'\(key.string ?? "")' must be in \(range.lowerBound)...\(range.upperBound), got \(n)") }
                return n
            }
            switch key.string {
            case "name":
                guard let s = value.string, ManagerConfig.isValidName(s) else {
                    throw fail("'name' must be 1 to \(Limits.maxNameLength) letters, digits, '-' or '_'")
                }
                config.name = s
            case "ports":
                guard case .sequence(let seq) = value else { throw fail("'ports' must be a list of DPDK device strings") }
                for item in seq {
                    guard case .scalar = item, let s = item.string, !s.isEmpty else {
                        throw ConfigError(file: file, line: item.mark?.line, problem: "a port must be a DPDK device string such as net_null0")
                    }
                    config.ports.append(s)
                }
                if config.ports.count > Limits.maxPorts { throw fail("at most \(Limits.maxPorts) ports") }
            case "chain":
                guard case .sequence(let seq) = value else { throw fail("'chain' must be a list of service IDs, such as [1, 2, 3]") }
                for item in seq {
                    guard let n = item.int, (1..<Limits.maxServices).contains(n) else {
                        throw ConfigError(file: file, line: item.mark?.line,
                                          problem: "chain: '\(item.string ?? "?")' is not a service ID (1...\(Limits.maxServices - 1))")
                    }
                    config.chain.append(ServiceID(UInt16(n)))
                }
                if config.chain.count > Limits.maxChainLength {
                    throw fail("a chain has at most \(Limits.maxChainLength) steps, got \(config.chain.count)")
                }
            case "exit_port":
                guard case .scalar = value, let text = value.string else { throw fail("'exit_port' must be a port, 'other' or 'input'") }
                do { config.exit = try ChainExit(parsing: text) } catch { throw fail(error.problem) }
            case "pool_size": config.poolSize = try integer(1023...(1 << 22))
            case "ring_size":
                config.ringSize = try integer(64...(1 << 20))
                guard config.ringSize & (config.ringSize - 1) == 0 else { throw fail("'ring_size' must be a power of two") }
            case "max_idle_sleep_us": config.maxIdleSleepMicroseconds = try integer(1...1_000_000)
            case "balance":
                guard case .mapping(let m) = value else { throw fail("'balance' must map service IDs to flow or queue, such as {2: queue}") }
                for (k, v) in m {
                    let line = k.mark?.line
                    guard let n = k.int, (1..<Limits.maxServices).contains(n) else {
                        throw ConfigError(file: file, line: line, problem: "balance: '\(k.string ?? "?")' is not a service ID (1...\(Limits.maxServices - 1))")
                    }
                    guard let mode = v.string.flatMap(ManagerConfig.Balance.init(rawValue:)) else {
                        throw ConfigError(file: file, line: v.mark?.line ?? line, problem: "balance: '\(v.string ?? "?")' is not flow or queue")
                    }
                    config.balance[ServiceID(UInt16(n))] = mode
                }
            case "chains":
                let parsed = try SteeringConfigParser.chains(value, failAt)
                config.chains = parsed.map(\.0)
                chainLines = parsed.map(\.1)
            case "port_chains":
                for (port, name, line) in try SteeringConfigParser.portChains(value, failAt) {
                    config.portChains[port] = name
                    portChainLines[port] = line
                }
            case "rules":
                let parsed = try SteeringConfigParser.rules(value, failAt)
                config.rules = parsed.map(\.0)
                ruleLines = parsed.map(\.1)
            case "permissions":
                config.permissions = try SteeringConfigParser.permissions(value, failAt)
            case "nfs":
                config.nfs = try NFsConfigParser.nfs(value, failAt)
            case "api":
                (config.apiListen, config.apiTokenFile) = try NFsConfigParser.api(value, failAt)
            case "standby":
                guard let b = value.bool else { throw fail("'standby' must be true or false") }
                config.standby = b
            case "dataplane_cpu":
                config.dataplaneCPU = try integer(0...4095)
            case "keep_rps":
                guard let b = value.bool else { throw fail("'keep_rps' must be true or false") }
                config.keepRPS = b
            case "backpressure":
                if let b = value.bool, !b {
                    config.backpressure = nil
                } else if case .mapping(let m) = value {
                    var w = ManagerConfig.Watermarks(high: 80, low: 50)
                    for (k, v) in m {
                        guard let n = v.int else {
                            throw ConfigError(file: file, line: v.mark?.line ?? line, problem: "backpressure: '\(k.string ?? "?")' must be a whole number (percent of a ring)")
                        }
                        switch k.string {
                        case "high": w.high = n
                        case "low": w.low = n
                        default: throw ConfigError(file: file, line: k.mark?.line ?? line, problem: "backpressure: unknown key '\(k.string ?? "?")'; known keys: high, low")
                        }
                    }
                    if let problem = w.problem { throw fail(problem) }
                    config.backpressure = w
                } else {
                    throw fail("'backpressure' must be false or {high: PERCENT, low: PERCENT}, such as {high: 80, low: 50}")
                }
            case "wait_for_chain":
                guard let b = value.bool else { throw fail("'wait_for_chain' must be true or false") }
                config.waitForChain = b
            default:
                throw ConfigError(file: file, line: line, problem: "unknown key '\(key.string ?? "?")'; known keys: name, ports, chain, exit_port, chains, port_chains, rules, permissions, nfs, api, standby, pool_size, ring_size, max_idle_sleep_us, wait_for_chain, balance, backpressure, keep_rps, dataplane_cpu")
            }
        }
        if let problem = config.exit.problem(portCount: config.ports.count) {
            let line = mapping.first(where: { $0.key.string == "exit_port" })?.key.mark?.line
            throw ConfigError(file: file, line: line, problem: problem)
        }
        try checkSteering(config, file: file, chainLines: chainLines, portChainLines: portChainLines, ruleLines: ruleLines)
        return config
    }

    /// Parses one rule written as in `rules:` (`{dst_port: 53, to: "chain:dns"}`).
    public static func rule(_ text: String) throws(ConfigError) -> FlowRule {
        try SteeringConfigParser.rule(try node(text), failAt(nil))
    }

    /// Parses chains written as in `chains:` (`{b1: [3, 1], b2: {steps: [4, 1], exit: other}}`).
    public static func chains(_ text: String) throws(ConfigError) -> [ChainSpec] {
        try SteeringConfigParser.chains(try node(text), failAt(nil)).map(\.0)
    }

    private static func node(_ text: String) throws(ConfigError) -> Node {
        do {
            guard let n = try Yams.compose(yaml: text) else { throw ConfigError(problem: "'\(text)' is empty") }
            return n
        } catch let error as YamlError {
            throw ConfigError(problem: "'\(text)': " + Self.problem(of: error))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(problem: "'\(text)': \(error)")
        }
    }

    private static func failAt(_ file: String?) -> SteeringConfigParser.Fail {
        { node, problem in ConfigError(file: file, line: node.mark?.line, problem: problem) }
    }

    /// Builds the steering table the file describes, one entry at a time,
    /// so that the entry that cannot be added is named by its line.
    private static func checkSteering(_ config: ManagerConfig, file: String?, chainLines: [Int?],
                                      portChainLines: [PortID: Int?], ruleLines: [Int?]) throws(ConfigError) {
        var spec = SteeringSpec()
        func add(_ line: Int?, _ change: (inout SteeringSpec) throws(SteeringSpec.Refusal) -> Void) throws(ConfigError) {
            do { try change(&spec) } catch { throw ConfigError(file: file, line: line, problem: error.problem) }
        }
        if !config.chain.isEmpty {
            try add(nil) { (s) throws(SteeringSpec.Refusal) in try s.setChain(ChainSpec(name: ChainSpec.defaultName, steps: config.chain, exit: config.exit)) }
        }
        for (i, c) in config.chains.enumerated() {
            if let problem = c.exit.problem(portCount: config.ports.count) {
                throw ConfigError(file: file, line: chainLines[i], problem: "chain '\(c.name)': \(problem)")
            }
            try add(chainLines[i]) { (s) throws(SteeringSpec.Refusal) in try s.setChain(c) }
        }
        for (port, name) in config.portChains.sorted(by: { $0.key < $1.key }) {
            try add(portChainLines[port] ?? nil) { (s) throws(SteeringSpec.Refusal) in try s.setDefault(of: port, to: name) }
        }
        for (i, r) in config.rules.enumerated() {
            try add(ruleLines[i]) { (s) throws(SteeringSpec.Refusal) in try s.addRule(r) }
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            "not valid YAML: \(problem)"
        default: "not valid YAML: \(error)"
        }
    }
}
