import Foundation
import NFVCore
import NFVOrchestration

/// A platform for open-loop port benchmarks (`nfv bench ports`, `nfv bench
/// backpressure`): a manager whose port 0 is a `net_null` source (it
/// offers a new 64-byte packet whenever polled, as fast as the dataplane
/// thread polls) and port 1 a `net_null` sink (`no-rx`: it offers nothing), with the chain
/// port 0 -> forwarders -> port 1; each forwarder spends its cost in cycles
/// on each packet. Figures come from the control API's statistics.
struct NullPortPlatform {
    let orchestrator: Orchestrator
    let length: Int

    /// One look at the counters.
    struct Sample {
        var at: Date
        var offered: UInt64
        var delivered: UInt64
        /// Packets NFs handled (the sum of their RX).
        var processed: UInt64
        /// Dropped after an NF handled them: what an NF gave back because
        /// the next ring was full, or the exit port refused.
        var wasted: UInt64
        /// Dropped by the manager at the chain's entry (a full ring or backpressure).
        var droppedAtEntry: UInt64
    }

    /// Starts it; `costs` has one entry per forwarder, `cpus` (if given)
    /// pins each. `grouped` runs the forwarders of each CPU's arc of the
    /// chain (`ChainBench.cpu`) as one NF group, pinned when `cpus` is given;
    /// `dataplaneCPU` pins the manager's dataplane thread; `nfOptions` go to
    /// every forwarder (such as `--burst 64`).
    init(platform: String, costs: [Int], cpus: [Int]?, manager: [String], grouped: Bool = false, dataplaneCPU: Int? = nil,
         nfOptions: [String] = []) throws {
        orchestrator = Orchestrator(platform: platform, echoManagerLog: false)
        length = costs.count
        let chain = (1...costs.count).map(String.init).joined(separator: ",")
        try orchestrator.startManager(["--port", "net_null0", "--port", "net_null1,no-rx=1", "--chain", chain, "--exit-port", "1",
                                       "--wait-for-chain", "true"] + manager
                                      + (dataplaneCPU.map { ["--dataplane-cpu", "\($0)"] } ?? []))
        func forwarder(_ i: Int) -> [String] { ["forward", "--service", "\(i + 1)", "--to", "next", "--cycles", "\(costs[i])"] + nfOptions }
        if grouped {
            let arcOf = costs.indices.map { cpus?[$0] ?? ChainBench.cpu(position: $0 + 1, length: costs.count + 1) }
            for arc in Set(arcOf).sorted() {
                try orchestrator.startGroup(costs.indices.filter { arcOf[$0] == arc }.map(forwarder),
                                            options: cpus == nil ? [] : ["--cpu", "\(arc)"])
            }
        } else {
            for i in costs.indices { try orchestrator.startNF(forwarder(i) + (cpus.map { ["--cpu", "\($0[i])"] } ?? [])) }
        }
    }

    func stop() { orchestrator.stopAll() }

    /// Waits `warmup` seconds, then samples at the start and the end of a
    /// window of `duration` seconds.
    func window(warmup: Int, duration: Int) throws -> (Sample, Sample) {
        Thread.sleep(forTimeInterval: Double(warmup))
        let a = try sample()
        Thread.sleep(forTimeInterval: Double(duration))
        return (a, try sample())
    }

    func sample() throws -> Sample {
        let s = try orchestrator.control.client.stats()
        let at = Date()
        let nfs = s.nfs.sorted { $0.service < $1.service }
        let byNF = s.services.filter { $0.service != 0 }
        let manager = s.services.first { $0.service == 0 }
        return Sample(at: at, offered: s.ports.first { $0.port == 0 }?.rx ?? 0, delivered: s.ports.first { $0.port == 1 }?.tx ?? 0,
                      processed: nfs.reduce(0) { $0 + $1.rx },
                      wasted: byNF.reduce(0) { $0 + ($1.dropped["ring-full"] ?? 0) + ($1.dropped["tx-failed"] ?? 0) },
                      droppedAtEntry: (manager?.dropped["ring-full"] ?? 0) + (manager?.dropped["backpressure"] ?? 0))
    }
}
