import ArgumentParser
import Foundation
import NFVCore
import NFVShared
import NFVOrchestration

/// `nfv bench fairness`: NFs of different per-packet cost with CPU weights,
/// more of them than CPUs, all overloaded, and how close each NF's actual
/// share of the CPU comes to the share its weight specifies.
///
/// Each NF is a speed tester that keeps packets in flight to its own
/// service and spends `--costs` cycles on each (`SyntheticWork`), so it
/// always has work: the CPU, not the traffic, limits it. The NFs are
/// launched through the control API, supervised, with their weights
/// (cgroup cpu.shares) and CPUs balanced by weight (`CPUPlacement`). Each
/// run of each mode starts a fresh platform; the modes run one after the
/// other in the same invocation:
/// - `weighted`: the weights enforced;
/// - `equal`: the same NFs and CPUs, no weights (what the kernel does alone);
/// - `weighted-auto`: the weights, no CPUs given: the manager places the
///   NFs as they launch, one by one (`Supervisor`'s rebalance).
///
/// An NF's specified share is its weight over the total weight; its actual
/// share is its CPU time over all the NFs' CPU time in the window
/// (`/proc/PID/schedstat`). The deviation is the gap between the two as a
/// percentage of the specified share; the figure is the largest over the
/// NFs, then min / median / max over runs.
struct FairnessBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fairness", abstract: "Measure CPU shares against NF weights under overload.")

    @Option(help: "Cycles of work per packet of each NF (comma-separated).") var costs = "50,200,1000,1000,50,200"
    @Option(help: "CPU weight of each NF (comma-separated, 1...10000).") var weights = "100,200,400,100,200,400"
    @Option(help: "Modes, run in this order: weighted, equal, weighted-auto (comma-separated).") var modes = "weighted,equal"
    @Option(help: "Runs per mode.") var runs = 3
    @Option(help: "Seconds measured per run.") var duration = 5
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 2
    @Option(help: "Packets each NF keeps in flight.") var packets = 256
    @Flag(help: "Print one JSON object.") var json = false

    enum Mode: String, CaseIterable { case weighted, equal, weightedAuto = "weighted-auto" }

    struct NFFigure: Codable {
        var instance: Int
        var cost_cycles: Int
        var weight: Int
        var cpu: Int?
        var specified_pct: Double
        var actual_pct: Double
        /// Percent of one CPU.
        var cpu_pct: Double
        var mpps: Double
    }

    struct ModeResult: Codable {
        var mode: String
        var max_deviation_pct_min: Double
        var max_deviation_pct_median: Double
        var max_deviation_pct_max: Double
        var throughput_mpps_min: Double
        var throughput_mpps_median: Double
        var throughput_mpps_max: Double
        /// The NFs' CPU time over the window, in percent of all CPUs.
        var cpu_used_pct_median: Double
        /// The run with the median deviation.
        var median_run: [NFFigure]
    }

    struct Result: Codable {
        /// The `weighted` mode's medians (the first mode's if it did not run).
        var max_deviation_pct: Double
        var throughput_mpps: Double
        var cpus: Int
        var runs: Int
        var duration: Int
        var modes: [ModeResult]
    }

    struct Run {
        var maxDeviation: Double
        var mpps: Double
        var cpuUsed: Double
        var nfs: [NFFigure]
    }

    var parsed: (costs: [Int], weights: [Int], modes: [Mode]) {
        get throws {
            let c = costs.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let w = weights.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let m = try modes.split(separator: ",").map { s in
                guard let m = Mode(rawValue: s.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--modes: '\(s)' is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return m
            }
            return (c, w, m)
        }
    }

    func validate() throws {
        let p = try parsed
        guard !p.costs.isEmpty, p.costs.count == p.weights.count, p.costs.count <= Limits.maxServices - 1 else {
            throw ValidationError("--costs and --weights need the same number of NFs (1...\(Limits.maxServices - 1))")
        }
        guard p.costs.allSatisfy({ $0 >= 0 }), p.weights.allSatisfy({ (1...10_000).contains($0) }) else {
            throw ValidationError("costs are 0 or more cycles; weights are 1...10000")
        }
        guard !p.modes.isEmpty, runs >= 1, duration >= 1, warmup >= 0 else { throw ValidationError("--modes, --runs and --duration must not be empty or 0") }
    }

    func run() throws {
        let p = try parsed
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let placement = CPUPlacement.balanced(weights: p.weights, cpus: cpus)
        var results: [ModeResult] = []
        for mode in p.modes {
            var done: [Run] = []
            for r in 1...runs {
                let run = try oneRun(mode: mode, costs: p.costs, weights: p.weights, placement: placement, cpus: cpus)
                done.append(run)
                Terminal.log("\(mode.rawValue), run \(r)/\(runs): max deviation \(StatsTable.fixed(run.maxDeviation, 2)) %, \(StatsTable.fixed(run.mpps, 2)) Mpps, NFs used \(StatsTable.fixed(run.cpuUsed, 1)) % of the CPUs; "
                             + run.nfs.map { "\($0.weight)/\($0.cost_cycles)c: \(StatsTable.fixed($0.actual_pct, 1)) % (\(StatsTable.fixed($0.specified_pct, 1)))" }.joined(separator: ", "))
            }
            let d = Summary(done.map(\.maxDeviation))!, t = Summary(done.map(\.mpps))!
            let median = done.sorted { $0.maxDeviation < $1.maxDeviation }[(done.count - 1) / 2]
            results.append(ModeResult(mode: mode.rawValue, max_deviation_pct_min: d.min, max_deviation_pct_median: d.median,
                                      max_deviation_pct_max: d.max, throughput_mpps_min: t.min, throughput_mpps_median: t.median,
                                      throughput_mpps_max: t.max, cpu_used_pct_median: Summary(done.map(\.cpuUsed))!.median,
                                      median_run: median.nfs))
        }
        let headline = results.first { $0.mode == Mode.weighted.rawValue } ?? results[0]
        let result = Result(max_deviation_pct: headline.max_deviation_pct_median, throughput_mpps: headline.throughput_mpps_median,
                            cpus: cpus, runs: runs, duration: duration, modes: results)
        if json {
            try Terminal.json(result)
            return
        }
        for m in results {
            Terminal.out("\(m.mode): max deviation \(StatsTable.fixed(m.max_deviation_pct_min, 2)) / \(StatsTable.fixed(m.max_deviation_pct_median, 2)) / \(StatsTable.fixed(m.max_deviation_pct_max, 2)) %, throughput \(StatsTable.fixed(m.throughput_mpps_min, 2)) / \(StatsTable.fixed(m.throughput_mpps_median, 2)) / \(StatsTable.fixed(m.throughput_mpps_max, 2)) Mpps (min / median / max of \(runs) runs)")
            Terminal.out(TextTable.render(["NF", "cost", "weight", "CPU", "specified %", "actual %", "% of a CPU", "Mpps"], m.median_run.map { n in
                ["\(n.instance)", "\(n.cost_cycles)", "\(n.weight)", n.cpu.map { "\($0)" } ?? "-",
                 StatsTable.fixed(n.specified_pct, 1), StatsTable.fixed(n.actual_pct, 1), StatsTable.fixed(n.cpu_pct, 1), StatsTable.fixed(n.mpps, 2)]
            }))
        }
    }

    private func oneRun(mode: Mode, costs: [Int], weights: [Int], placement: [Int], cpus: Int) throws -> Run {
        let o = Orchestrator(platform: "fair\(getpid())", echoManagerLog: false)
        defer { o.stopAll() }
        try o.startManager([])
        let api = o.control.client
        var instances: [Int] = []
        for i in costs.indices {
            let service = i + 1
            let spec = NFLaunchSpec(kind: "speed-tester", service: service,
                                    args: ["--to", "service:\(service)", "--packets", "\(packets)", "--cycles", "\(costs[i])"],
                                    cpu: mode == .weightedAuto ? nil : placement[i], restart: .never,
                                    cpuWeight: mode == .equal ? nil : weights[i])
            instances.append(try api.launch(spec).instance)
            _ = try o.control.waitUntilRegistered(instances[i], timeout: 30)
        }
        Thread.sleep(forTimeInterval: Double(warmup))
        let before = try sample(api, instances)
        let start = Date()
        Thread.sleep(forTimeInterval: Double(duration))
        let after = try sample(api, instances)
        let seconds = Date().timeIntervalSince(start)
        let cpu = instances.indices.map { Double(after[$0].cpu &- before[$0].cpu) }
        let rx = instances.indices.map { Double(after[$0].rx &- before[$0].rx) }
        // Where each ran: weighted-auto's CPUs are the manager's choice.
        let placed = try instances.map { try api.nf($0).launch?.cpu }
        let totalCPU = cpu.reduce(0, +), totalWeight = Double(weights.reduce(0, +))
        var figures: [NFFigure] = []
        var worst = 0.0
        for i in instances.indices {
            let specified = Double(weights[i]) / totalWeight * 100
            let actual = totalCPU > 0 ? cpu[i] / totalCPU * 100 : 0
            worst = max(worst, abs(actual - specified) / specified * 100)
            figures.append(NFFigure(instance: instances[i], cost_cycles: costs[i], weight: weights[i],
                                    cpu: placed[i], specified_pct: specified, actual_pct: actual,
                                    cpu_pct: cpu[i] / (seconds * 1e9) * 100, mpps: rx[i] / seconds / 1e6))
        }
        return Run(maxDeviation: worst, mpps: rx.reduce(0, +) / seconds / 1e6,
                   cpuUsed: totalCPU / (seconds * 1e9 * Double(cpus)) * 100, nfs: figures)
    }

    /// Each instance's packets received (API) and run-loop CPU time (schedstat).
    private func sample(_ api: ControlClient, _ instances: [Int]) throws -> [(rx: UInt64, cpu: UInt64)] {
        let nfs = try api.nfs()
        return try instances.map { i in
            guard let nf = nfs.first(where: { $0.instance == i }), nf.state == "running",
                  let cpu = ProcessCPU.nanoseconds(nf.pid) else {
                throw Orchestrator.Failure(description: "instance \(i) is not running")
            }
            return (nf.rx, cpu)
        }
    }
}
