/// Something that happened to a platform, as the event stream reports it.
public struct PlatformEvent: Codable, Sendable, Equatable {
    /// Numbers events from 1 in the order they happened.
    public var seq: UInt64
    /// Seconds since 1970.
    public var time: Double
    public var kind: Kind
    public var instance: Int?
    public var service: Int?
    public var message: String

    public init(seq: UInt64, time: Double, kind: Kind, instance: Int?, service: Int?, message: String) {
        self.seq = seq; self.time = time; self.kind = kind; self.instance = instance; self.service = service
        self.message = message
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case nfLaunched = "nf_launched"
        case nfRegistered = "nf_registered"
        case nfStopped = "nf_stopped"
        case nfDied = "nf_died"
        case nfRestarted = "nf_restarted"
        /// A supervised NF exited and its policy does not restart it (or it
        /// could not be started).
        case nfFailed = "nf_failed"
        case ruleAdded = "rule_added"
        case ruleRemoved = "rule_removed"
        case chainSet = "chain_set"
        case chainRemoved = "chain_removed"
        /// An NF or the manager passed a threshold.
        case alarm
        case shutdown
    }
}
