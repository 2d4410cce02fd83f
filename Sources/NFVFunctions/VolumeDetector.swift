import NFVCore
import NFVKit

/// NetVM's DoS detector: counts IPv4 packets per source over windows of
/// `window`, and when a source's rate passes `thresholdPPS` raises an alarm
/// with the manager (`ManagerRequest.alarm`, which becomes an `alarm` event
/// for a controller to act on): `volume src=10.0.0.66 pps=52000
/// threshold=10000`. A source is reported again only after `realarm` if it
/// is still over. Every packet goes on to `destination` unchanged.
///
/// The counts sit in a fixed open-addressed table (no allocation per
/// packet); a window with more distinct sources than it holds counts the
/// excess under none (reported in `finish`).
public struct VolumeDetector: NetworkFunction {
    public let destination: Action
    public let thresholdPPS: Int
    public let window: Duration
    public let realarm: Duration
    static let capacity = 4096
    var sources = [UInt32](repeating: 0, count: capacity)
    var counts = [Int](repeating: 0, count: capacity)
    var used = 0
    var overflow = 0
    var windowStart: UInt64 = 0
    /// When each alarmed source was last reported.
    var alarmed: [UInt32: UInt64] = [:]
    public private(set) var alarms = 0

    public init(to destination: Action = .next, thresholdPPS: Int, window: Duration = .milliseconds(50),
                realarm: Duration = .seconds(5)) {
        self.destination = destination
        self.thresholdPPS = thresholdPPS
        self.window = window
        self.realarm = realarm
    }

    public mutating func setup(context: NFContext) throws { windowStart = context.nanoseconds }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        if let l = Layout.parse(packet), l.network == .ipv4, let src = packet.ipv4(at: l.l3 + 12) { count(src.value) }
        return destination
    }

    mutating func count(_ src: UInt32) {
        // Linear probing; 0.0.0.0 marks a free entry (and is counted as such).
        var i = Int(truncatingIfNeeded: (src &* 2_654_435_761) >> 20) & (Self.capacity - 1)
        for _ in 0..<Self.capacity {
            if sources[i] == src && (src != 0 || counts[i] > 0) { counts[i] += 1; return }
            if counts[i] == 0 {
                guard used < Self.capacity * 3 / 4 else { overflow += 1; return }
                sources[i] = src
                counts[i] = 1
                used += 1
                return
            }
            i = (i + 1) & (Self.capacity - 1)
        }
        overflow += 1
    }

    public var tickInterval: Duration? { window }

    public mutating func tick(context: NFContext) {
        let now = context.nanoseconds
        let seconds = Double(now &- windowStart) / 1e9
        guard seconds > 0 else { return }
        let again = UInt64(realarm.components.seconds) * 1_000_000_000 + UInt64(realarm.components.attoseconds / 1_000_000_000)
        for i in 0..<Self.capacity where counts[i] > 0 {
            let pps = Int(Double(counts[i]) / seconds)
            if pps > thresholdPPS, alarmed[sources[i]].map({ now &- $0 >= again }) ?? true {
                let ip = IPv4Address(sources[i])
                if context.request(.alarm("volume src=\(ip) pps=\(pps) threshold=\(thresholdPPS)")) != nil {
                    alarmed[sources[i]] = now
                    alarms += 1
                    context.log("alarm: \(ip) at \(pps) packets/s (threshold \(thresholdPPS))")
                }
            }
            counts[i] = 0
            sources[i] = 0
        }
        used = 0
        windowStart = now
    }

    public mutating func received(_ reply: ManagerReply, context: NFContext) {
        if case .refused(_, let why) = reply { context.log("alarm refused: \(why)") }
    }

    public func finish(context: NFContext) {
        context.log("raised \(alarms) alarm(s); \(overflow) packets from sources beyond the table's \(Self.capacity * 3 / 4)")
    }
}
