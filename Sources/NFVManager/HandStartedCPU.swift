import Foundation
import NFVCore
import NFVShared

/// CPU weights and caps of NFs the manager did not start: one started by
/// hand asks for them in its options (`nfv nf KIND --cpu-weight W --cpu-cap
/// C`, written into its slot before it registers), or the API sets them
/// later (`PATCH /v1/nfs/{i}`). The manager puts the NF's process into its
/// CPU group (`CPUGroups`, as for the NFs it supervises) and samples its CPU
/// time for the API. A claim ends when its process leaves the slot.
/// Control thread only.
final class HandStartedCPU {
    struct Claim {
        var pid: Int32
        var weight: Int?
        var cap: Int?
        /// The CPU it pinned itself to, if any (for its entitlement).
        var cpu: Int?
        /// Its main thread's CPU time at the last sample, and when.
        var sample: (at: UInt64, cpu: UInt64)?
        /// Percent of one CPU it used over the last sample period.
        var percent: Double?
    }

    let table: SharedTable
    let groups: CPUGroups
    private(set) var claims: [Int: Claim] = [:]

    init(table: SharedTable, groups: CPUGroups) {
        self.table = table
        self.groups = groups
    }

    /// Instance `i` registered (not started by the manager): places it when
    /// its slot asks for a weight or a cap. Returns what to log.
    func admitted(_ i: Int) -> String? {
        let slot = table.slot(InstanceID(UInt16(i)))
        claims[i] = nil
        guard slot.cpuWeight != nil || slot.cpuCap != nil else { return nil }
        // An NF program built on NFVKit writes what its options say, unchecked.
        if let w = slot.cpuWeight, !(1...10_000).contains(w) {
            return "instance \(i) asks for CPU weight \(w), outside 1...10000: not applied"
        }
        if let c = slot.cpuCap, !(1...(100 * 1024)).contains(c) {
            return "instance \(i) asks for a CPU cap of \(c) %, outside 1...\(100 * 1024): not applied"
        }
        return place(i, Claim(pid: slot.pid, weight: slot.cpuWeight, cap: slot.cpuCap, cpu: slot.pinnedCPU))
    }

    /// Sets instance `i`'s weight and cap (`cap` 0: none), starting a claim
    /// if it has none; `false` if `i` is not a registered NF.
    func set(_ i: Int, weight: Int?, cap: Int?) throws(APIError) -> Bool {
        let slot = table.slot(InstanceID(UInt16(i)))
        guard slot.state == .running, slot.pid > 0 else { return false }
        var c = claims[i].flatMap { $0.pid == slot.pid ? $0 : nil } ?? Claim(pid: slot.pid, cpu: slot.pinnedCPU)
        if let weight { c.weight = weight }
        if let cap { c.cap = cap == 0 ? nil : cap }
        if let w = c.weight, !(1...10_000).contains(w) { throw APIError(status: 400, message: "cpuWeight \(w): must be 1...10000 (100: the default share)") }
        if let k = c.cap, !(1...(100 * 1024)).contains(k) { throw APIError(status: 400, message: "cpuCap \(k): percent of one CPU, 1 or more") }
        guard groups.available else {
            throw APIError(status: 409, message: "CPU weights and caps need cgroup v1's cpu controller at \(CPUGroups.controller)")
        }
        try groups.place(pid: c.pid, instance: i, weight: c.weight, cap: c.cap)
        claims[i] = c
        return true
    }

    private func place(_ i: Int, _ c: Claim) -> String {
        guard groups.available else {
            return "instance \(i) asks for a CPU weight or cap, but cgroup v1's cpu controller is not at \(CPUGroups.controller): not applied"
        }
        do { try groups.place(pid: c.pid, instance: i, weight: c.weight, cap: c.cap) } catch {
            return "instance \(i): cannot apply its CPU weight and cap: \(error.message)"
        }
        claims[i] = c
        return "instance \(i) (pid \(c.pid)) placed in its CPU group: weight \(c.weight ?? 100), cap \(c.cap.map { "\($0) %" } ?? "none")"
    }

    /// Drops claims whose process left its slot, and samples the others'
    /// CPU time (once a second, with the statistics).
    func sample(now: UInt64) {
        for (i, c) in claims {
            let slot = table.slot(InstanceID(UInt16(i)))
            guard slot.state == .running, slot.pid == c.pid, let cpu = ProcessCPU.nanoseconds(c.pid) else {
                claims[i] = nil
                continue
            }
            if let last = c.sample, now > last.at { claims[i]?.percent = Double(cpu &- last.cpu) / Double(now - last.at) * 100 }
            claims[i]?.sample = (now, cpu)
        }
    }

    /// The live claims, by instance, for entitlements.
    var entitlementClaims: [(instance: Int, claim: CPUEntitlement.Claim)] {
        claims.sorted { $0.key < $1.key }.map { ($0.key, CPUEntitlement.Claim(weight: $0.value.weight ?? 100, cpu: $0.value.cpu, cap: $0.value.cap)) }
    }
}
