import NFVCore
import NFVShared

/// An NF process attached to a platform's shared memory: its signal
/// watcher (made before DPDK starts its threads, so that they inherit the
/// blocked signals), DPDK as a secondary process, and the shared table,
/// pool and RX rings found. What takes an NF's start-up time; a standby
/// process makes one before it knows which NF it will run (`NFRunner.run`
/// takes it then).
public final class NFAttachment {
    public let platform: String
    let signals: SignalWatcher
    let env: Environment
    let table: SharedTable
    let pool: PacketPool
    let rxRings: [DescriptorRing]
    /// When a standby was handed the NF it runs (monotonic nanoseconds),
    /// for the start-up trace.
    public var handedOverAt: UInt64?

    public init(platform: String) throws {
        self.platform = platform
        signals = SignalWatcher()
        var staleFiles = 0
        env = try Environment(role: .secondary, names: SharedNames(platform: platform), removedStaleFiles: &staleFiles)
        do {
            table = try SharedTable.lookup()
            pool = try PacketPool.lookup()
            rxRings = try (0..<Limits.maxNFs).map { i throws(NFVError) in try DescriptorRing.lookup(name: SharedNames.rxRing(slot: i)) }
        } catch {
            env.shutdown()
            throw error
        }
    }

    /// Whether a stop was asked for (SIGINT, SIGTERM) while it waited.
    public var stopRequested: Bool { signals.stopRequested }

    /// Leaves DPDK (a standby that was never used).
    public func detach() { env.shutdown() }
}
