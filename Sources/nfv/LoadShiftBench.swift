import ArgumentParser
import Foundation
import NFVCore
import NFVOrchestration
import NFVShared

/// `nfv bench shift`: CPU shares when traffic moves between chains. Two
/// `net_null` sources (ports 0 and 2) feed chain `a` (NFs 1 -> 2) and chain
/// `b` (NFs 3 -> 4), both out of a `net_null` sink (port 1); each NF spends
/// `--costs` cycles a packet and has a CPU weight (`--weights`), and the NFs
/// are placed on the CPUs by weight. In three phases the flow table sends
/// port 0's packets to `a` and drops port 2's; then both to their chains;
/// then port 0's are dropped and port 2's go to `b` (rules replaced through
/// the control API). Every 100 ms it samples each NF's packets (API) and
/// CPU time (schedstat), writes them as CSV and a plot (PNG), and reports
/// each phase's shares and how long after each change every NF's CPU share
/// first was within `--band` points of where that phase settles (its mean
/// over the phase's second half), at 100 ms resolution.
struct LoadShiftBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shift", abstract: "Plot per-NF rates and CPU shares as traffic moves between chains.")

    @Option(help: "Cycles of work per packet of NFs 1...4 (comma-separated).") var costs = "200,1000,200,1000"
    @Option(help: "CPU weights of NFs 1...4 (comma-separated).") var weights = "100,100,200,200"
    @Option(help: "Seconds per phase.") var phaseSeconds = 4
    @Option(help: "Followed: every NF within this many points (percent of one CPU) of the phase's mean over its second half.") var band = 10.0
    @Option(help: "Where to write the plot (PNG); the samples go next to it as CSV.") var plot = "shift.png"
    @Flag(help: "Print one JSON object.") var json = false

    static let phases: [(name: String, a: Bool, b: Bool)] = [("a only", true, false), ("a and b", true, true), ("b only", false, true)]

    struct PhaseResult: Codable {
        var phase: String
        /// Per NF 1...4, over the phase's second half.
        var cpu_pct: [Double]
        var mpps: [Double]
        /// The end of the first 100 ms interval after the phase began in which
        /// every NF was within the band (nil: never, or the first phase).
        var follow_ms: Double?
    }

    struct Result: Codable {
        var weights: [Int]
        var costs: [Int]
        var phases: [PhaseResult]
        /// The largest follow time over the changes.
        var follow_ms_max: Double?
        var plot: String
    }

    func validate() throws {
        let c = costs.split(separator: ",").compactMap { Int($0) }, w = weights.split(separator: ",").compactMap { Int($0) }
        guard c.count == 4, w.count == 4, c.allSatisfy({ $0 >= 0 }), w.allSatisfy({ (1...10_000).contains($0) }) else {
            throw ValidationError("--costs and --weights: four whole numbers each (weights 1...10000)")
        }
        guard phaseSeconds >= 2 else { throw ValidationError("--phase-seconds must be at least 2") }
    }

    struct Sample {
        var t: Double
        var rx: [UInt64]
        var cpu: [UInt64]
    }

    func run() throws {
        let costList = costs.split(separator: ",").compactMap { Int($0) }, weightList = weights.split(separator: ",").compactMap { Int($0) }
        let o = Orchestrator(platform: "shift\(getpid())", echoManagerLog: false)
        defer { o.stopAll() }
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("nfv-shift-\(getpid()).yaml")
        try """
            ports: [net_null0, "net_null1,no-rx=1", net_null2]
            chains:
              a: {steps: [1, 2], exit: 1}
              b: {steps: [3, 4], exit: 1}
            rules:
              - {id: 1, in_port: 0, to: drop}
              - {id: 2, in_port: 2, to: drop}
            """.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        try o.startManager(["--config", config.path])
        let api = o.control.client
        let cpus = CPUPlacement.balanced(weights: weightList, cpus: ProcessInfo.processInfo.activeProcessorCount)
        var instances: [Int] = []
        for i in 0..<4 {
            let nf = try api.launch(NFLaunchSpec(kind: "forward", service: i + 1, args: ["--to", "next", "--cycles", "\(costList[i])"],
                                                 cpu: cpus[i], restart: .never, cpuWeight: weightList[i]))
            try o.control.waitUntilRegistered(nf.instance, timeout: 30)
            instances.append(nf.instance)
        }
        func sample(_ start: Date) throws -> Sample {
            let nfs = try api.nfs()
            var s = Sample(t: Date().timeIntervalSince(start), rx: [], cpu: [])
            for i in instances {
                guard let nf = nfs.first(where: { $0.instance == i }), let ns = ProcessCPU.nanoseconds(nf.pid) else {
                    throw Orchestrator.Failure(description: "instance \(i) is not running")
                }
                s.rx.append(nf.rx)
                s.cpu.append(ns)
            }
            return s
        }
        let start = Date()
        var samples: [Sample] = [try sample(start)]
        var changes: [Double] = []
        for (k, phase) in Self.phases.enumerated() {
            try api.send("PUT", "/v1/rules/1", body: Data("{id: 1, in_port: 0, to: \(phase.a ? "\"chain:a\"" : "drop")}".utf8)) as SteeringChange
            try api.send("PUT", "/v1/rules/2", body: Data("{id: 2, in_port: 2, to: \(phase.b ? "\"chain:b\"" : "drop")}".utf8)) as SteeringChange
            changes.append(Date().timeIntervalSince(start))
            Terminal.log("phase \(k + 1): \(phase.name)")
            let end = start.addingTimeInterval(changes[k] + Double(phaseSeconds))
            var next = Date()
            while Date() < end {
                next = next.addingTimeInterval(0.1)
                Thread.sleep(until: next)
                samples.append(try sample(start))
            }
        }
        // 100 ms intervals: rate and CPU share per NF, at the interval's end.
        var rows: [(t: Double, mpps: [Double], cpu: [Double])] = []
        for j in 1..<samples.count {
            let a = samples[j - 1], b = samples[j], dt = b.t - a.t
            rows.append((b.t, (0..<4).map { Double(b.rx[$0] - a.rx[$0]) / dt / 1e6 },
                         (0..<4).map { Double(b.cpu[$0] - a.cpu[$0]) / (dt * 1e9) * 100 }))
        }
        var phases: [PhaseResult] = []
        for (k, phase) in Self.phases.enumerated() {
            let from = changes[k], to = k + 1 < changes.count ? changes[k + 1] : (rows.last?.t ?? from)
            let settled = rows.filter { $0.t > from + (to - from) / 2 && $0.t <= to }
            let cpu = (0..<4).map { i in settled.map { $0.cpu[i] }.reduce(0, +) / Double(max(1, settled.count)) }
            let mpps = (0..<4).map { i in settled.map { $0.mpps[i] }.reduce(0, +) / Double(max(1, settled.count)) }
            var follow: Double?
            if k > 0, let first = rows.first(where: { r in r.t > from && r.t <= to && (0..<4).allSatisfy { abs(r.cpu[$0] - cpu[$0]) <= band } }) {
                // The end of the first interval in which every NF's share was in the band.
                follow = (first.t - from) * 1000
            }
            phases.append(PhaseResult(phase: phase.name, cpu_pct: cpu, mpps: mpps, follow_ms: follow))
        }
        var csv = "time_s," + (1...4).map { "nf\($0)_mpps" }.joined(separator: ",") + "," + (1...4).map { "nf\($0)_cpu_pct" }.joined(separator: ",") + "\n"
        for r in rows { csv += ([StatsTable.fixed(r.t, 2)] + r.mpps.map { StatsTable.fixed($0, 4) } + r.cpu.map { StatsTable.fixed($0, 2) }).joined(separator: ",") + "\n" }
        let csvPath = plot.replacingOccurrences(of: ".png", with: "") + ".csv"
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let labels = (0..<4).map { "NF \($0 + 1) (\($0 < 2 ? "a" : "b"), weight \(weightList[$0]), \(costList[$0]) cycles, CPU \(cpus[$0]))" }
        let p = Process()
        // Debian's python3 has matplotlib (python3-matplotlib).
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", Self.plotScript, csvPath, plot, changes.map { StatsTable.fixed($0, 2) }.joined(separator: ","),
                       Self.phases.map(\.name).joined(separator: ","), labels.joined(separator: ";")]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { Terminal.log("the plot failed (apt-get install python3-matplotlib); the data: \(csvPath)") }
        let follows = phases.compactMap(\.follow_ms)
        let result = Result(weights: weightList, costs: costList, phases: phases,
                            follow_ms_max: follows.count == phases.count - 1 ? follows.max() : nil, plot: plot)
        if json {
            try Terminal.json(result)
            return
        }
        Terminal.out(TextTable.render(["phase", "CPU % of one CPU (NF 1, 2, 3, 4)", "Mpps (NF 1, 2, 3, 4)", "follow"], phases.map { ph in
            [ph.phase, ph.cpu_pct.map { StatsTable.fixed($0, 1) }.joined(separator: " "), ph.mpps.map { StatsTable.fixed($0, 3) }.joined(separator: " "),
             ph.follow_ms.map { "\(Int($0)) ms" } ?? "-"]
        }))
        Terminal.out("plot: \(plot), samples: \(csvPath)")
    }

    static let plotScript = #"""
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["time_s"]) for r in rows]
changes = [float(x) for x in sys.argv[3].split(",")]
names = sys.argv[4].split(",")
labels = sys.argv[5].split(";")
colors = ["#3182ce", "#90cdf4", "#dd6b20", "#fbd38d"]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), dpi=110, sharex=True)
for i in range(4):
    top.plot(t, [float(r["nf%d_mpps" % (i + 1)]) for r in rows], color=colors[i], label=labels[i])
    bottom.plot(t, [float(r["nf%d_cpu_pct" % (i + 1)]) for r in rows], color=colors[i], label=labels[i])
for ax in (top, bottom):
    for c in changes: ax.axvline(c, color="#718096", linewidth=1, linestyle=":")
    ax.grid(alpha=.3)
for c, n in zip(changes, names): top.annotate(n, (c, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12), textcoords="offset points", fontsize=8)
top.set_ylabel("Mpps (100 ms)"); bottom.set_ylabel("CPU, % of one CPU (100 ms)"); bottom.set_xlabel("time (s)")
top.set_title("SwiftNFV: traffic on chain a, then a and b, then b; the CPU shares follow")
bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8)
fig.tight_layout(); fig.savefig(sys.argv[2])
"""#
}
