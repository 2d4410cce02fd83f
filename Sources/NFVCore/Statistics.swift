/// Counters of one manager port, as published once a second.
public struct PortStats: Codable, Sendable, Equatable {
    public var port: UInt16
    public var device: String
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: UInt64
    public var rxMpps: Double
    public var txMpps: Double

    public init(port: UInt16, device: String, rx: UInt64, tx: UInt64, dropped: UInt64, rxMpps: Double, txMpps: Double) {
        self.port = port; self.device = device; self.rx = rx; self.tx = tx; self.dropped = dropped
        self.rxMpps = rxMpps; self.txMpps = txMpps
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
    /// Buffers the manager took back from it after it died.
    public var reclaimed: UInt64

    public init(instance: UInt16, service: UInt16, name: String, pid: Int32, state: String, rx: UInt64, tx: UInt64,
                dropped: UInt64, noRoute: UInt64, ringFull: UInt64, rxMpps: Double, txMpps: Double,
                rxRing: UInt32, txRing: UInt32, sleeps: UInt64, reclaimed: UInt64) {
        self.instance = instance; self.service = service; self.name = name; self.pid = pid; self.state = state
        self.rx = rx; self.tx = tx; self.dropped = dropped; self.noRoute = noRoute; self.ringFull = ringFull
        self.rxMpps = rxMpps; self.txMpps = txMpps; self.rxRing = rxRing; self.txRing = txRing
        self.sleeps = sleeps; self.reclaimed = reclaimed
    }
}

/// A whole platform's statistics at one moment: what `nfv manager` shows
/// live and writes as JSON.
public struct PlatformStats: Codable, Sendable, Equatable {
    public var name: String
    public var uptimeSeconds: Double
    public var poolSize: UInt32
    /// Buffers not in the pool: in rings, in NFs' hands, or in port queues.
    public var poolInUse: UInt32
    /// Buffers taken back from NFs that died.
    public var reclaimed: UInt64
    public var ports: [PortStats]
    public var nfs: [NFStats]

    public init(name: String, uptimeSeconds: Double, poolSize: UInt32, poolInUse: UInt32, reclaimed: UInt64,
                ports: [PortStats], nfs: [NFStats]) {
        self.name = name; self.uptimeSeconds = uptimeSeconds; self.poolSize = poolSize; self.poolInUse = poolInUse
        self.reclaimed = reclaimed; self.ports = ports; self.nfs = nfs
    }
}
