import NFVCore

/// The manager's own alarms, checked on each once-a-second report: the
/// packet pool past `high` of its size, or an NF's RX ring past `ringHigh`.
/// Each is raised once when it crosses and again only after it has fallen
/// back under `low` (`ringLow`): no alarm storm while a level hovers at the
/// threshold. With backpressure a ring stops growing at its high
/// watermark, and an NF that stops reading may leave its ring anywhere
/// between the low and the high watermark (its chain held since the ring
/// last passed the high one: nothing enters to fill it further), so the
/// ring alarm is raised at the low watermark and cleared under half of it
/// (`init(backpressure:)`): a ring that stays over half full under
/// backpressure means an NF that falls behind.
struct ThresholdAlarms {
    var high = 0.9
    var low = 0.7
    var ringHigh = 0.9
    var ringLow = 0.7

    init(backpressure: ManagerConfig.Watermarks? = nil) {
        if let b = backpressure {
            ringHigh = min(ringHigh, Double(b.low) / 100)
            ringLow = min(ringLow, Double(b.low) / 200)
        }
    }

    private var poolRaised = false
    private var ringsRaised: Set<UInt16> = []

    /// The alarms this report raises: text, instance, service.
    mutating func check(_ s: PlatformStats) -> [(String, Int?, Int?)] {
        var out: [(String, Int?, Int?)] = []
        let pool = Double(s.poolInUse) / Double(max(1, s.poolSize))
        if !poolRaised && pool >= high {
            poolRaised = true
            out.append(("pool in_use=\(s.poolInUse) size=\(s.poolSize): over \(Int(high * 100)) % of the packet buffers are in use", nil, nil))
        } else if poolRaised && pool < low {
            poolRaised = false
        }
        let ringSize = Double(max(1, s.ringSize))
        for n in s.nfs {
            let level = Double(n.rxRing) / ringSize
            if !ringsRaised.contains(n.instance) && level >= ringHigh {
                ringsRaised.insert(n.instance)
                out.append(("ring instance=\(n.instance) rx_ring=\(n.rxRing): its RX ring is over \(Int(ringHigh * 100)) % full (it falls behind)",
                            Int(n.instance), Int(n.service)))
            } else if ringsRaised.contains(n.instance) && level < ringLow {
                ringsRaised.remove(n.instance)
            }
        }
        ringsRaised.formIntersection(s.nfs.map(\.instance))
        return out
    }
}
