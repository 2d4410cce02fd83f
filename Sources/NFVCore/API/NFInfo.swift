/// One NF instance as the control API shows it: what the shared table says
/// about it (when it is registered) and, for a supervised NF, how it is
/// launched and its restart history.
public struct NFInfo: Codable, Sendable, Equatable {
    public var instance: Int
    public var service: Int
    public var name: String
    public var pid: Int32
    /// registered states (`running`, `stopping`, ...), or for a supervised
    /// NF not registered now: `starting`, `restarting` (waiting for its
    /// back-off), `stopped`, `failed`.
    public var state: String
    /// Whether the manager started it and watches it.
    public var supervised: Bool
    public var launch: NFLaunchSpec?
    public var restarts: Int
    /// Its exits, latest last (the last 20).
    public var history: [Exit]
    public var rx: UInt64
    public var tx: UInt64
    public var dropped: UInt64
    /// Descriptors waiting in its RX ring.
    public var rxRing: Int
    /// Where its standard output and error go (supervised NFs).
    public var logFile: String?
    /// Percent of one CPU its run loop used over the last second (supervised NFs).
    public var cpuPercent: Double?
    /// Percent of one CPU its weight entitles it to while every supervised
    /// NF is busy (`CPUEntitlement`; supervised NFs that run).
    public var cpuEntitledPercent: Double?
    /// An NF the manager did not start: the CPU weight and cap it has (asked
    /// in its options, or set through the API); a supervised NF's are in `launch`.
    public var cpuWeight: Int?
    public var cpuCap: Int?

    public init(instance: Int, service: Int, name: String, pid: Int32, state: String, supervised: Bool,
                launch: NFLaunchSpec? = nil, restarts: Int = 0, history: [Exit] = [], rx: UInt64 = 0, tx: UInt64 = 0,
                dropped: UInt64 = 0, rxRing: Int = 0, logFile: String? = nil, cpuPercent: Double? = nil) {
        self.cpuPercent = cpuPercent
        self.instance = instance; self.service = service; self.name = name; self.pid = pid; self.state = state
        self.supervised = supervised; self.launch = launch; self.restarts = restarts; self.history = history
        self.rx = rx; self.tx = tx; self.dropped = dropped; self.rxRing = rxRing; self.logFile = logFile
    }

    /// One exit of a supervised NF.
    public struct Exit: Codable, Sendable, Equatable {
        /// Seconds since 1970.
        public var time: Double
        public var pid: Int32
        /// "exit 0", "exit 3", "signal 9".
        public var how: String
        /// Whether the policy restarted it.
        public var restarted: Bool
        public init(time: Double, pid: Int32, how: String, restarted: Bool) {
            self.time = time; self.pid = pid; self.how = how; self.restarted = restarted
        }
    }
}
