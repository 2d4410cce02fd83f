/// Everything the manager needs to start. The built-in default has no port
/// and no chain: NFs address each other by service.
public struct ManagerConfig: Sendable, Equatable {
    /// Names this platform instance; NFs attach with `--manager NAME`.
    public var name: String = "default"
    /// DPDK device strings, one per port, numbered from 0 in this order.
    public var ports: [String] = []
    /// The chain named `default`: what a port's packets follow when no rule
    /// matches and `portChains` names no other, and what packets NFs make
    /// follow.
    public var chain: [ServiceID] = []
    /// Where a packet leaves after the chain's last step.
    public var exit: ChainExit = .inputPort
    /// Named chains besides `default` (which `chain` and `exit` define).
    public var chains: [ChainSpec] = []
    /// Each port's default chain, by name (ports not listed: `default`).
    public var portChains: [PortID: String] = [:]
    /// The flow table at start.
    public var rules: [FlowRule] = []
    /// What NFs of each service may change in the steering table.
    public var permissions: [ServiceID: NFPermissions] = [:]
    /// Packet buffers in the shared pool.
    public var poolSize: Int = 32767
    /// Descriptors per NF ring (a power of two).
    public var ringSize: Int = 4096
    /// The longest the dataplane thread sleeps between port polls when idle.
    public var maxIdleSleepMicroseconds: Int = 200
    /// Hold port RX until every service of the chain has an instance, so that
    /// nothing read before the chain is complete is dropped.
    public var waitForChain: Bool = false
    /// How each service with several instances spreads packets over them
    /// (services not listed: by flow).
    public var balance: [ServiceID: Balance] = [:]
    /// Backpressure (NFVnice's): packets from a port are dropped at the entry
    /// of a chain while what is queued in the chain up to one of its steps
    /// is over `high` percent of that step's ring, until every step is back
    /// under `low`, so that no NF upstream spends work on a packet a full
    /// queue downstream would drop (`EntryThrottle`). `nil`: off.
    public var backpressure: Watermarks? = Watermarks(high: 80, low: 50)
    /// Leave the kernel's receive packet steering (RPS) of the ports'
    /// interfaces as it is. By default the manager turns it off on its
    /// AF_PACKET and pcap ports while they are open (`ReceiveSteering`).
    public var keepRPS = false
    /// Pin the dataplane thread to this CPU; `nil` lets the scheduler place it.
    public var dataplaneCPU: Int? = nil
    /// Keep a standby NF process attached, so that launching a built-in NF
    /// hands it over instead of waiting for a new process's DPDK start-up.
    public var standby = true
    /// NFs the manager starts and supervises.
    public var nfs: [Deployment] = []
    /// The control API on loopback TCP too (`127.0.0.1:PORT`), besides its
    /// Unix socket; clients there send the bearer token in `apiTokenFile`.
    public var apiListen: String?
    public var apiTokenFile: String?

    /// One entry of `nfs:`: an NF and how many copies of it (each a
    /// process), or an NF group (one process for all its members).
    public enum Deployment: Sendable, Equatable {
        case nf(NFLaunchSpec, instances: Int)
        case group(NFGroupSpec)

        /// How many NF instances it starts.
        public var nfCount: Int {
            switch self {
            case .nf(_, let n): n
            case .group(let g): g.members.count
            }
        }
    }

    /// Queue thresholds, in percent of a ring.
    public struct Watermarks: Sendable, Equatable {
        public var high: Int
        public var low: Int
        public init(high: Int, low: Int) { self.high = high; self.low = low }

        /// Parses `off` (nil) or `HIGH:LOW`, such as 80:50.
        public static func parse(_ text: String) throws(ConfigError) -> Watermarks? {
            if text == "off" { return nil }
            let parts = text.split(separator: ":")
            guard parts.count == 2, let h = Int(parts[0]), let l = Int(parts[1]) else {
                throw ConfigError(file: nil, problem: "backpressure '\(text)': expected off or HIGH:LOW, percent of a ring, such as 80:50")
            }
            let w = Watermarks(high: h, low: l)
            if let problem = w.problem { throw ConfigError(file: nil, problem: problem) }
            return w
        }

        /// What is wrong with these thresholds, if anything.
        public var problem: String? {
            guard (1...100).contains(high), (0..<high).contains(low) else {
                return "backpressure: high must be 1...100 and low 0...high-1 (percent of a ring), got high \(high), low \(low)"
            }
            return nil
        }
    }

    /// How a service spreads packets over its instances.
    public enum Balance: String, Sendable, Equatable {
        /// By a hash of the flow: a flow always meets the same instance.
        case flow
        /// To the instance with the fewest packets waiting.
        case queue
    }

    public init() {}

    /// Checks the values against the platform's limits.
    public func validate(file: String? = nil) throws(ConfigError) {
        func fail(_ problem: String) -> ConfigError { ConfigError(file: file, problem: problem) }
        guard Self.isValidName(name) else {
            throw fail("name '\(name)' must be 1 to \(Limits.maxNameLength) letters, digits, '-' or '_'")
        }
        guard ports.count <= Limits.maxPorts else { throw fail("at most \(Limits.maxPorts) ports, got \(ports.count)") }
        guard chain.count <= Limits.maxChainLength else {
            throw fail("a chain has at most \(Limits.maxChainLength) steps, got \(chain.count)")
        }
        if let bad = balance.keys.first(where: { !$0.isValid }) {
            throw fail("balance: service \(bad.rawValue) is out of range (1...\(Limits.maxServices - 1))")
        }
        if let bad = chain.first(where: { !$0.isValid }) {
            throw fail("chain: service \(bad.rawValue) is out of range (1...\(Limits.maxServices - 1))")
        }
        if let problem = exit.problem(portCount: ports.count) { throw fail(problem) }
        guard (1023...1 << 22).contains(poolSize) else { throw fail("pool buffers must be 1023 to \(1 << 22), got \(poolSize)") }
        guard ringSize >= 64, ringSize <= 1 << 20, ringSize & (ringSize - 1) == 0 else {
            throw fail("ring size must be a power of two from 64 to \(1 << 20), got \(ringSize)")
        }
        if let problem = backpressure?.problem { throw fail(problem) }
        guard (1...1_000_000).contains(maxIdleSleepMicroseconds) else {
            throw fail("max idle sleep must be 1 to 1000000 microseconds, got \(maxIdleSleepMicroseconds)")
        }
    }

    /// The steering table these settings describe: `chain` and `exit` as
    /// the chain named `default` (when `chain` has steps), then `chains`,
    /// the port defaults and the rules; the first that cannot be added is
    /// named in the error.
    public func steering(file: String? = nil) throws(ConfigError) -> SteeringSpec {
        var spec = SteeringSpec()
        do {
            if !chain.isEmpty { try spec.setChain(ChainSpec(name: ChainSpec.defaultName, steps: chain, exit: exit)) }
            for c in chains { try spec.setChain(c) }
            for (port, name) in portChains.sorted(by: { $0.key < $1.key }) { try spec.setDefault(of: port, to: name) }
            for r in rules { try spec.addRule(r) }
        } catch {
            throw ConfigError(file: file, problem: error.problem)
        }
        return spec
    }

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= Limits.maxNameLength
            && name.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "-" || $0 == "_" }
    }
}
