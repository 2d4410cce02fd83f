/// Why the platform dropped a packet (`NFV_DROP_*` in shim.h; the raw
/// values are the same). Every packet that enters the platform, from a port
/// or made by an NF, leaves by a port or is counted under exactly one of
/// these, by the manager.
public enum DropReason: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// An NF's handler said drop (or a packet from a port had no chain).
    case verdict = 0
    /// Its destination service had no instance, or its port did not exist.
    case noRoute
    /// Its destination ring was full.
    case ringFull
    /// It was queued for an NF that stopped, which freed it on its way out.
    case stopped
    /// An NF that died (or left) held or queued it: the manager took it back.
    case reclaimed
    /// A port refused to send it.
    case txFailed
    /// It came from a port into a chain one of whose steps was over its
    /// queue's high watermark, and was dropped there, before any NF spent
    /// work on it (backpressure).
    case backpressure

    public var description: String {
        switch self {
        case .verdict: "verdict"
        case .noRoute: "no-route"
        case .ringFull: "ring-full"
        case .stopped: "stopped"
        case .reclaimed: "reclaimed"
        case .txFailed: "tx-failed"
        case .backpressure: "backpressure"
        }
    }
}
