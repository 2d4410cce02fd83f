import NFVCore

/// The manager's own alarms, checked on each once-a-second report: the
/// packet pool, or an NF's RX ring, past `high` of its size. Each is raised
/// once when it crosses and again only after it has fallen back under
/// `low` (no alarm storm while a level hovers at the threshold).
struct ThresholdAlarms {
    var high = 0.9
    var low = 0.7
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
            if !ringsRaised.contains(n.instance) && level >= high {
                ringsRaised.insert(n.instance)
                out.append(("ring instance=\(n.instance) rx_ring=\(n.rxRing): its RX ring is over \(Int(high * 100)) % full (it falls behind)",
                            Int(n.instance), Int(n.service)))
            } else if ringsRaised.contains(n.instance) && level < low {
                ringsRaised.remove(n.instance)
            }
        }
        ringsRaised.formIntersection(s.nfs.map(\.instance))
        return out
    }
}
