/// The platform at a glance (`GET /v1/status`).
public struct StatusInfo: Codable, Sendable, Equatable {
    public var name: String
    public var pid: Int32
    public var state: String
    public var uptimeSeconds: Double
    public var ports: Int
    public var nfs: Int
    public var steeringVersion: UInt64
    /// Whether a standby NF process is attached, ready to become the next launched built-in NF.
    public var standbyReady: Bool
    public init(name: String, pid: Int32, state: String, uptimeSeconds: Double, ports: Int, nfs: Int, steeringVersion: UInt64,
                standbyReady: Bool = false) {
        self.standbyReady = standbyReady
        self.name = name; self.pid = pid; self.state = state; self.uptimeSeconds = uptimeSeconds; self.ports = ports
        self.nfs = nfs; self.steeringVersion = steeringVersion
    }
}

/// A port (`GET /v1/ports`).
public struct PortInfo: Codable, Sendable, Equatable {
    public var port: Int
    public var device: String
    /// The chain its packets follow when no rule matches (`nil`: none, dropped).
    public var defaultChain: String?
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: UInt64
    public var rxMpps: Double
    public var txMpps: Double
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public init(port: Int, device: String, defaultChain: String?, rx: UInt64, tx: UInt64, dropped: UInt64, rxMpps: Double, txMpps: Double,
                rxBytes: UInt64, txBytes: UInt64) {
        self.port = port; self.device = device; self.defaultChain = defaultChain; self.rx = rx; self.tx = tx
        self.dropped = dropped; self.rxMpps = rxMpps; self.txMpps = txMpps; self.rxBytes = rxBytes; self.txBytes = txBytes
    }
}

/// A service (`GET /v1/services`): its instances now and its sums since start.
public struct ServiceInfo: Codable, Sendable, Equatable {
    public var service: Int
    /// Instances taking traffic now.
    public var instances: [Int]
    /// Supervised instances (running or about to).
    public var supervised: [Int]
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: [String: UInt64]
    public init(service: Int, instances: [Int], supervised: [Int], rx: UInt64, tx: UInt64, dropped: [String: UInt64]) {
        self.service = service; self.instances = instances; self.supervised = supervised; self.rx = rx; self.tx = tx
        self.dropped = dropped
    }
}

/// A chain (`GET /v1/chains`).
public struct ChainInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The index packets carry.
    public var index: Int
    public var steps: [Int]
    /// input, other, or a port number.
    public var exit: String
    public init(_ chain: ChainSpec, index: Int) {
        name = chain.name
        self.index = index
        steps = chain.steps.map { Int($0.rawValue) }
        switch chain.exit {
        case .inputPort: exit = "input"
        case .otherPort: exit = "other"
        case .port(let p): exit = "\(p.rawValue)"
        }
    }
}

/// A flow rule (`GET /v1/rules`), with the keys of the configuration's
/// `rules:` (what `POST /v1/rules` takes).
public struct RuleInfo: Codable, Sendable, Equatable {
    public var id: UInt32
    public var priority: Int32
    public var in_port: Int?
    public var vlan: Int?
    public var proto: Int?
    public var src: String?
    public var dst: String?
    public var src_port: String?
    public var dst_port: String?
    /// chain:NAME, service:N, port:N or drop.
    public var to: String
    /// The instance that installed it (`nil`: the configuration or the API).
    public var owner: Int?

    public init(_ r: FlowRule) {
        id = r.id
        priority = r.priority
        in_port = r.match.inPort.map { Int($0.rawValue) }
        vlan = r.match.vlan.map(Int.init)
        proto = r.match.proto.map(Int.init)
        src = r.match.source?.description
        dst = r.match.destination?.description
        func range(_ p: ClosedRange<UInt16>) -> String? {
            p == 0...65535 ? nil : p.lowerBound == p.upperBound ? "\(p.lowerBound)" : "\(p.lowerBound)-\(p.upperBound)"
        }
        src_port = range(r.match.sourcePorts)
        dst_port = range(r.match.destinationPorts)
        switch r.target {
        case .chain(let n): to = "chain:\(n)"
        case .service(let s): to = "service:\(s.rawValue)"
        case .port(let p): to = "port:\(p.rawValue)"
        case .drop: to = "drop"
        }
        owner = r.owner.map { Int($0.rawValue) }
    }
}

/// What a change to the steering table did: the version that has it.
public struct SteeringChange: Codable, Sendable, Equatable {
    /// The version it goes out in (published once no reader holds the slot).
    public var version: UInt64
    public var rule: RuleInfo?
    public var chain: ChainInfo?
    public init(version: UInt64, rule: RuleInfo? = nil, chain: ChainInfo? = nil) {
        self.version = version; self.rule = rule; self.chain = chain
    }
}

/// What `POST /v1/services/{service}/scale` did.
public struct ScaleResult: Codable, Sendable, Equatable {
    public var service: Int
    public var instances: Int
    public var launched: [Int]
    public var stopping: [Int]
    public init(service: Int, instances: Int, launched: [Int], stopping: [Int]) {
        self.service = service; self.instances = instances; self.launched = launched; self.stopping = stopping
    }
}

/// A supervised NF group (`GET /v1/groups`): one process for its members.
public struct GroupInfo: Codable, Sendable, Equatable {
    public var name: String
    /// Its members' instance IDs, in its order.
    public var members: [Int]
    /// Its process (0 while none runs).
    public var pid: Int32
    /// `running` once every member has registered; else `starting`,
    /// `stopping` (asked to stop, its process still there), `restarting`,
    /// `stopped` or `failed`.
    public var state: String
    public var restarts: Int
    public var cpu: Int?
    public var cpuWeight: Int?
    public var cpuCap: Int?
    public var restart: RestartPolicy
    /// Percent of one CPU its thread used over the last second.
    public var cpuPercent: Double?
    /// Where its standard output and error go.
    public var logFile: String
    public init(name: String, members: [Int], pid: Int32, state: String, restarts: Int, cpu: Int?, cpuWeight: Int?, cpuCap: Int?,
                restart: RestartPolicy, cpuPercent: Double?, logFile: String) {
        self.name = name; self.members = members; self.pid = pid; self.state = state; self.restarts = restarts; self.cpu = cpu
        self.cpuWeight = cpuWeight; self.cpuCap = cpuCap; self.restart = restart; self.cpuPercent = cpuPercent; self.logFile = logFile
    }
}
