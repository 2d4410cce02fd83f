import NFVCore
import NFVShared

/// How an NF attaches to the platform.
public struct NFOptions: Sendable {
    /// The platform (manager) to attach to.
    public var platform: String = "default"
    /// The service this NF provides.
    public var service: ServiceID
    /// A specific instance ID; `nil` takes the first free one.
    public var instance: InstanceID? = nil
    /// Shown in the manager's table.
    public var name: String
    /// How the run loop backs off when it has no work.
    public var idle = IdlePolicy()
    /// Most packets taken from the RX ring at once (1...1024).
    public var burstSize = NFOptions.defaultBurstSize
    /// The default `burstSize`: 64, twice the ports' bursts. A burst is a
    /// most (one packet in flight is taken alone); when queues build, a
    /// larger one pays each ring hand-over's cross-CPU cache lines and each
    /// wake-up once for more packets (`scripts/bench-burst.sh`, BENCHMARKS.md).
    public static let defaultBurstSize = 64
    /// The CPU weight it asks the manager for (1...10000, 100: the default
    /// share; cgroup v1's cpu.shares), as a supervised NF's `cpuWeight`;
    /// `nil`: none.
    public var cpuWeight: Int? = nil
    /// The most CPU it asks to be held to, percent of one CPU; `nil`: no cap.
    public var cpuCap: Int? = nil
    /// Pin the NF to this CPU; `nil` lets the scheduler place it.
    public var cpu: Int? = nil

    public init(service: ServiceID, name: String) {
        self.service = service
        self.name = name
    }
}

/// What an NF did, reported when it stops.
public struct NFSummary: Sendable {
    public var instance: InstanceID
    public var counters: NFCounters
    /// Packets that were waiting in its RX ring when it stopped, freed.
    public var freedAtStop: Int
    /// Why it stopped.
    public var reason: StopReason
}

public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    case signal, managerStopping, managerDied

    public var description: String {
        switch self {
        case .signal: "stopped by signal"
        case .managerStopping: "the manager is stopping"
        case .managerDied: "the manager died"
        }
    }
}
