import ArgumentParser
import Foundation
import NFVCore

/// `nfv bench backpressure`: wasted work with and without backpressure, in
/// the same run. A chain of forwarders of different cost (by default a
/// light one, 50 cycles a packet, then a heavy one, 1000) between a
/// `net_null` source that offers more than the chain can carry and a
/// `net_null` sink (`NullPortPlatform`). Without backpressure the light NF
/// handles packets the heavy one's full ring then drops; with it they are
/// dropped at the chain's entry. `wasted_pct`: packets dropped after an NF
/// handled them, as a percentage of the packets NFs handled. Modes
/// alternate run by run, each on a fresh platform.
struct BackpressureBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backpressure", abstract: "Measure wasted work with and without backpressure.")

    @Option(help: "Cycles of work per packet of each forwarder, in chain order (comma-separated).") var costs = "50,1000"
    @Option(help: "Watermarks for the runs with backpressure, HIGH:LOW percent of a ring.") var watermarks = "80:50"
    @Option(help: "Descriptors per NF ring.") var ringSize = 1024
    @Option(help: "Runs of each mode.") var runs = 3
    @Option(help: "Seconds measured per run.") var duration = 5
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 2
    @Flag(help: "Print one JSON object.") var json = false

    struct ModeResult: Codable {
        var backpressure: Bool
        var wasted_pct_min: Double
        var wasted_pct_median: Double
        var wasted_pct_max: Double
        var mpps_min: Double
        var mpps_median: Double
        var mpps_max: Double
        var offered_mpps_median: Double
        /// Drops at the chain's entry, percent of offered (median).
        var entry_drop_pct_median: Double
    }

    struct Result: Codable {
        /// With backpressure (medians over runs).
        var wasted_pct: Double
        var wasted_pct_without: Double
        var mpps: Double
        var mpps_without: Double
        var costs: [Int]
        var runs: Int
        var duration: Int
        var modes: [ModeResult]
    }

    struct Run {
        var wasted: Double
        var mpps: Double
        var offered: Double
        var entryDrops: Double
    }

    var costList: [Int] { costs.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !costList.isEmpty, costList.count <= Limits.maxChainLength, costList.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--costs: 1...\(Limits.maxChainLength) whole numbers of cycles")
        }
        do { _ = try ManagerConfig.Watermarks.parse(watermarks) } catch { throw ValidationError("--watermarks: \(error.problem)") }
        guard runs >= 1, duration >= 1, warmup >= 0 else { throw ValidationError("--runs and --duration must be at least 1") }
    }

    func run() throws {
        var results: [Bool: [Run]] = [false: [], true: []]
        for r in 1...runs {
            for on in [false, true] {
                let p = try NullPortPlatform(platform: "bp\(getpid())", costs: costList, cpus: nil,
                                             manager: ["--ring-size", "\(ringSize)", "--backpressure", on ? watermarks : "off"])
                defer { p.stop() }
                let (a, b) = try p.window(warmup: warmup, duration: duration)
                let seconds = b.at.timeIntervalSince(a.at)
                let processed = Double(b.processed - a.processed), offered = Double(b.offered - a.offered)
                let run = Run(wasted: processed > 0 ? Double(b.wasted - a.wasted) / processed * 100 : 0,
                              mpps: Double(b.delivered - a.delivered) / seconds / 1e6, offered: offered / seconds / 1e6,
                              entryDrops: offered > 0 ? Double(b.droppedAtEntry - a.droppedAtEntry) / offered * 100 : 0)
                results[on]!.append(run)
                Terminal.log("backpressure \(on ? "on" : "off"), run \(r)/\(runs): \(StatsTable.fixed(run.wasted, 2)) % wasted, \(StatsTable.fixed(run.mpps, 3)) Mpps delivered of \(StatsTable.fixed(run.offered, 2)) offered, \(StatsTable.fixed(run.entryDrops, 1)) % dropped at entry")
            }
        }
        let modes = [false, true].map { on -> ModeResult in
            let runs = results[on]!
            let w = Summary(runs.map(\.wasted))!, m = Summary(runs.map(\.mpps))!
            return ModeResult(backpressure: on, wasted_pct_min: w.min, wasted_pct_median: w.median, wasted_pct_max: w.max,
                              mpps_min: m.min, mpps_median: m.median, mpps_max: m.max,
                              offered_mpps_median: Summary(runs.map(\.offered))!.median,
                              entry_drop_pct_median: Summary(runs.map(\.entryDrops))!.median)
        }
        let result = Result(wasted_pct: modes[1].wasted_pct_median, wasted_pct_without: modes[0].wasted_pct_median,
                            mpps: modes[1].mpps_median, mpps_without: modes[0].mpps_median, costs: costList, runs: runs,
                            duration: duration, modes: modes)
        if json {
            try Terminal.json(result)
            return
        }
        for m in modes {
            Terminal.out("backpressure \(m.backpressure ? "on " : "off"): wasted \(StatsTable.fixed(m.wasted_pct_min, 2)) / \(StatsTable.fixed(m.wasted_pct_median, 2)) / \(StatsTable.fixed(m.wasted_pct_max, 2)) %, delivered \(StatsTable.fixed(m.mpps_min, 3)) / \(StatsTable.fixed(m.mpps_median, 3)) / \(StatsTable.fixed(m.mpps_max, 3)) Mpps (min / median / max of \(runs) runs)")
        }
    }
}
