/// Counters of one manager port, as published once a second.
public struct PortStats: Codable, Sendable, Equatable {
    public var port: UInt16
    public var device: String
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: UInt64
    public var rxMpps: Double
    public var txMpps: Double
    /// Bytes of the packets in `rx` and `tx`.
    public var rxBytes: UInt64
    public var txBytes: UInt64

    public init(port: UInt16, device: String, rx: UInt64, tx: UInt64, dropped: UInt64, rxMpps: Double, txMpps: Double,
                rxBytes: UInt64 = 0, txBytes: UInt64 = 0) {
        self.port = port; self.device = device; self.rx = rx; self.tx = tx; self.dropped = dropped
        self.rxMpps = rxMpps; self.txMpps = txMpps; self.rxBytes = rxBytes; self.txBytes = txBytes
    }
}

/// Counters of one NF instance, as published once a second.
public struct NFStats: Codable, Sendable, Equatable {
    public var instance: UInt16
    public var service: UInt16
    public var name: String
    public var pid: Int32
    public var state: String
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: UInt64
    public var noRoute: UInt64
    public var ringFull: UInt64
    public var rxMpps: Double
    public var txMpps: Double
    /// Descriptors waiting in its RX ring.
    public var rxRing: UInt32
    /// Descriptors waiting in its TX ring (for the manager's TX work).
    public var txRing: UInt32
    /// Times it went to sleep for lack of work.
    public var sleeps: UInt64
    /// Buffers the manager took back from it when it died or left.
    public var reclaimed: UInt64
    /// The steering-table version it reads now (0: none, between bursts).
    public var steeringVersion: UInt64
    /// Its requests to change rules or chains the manager carried out, and refused.
    public var steeringChanges: UInt64
    public var steeringRefusals: UInt64

    public init(instance: UInt16, service: UInt16, name: String, pid: Int32, state: String, rx: UInt64, tx: UInt64,
                dropped: UInt64, noRoute: UInt64, ringFull: UInt64, rxMpps: Double, txMpps: Double,
                rxRing: UInt32, txRing: UInt32, sleeps: UInt64, reclaimed: UInt64, steeringVersion: UInt64 = 0,
                steeringChanges: UInt64 = 0, steeringRefusals: UInt64 = 0) {
        self.steeringVersion = steeringVersion; self.steeringChanges = steeringChanges; self.steeringRefusals = steeringRefusals
        self.instance = instance; self.service = service; self.name = name; self.pid = pid; self.state = state
        self.rx = rx; self.tx = tx; self.dropped = dropped; self.noRoute = noRoute; self.ringFull = ringFull
        self.rxMpps = rxMpps; self.txMpps = txMpps; self.rxRing = rxRing; self.txRing = txRing
        self.sleeps = sleeps; self.reclaimed = reclaimed
    }
}

/// One service since the manager started, whatever instances came and
/// went: the sums of its instances' counters (those that left included) and
/// what became of the packets they last held, counted by the manager.
/// Service 0 stands for the manager and its ports.
public struct ServiceStats: Codable, Sendable, Equatable {
    public var service: UInt16
    /// Instances taking traffic now.
    public var instances: Int
    public var rx: UInt64
    public var tx: UInt64
    /// Packets dropped, by `DropReason` (its description as the key).
    public var dropped: [String: UInt64]
    /// Buffers its instances were given to make packets in (net of those
    /// that came back unused).
    public var supplied: UInt64

    public init(service: UInt16, instances: Int, rx: UInt64, tx: UInt64, dropped: [String: UInt64], supplied: UInt64) {
        self.service = service; self.instances = instances; self.rx = rx; self.tx = tx
        self.dropped = dropped; self.supplied = supplied
    }

    /// All drops, whatever the reason.
    public var droppedTotal: UInt64 { dropped.values.reduce(0, +) }
}

/// A whole platform's statistics at one moment: what `nfv manager` shows
/// live and writes as JSON.
///
/// Accounting: every packet that entered (from a port, or made by an NF in
/// a supplied buffer) left by a port or was dropped and counted under one
/// reason, so once nothing is in flight (after the manager stopped)
/// `entered == delivered + dropped` exactly.
public struct PlatformStats: Codable, Sendable, Equatable {
    public var name: String
    public var uptimeSeconds: Double
    public var poolSize: UInt32
    /// Buffers in packets: in rings, in NFs' hands, or in port queues (not
    /// counting the NFs' unused supply).
    public var poolInUse: UInt32
    /// Buffers given to NFs to make packets in and not used yet.
    public var poolSupplied: UInt32
    /// Buffers taken back from NFs that died.
    public var reclaimed: UInt64
    /// Descriptors an NF's RX ring holds at most (0: not reported).
    public var ringSize: UInt32 = 0
    /// Buffers stamped by NFs that exited cleanly found in no ring: each is a
    /// fault of the ownership protocol (the manager logs it); always 0.
    public var strays: UInt64
    /// Times the manager's dataplane thread went to sleep for lack of work.
    public var dataplaneSleeps: UInt64
    public var ports: [PortStats]
    /// Instances registered now.
    public var nfs: [NFStats]
    /// Instances that left (state `exited` or `died`), with their last
    /// counters, oldest first (the latest `Self.departedKept`).
    public var departed: [NFStats]
    /// Per service (0: the manager), since start; services never used are left out.
    public var services: [ServiceStats]
    /// The steering table: the current version, versions published since
    /// start, rules and chains in it, and the version the dataplane reads.
    public var steering: SteeringStats
    /// Packets from ports that matched each rule of the table now (since
    /// start, through every version), and that entered each chain there.
    public var ruleHits: [RuleHits] = []
    public var chainEntries: [ChainEntries] = []

    /// How many departed instances are listed (the per-service sums count all).
    public static let departedKept = 1024

    public init(name: String, uptimeSeconds: Double, poolSize: UInt32, poolInUse: UInt32, poolSupplied: UInt32 = 0,
                reclaimed: UInt64, strays: UInt64 = 0, dataplaneSleeps: UInt64 = 0, ports: [PortStats], nfs: [NFStats],
                departed: [NFStats] = [], services: [ServiceStats] = [], steering: SteeringStats = SteeringStats()) {
        self.steering = steering
        self.strays = strays
        self.dataplaneSleeps = dataplaneSleeps
        self.name = name; self.uptimeSeconds = uptimeSeconds; self.poolSize = poolSize; self.poolInUse = poolInUse
        self.poolSupplied = poolSupplied; self.reclaimed = reclaimed; self.ports = ports; self.nfs = nfs
        self.departed = departed; self.services = services
    }

    /// Packets that entered: received by ports, plus buffers NFs were given
    /// to make packets in (less those still in their supply, unused).
    public var entered: UInt64 {
        // The stock and the counter are read at slightly different moments: never below 0.
        let supplied = services.reduce(0) { $0 + $1.supplied }
        return ports.reduce(0) { $0 + $1.rx } + (supplied > UInt64(poolSupplied) ? supplied - UInt64(poolSupplied) : 0)
    }
    /// Packets that left by a port.
    public var delivered: UInt64 { ports.reduce(0) { $0 + $1.tx } }
    /// Drops by reason over every service.
    public var dropped: [String: UInt64] {
        services.reduce(into: [:]) { sum, s in for (k, v) in s.dropped { sum[k, default: 0] += v } }
    }
    public var droppedTotal: UInt64 { services.reduce(0) { $0 + $1.droppedTotal } }
}

/// The steering table at one moment (see `PlatformStats.steering`).
public struct SteeringStats: Codable, Sendable, Equatable {
    public var version: UInt64
    public var publishes: UInt64
    public var rules: Int
    public var chains: [String]
    public var dataplaneVersion: UInt64
    /// A change that waits for a reader to let go of a version slot.
    public var pending: Bool

    public init(version: UInt64 = 0, publishes: UInt64 = 0, rules: Int = 0, chains: [String] = [], dataplaneVersion: UInt64 = 0,
                pending: Bool = false) {
        self.version = version; self.publishes = publishes; self.rules = rules; self.chains = chains
        self.dataplaneVersion = dataplaneVersion; self.pending = pending
    }
}

/// Packets from ports that matched one flow rule (`PlatformStats.ruleHits`).
public struct RuleHits: Codable, Sendable, Equatable {
    public var id: UInt32
    /// Where it sends them (`chain NAME`, `service N`, `port N`, `drop`).
    public var target: String
    public var packets: UInt64
    public init(id: UInt32, target: String, packets: UInt64) { self.id = id; self.target = target; self.packets = packets }
}

/// Packets from ports that entered one chain, by a rule or as a port's
/// default (`PlatformStats.chainEntries`).
public struct ChainEntries: Codable, Sendable, Equatable {
    public var chain: String
    public var index: Int
    public var packets: UInt64
    public init(chain: String, index: Int, packets: UInt64) { self.chain = chain; self.index = index; self.packets = packets }
}
