/// Renders `PlatformStats` as the fixed-width table the manager shows live.
public enum StatsTable {
    public static func render(_ s: PlatformStats) -> String {
        var out = "SwiftNFV '\(s.name)'  up \(fixed(s.uptimeSeconds, 1)) s  pool \(s.poolInUse)/\(s.poolSize) in use"
        if s.reclaimed > 0 { out += "  reclaimed \(s.reclaimed)" }
        out += "\n"
        if !s.ports.isEmpty {
            out += pad("PORT", 6) + pad("DEVICE", 28) + pad("RX", 14) + pad("TX", 14) + pad("DROP", 10) + pad("RX Mpps", 10) + "TX Mpps\n"
            for p in s.ports {
                out += pad("\(p.port)", 6) + pad(String(p.device.prefix(27)), 28) + pad("\(p.rx)", 14) + pad("\(p.tx)", 14)
                    + pad("\(p.dropped)", 10) + pad(fixed(p.rxMpps, 3), 10) + fixed(p.txMpps, 3) + "\n"
            }
        }
        out += pad("NF", 4) + pad("SVC", 5) + pad("NAME", 14) + pad("PID", 8) + pad("STATE", 9) + pad("RX", 14) + pad("TX", 14)
            + pad("DROP", 10) + pad("RX Mpps", 9) + pad("TX Mpps", 9) + pad("RXQ", 7) + "TXQ\n"
        if s.nfs.isEmpty { out += "(no NF running)\n" }
        for n in s.nfs {
            let drops = n.dropped + n.noRoute + n.ringFull
            out += pad("\(n.instance)", 4) + pad("\(n.service)", 5) + pad(String(n.name.prefix(13)), 14) + pad("\(n.pid)", 8)
                + pad(n.state, 9) + pad("\(n.rx)", 14) + pad("\(n.tx)", 14) + pad("\(drops)", 10)
                + pad(fixed(n.rxMpps, 3), 9) + pad(fixed(n.txMpps, 3), 9) + pad("\(n.rxRing)", 7) + "\(n.txRing)\n"
        }
        let used = s.services.filter { $0.rx > 0 || $0.tx > 0 || $0.droppedTotal > 0 || $0.supplied > 0 }
        if !used.isEmpty {
            out += pad("SVC", 5) + pad("INST", 6) + pad("RX", 14) + pad("TX", 14) + "DROPPED BY REASON (since start, instances that left included)\n"
            for v in used {
                let reasons = DropReason.allCases.compactMap { r in v.dropped[r.description].flatMap { $0 > 0 ? "\(r) \($0)" : nil } }
                out += pad(v.service == 0 ? "mgr" : "\(v.service)", 5) + pad(v.service == 0 ? "-" : "\(v.instances)", 6)
                    + pad("\(v.rx)", 14) + pad("\(v.tx)", 14) + (reasons.isEmpty ? "-" : reasons.joined(separator: ", ")) + "\n"
            }
        }
        if !s.departed.isEmpty {
            let died = s.departed.filter { $0.state == "died" }.count
            out += "left: \(s.departed.count) instance(s), \(died) died\n"
        }
        let st = s.steering
        if !st.chains.isEmpty || st.rules > 0 || st.version > 1 {
            out += "steering: version \(st.version) (\(st.publishes) published), chains \(st.chains.joined(separator: ", ")), \(st.rules) rule(s)"
            out += st.pending ? ", a change waits for a reader\n" : "\n"
        }
        out += "packets: entered \(s.entered) = delivered \(s.delivered) + dropped \(s.droppedTotal) + in flight \(Int64(s.entered) - Int64(s.delivered) - Int64(s.droppedTotal))\n"
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    /// `value` with `digits` decimals, without Foundation.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let frac = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        if digits == 0 { return "\(sign)\(whole)" }
        let f = String(frac)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - f.count) + f
    }
}
