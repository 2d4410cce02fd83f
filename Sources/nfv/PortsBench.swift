import ArgumentParser
import Foundation
import NFVCore

/// `nfv bench ports`: the port path under overload, open loop. A `net_null`
/// port offers packets as fast as the manager polls it, a chain of
/// `--length` forwarders carries them to a `net_null` sink
/// (`NullPortPlatform`); the figure is the rate that leaves the sink port
/// over the window, and `drop_pct` what was offered but not delivered.
struct PortsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ports", abstract: "Measure port -> chain -> port under overload (net_null source and sink).")

    @Option(help: "Forwarders in the chain (1...16).") var length = 1
    @Option(help: "Seconds measured per run.") var duration = 5
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 2
    @Option(help: "Runs.") var runs = 3
    @Option(help: "Cycles of work per packet in each forwarder.") var cycles = 0
    @Option(help: "RX burst size (NFs).") var burst: Int?
    @Option(help: "The manager's backpressure: off or HIGH:LOW (its default when not given).") var backpressure: String?
    @Option(help: "Descriptors per NF ring (the manager's default when not given).") var ringSize: Int?
    @Option(help: "blocks: pin the forwarders in two contiguous arcs, one per CPU, and the dataplane thread with the second; single: every forwarder on CPU 1, the dataplane thread on CPU 0; free: let the scheduler place them.")
    var placement = ChainBench.Placement.blocks
    @Flag(help: "Run each CPU's arc of the chain as one NF group (one process, one thread: no context switches inside it).")
    var grouped = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Codable {
        var length: Int
        var runs: Int
        var duration: Int
        var mpps_min: Double
        var mpps_median: Double
        var mpps_max: Double
        /// Offered but not delivered, percent of offered (median over runs).
        var drop_pct: Double
        var offered_mpps_median: Double
        var run_mpps: [Double]
    }

    func validate() throws {
        guard (1...Limits.maxChainLength).contains(length) else { throw ValidationError("--length must be 1...\(Limits.maxChainLength)") }
        guard runs >= 1, duration >= 1, warmup >= 0, cycles >= 0 else { throw ValidationError("--runs and --duration must be at least 1") }
    }

    func run() throws {
        var mpps: [Double] = [], drops: [Double] = [], offered: [Double] = []
        let cpus: [Int]? = switch placement {
        case _ where ProcessInfo.processInfo.activeProcessorCount < 2: nil
        case .blocks: (1...length).map { ChainBench.cpu(position: $0, length: length + 1) }
        case .single: Array(repeating: 1, count: length)
        case .free: nil
        }
        for r in 1...runs {
            let p = try NullPortPlatform(platform: "ports\(getpid())", costs: Array(repeating: cycles, count: length), cpus: cpus,
                                         manager: (backpressure.map { ["--backpressure", $0] } ?? []) + (ringSize.map { ["--ring-size", "\($0)"] } ?? []),
                                         grouped: grouped,
                                         dataplaneCPU: cpus == nil ? nil : 0, nfOptions: burst.map { ["--burst", "\($0)"] } ?? [])
            defer { p.stop() }
            let (a, b) = try p.window(warmup: warmup, duration: duration)
            let seconds = b.at.timeIntervalSince(a.at)
            let out = Double(b.delivered - a.delivered), inn = Double(b.offered - a.offered)
            mpps.append(out / seconds / 1e6)
            offered.append(inn / seconds / 1e6)
            drops.append(inn > 0 ? max(0, inn - out) / inn * 100 : 0)
            Terminal.log("ports, chain \(length), run \(r)/\(runs): \(StatsTable.fixed(mpps.last!, 2)) Mpps out of \(StatsTable.fixed(offered.last!, 2)) offered (\(StatsTable.fixed(drops.last!, 1)) % dropped)")
        }
        let s = Summary(mpps)!
        let result = Result(length: length, runs: runs, duration: duration, mpps_min: s.min, mpps_median: s.median, mpps_max: s.max,
                            drop_pct: Summary(drops)!.median, offered_mpps_median: Summary(offered)!.median, run_mpps: mpps)
        if json {
            try Terminal.json(result)
        } else {
            Terminal.out("ports, chain \(length): \(StatsTable.fixed(s.min, 2)) / \(StatsTable.fixed(s.median, 2)) / \(StatsTable.fixed(s.max, 2)) Mpps delivered (min / median / max of \(runs) runs), offered \(StatsTable.fixed(result.offered_mpps_median, 2)) Mpps, \(StatsTable.fixed(result.drop_pct, 1)) % dropped")
        }
    }
}
