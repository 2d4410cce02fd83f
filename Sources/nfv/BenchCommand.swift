import ArgumentParser
import Foundation
import NFVCore
import NFVFunctions
import Synchronization

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that start everything, measure and tear it all down.",
        subcommands: [ChainBench.self, NFCostBench.self, ClassifyBench.self, LaunchBench.self, DoSBench.self, FairnessBench.self, PortsBench.self, BackpressureBench.self, LoadShiftBench.self])
}

/// `nfv bench chain`: a speed tester and `length - 1` forwarders in a
/// circular chain (speed-tester -> forward -> ... -> speed-tester), the
/// layout of OpenNetVM's figures. A run is the median of its one-second
/// reports after warm-up; the result is min / median / max over runs.
struct ChainBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chain", abstract: "Measure a circular chain of NFs.")

    @Option(help: "NFs in the chain, the speed tester included (1...16).") var length = 3
    @Option(help: "Seconds measured per run.") var duration = 5
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 2
    @Option(help: "Runs.") var runs = 3
    @Option(help: "Packets in flight.") var packets = 128
    @Option(help: "Instances of each forwarder's service, sharing its packets by flow (each packet is its own flow, so consecutive packets interleave between instances).")
    var instances = 1
    @Option(help: "Empty polls before sleeping (NFs).") var spins: Int?
    @Option(help: "While idle, yield once every this many polls (NFs).") var yieldEvery: Int?
    @Option(help: "RX burst size (NFs).") var burst: Int?
    @Option(help: "blocks: pin the chain in two contiguous arcs, one per CPU; single: pin every NF on CPU 1 (with --grouped: the whole chain is one group, one thread: no hop crosses a CPU; with --through-port the dataplane thread on CPU 0); free: let the scheduler place the NFs.")
    var placement = Placement.blocks
    @Flag(help: "Also measure round-trip latency (p50 / p99 / max).") var latency = false
    @Flag(help: "Run each CPU's arc of the chain as one NF group (one process, one thread: no context switches inside it).")
    var grouped = false

    enum Placement: String, ExpressibleByArgument { case blocks, single, free }

    /// The CPU of chain position `position` (0: the speed tester, 1...: the
    /// forwarders in chain order): the first ceil(length / 2) forwarders on
    /// CPU 1, the rest with the speed tester on CPU 0, so that consecutive
    /// steps share a CPU and each CPU holds one arc of the circular chain.
    static func cpu(position: Int, length: Int) -> Int {
        position >= 1 && position <= (length + 1) / 2 ? 1 : 0
    }

    /// The CPU of chain position `position` under this run's placement
    /// (`nil`: the scheduler's choice).
    func cpu(position: Int) -> Int? {
        guard ProcessInfo.processInfo.activeProcessorCount >= 2 else { return nil }
        switch placement {
        case .blocks: return Self.cpu(position: position, length: length)
        case .single: return 1
        case .free: return nil
        }
    }

    @Flag(help: "Send the speed tester's packets out of a net_ring loopback port, so each round also crosses the manager's TX and RX.")
    var throughPort = false
    @Option(help: "With --through-port: pin the manager's dataplane thread to this CPU (default: CPU 0 with --placement single, else the scheduler's choice).")
    var dataplaneCPU: Int?
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Codable {
        var length: Int
        var runs: Int
        var duration: Int
        var packets: Int
        var mpps_min: Double
        var mpps_median: Double
        var mpps_max: Double
        var ns_per_hop: Double
        var run_medians: [Double]
        /// Round trip around the whole chain, with --latency: the median over
        /// runs of each run's median per-second p50 and p99, and the largest max.
        var p50_ns: Double?
        var p99_ns: Double?
        var max_ns: Double?
    }

    /// One run: the median of its per-second reports after warm-up.
    struct RunFigures {
        var mpps: Double
        var p50: Double?
        var p99: Double?
        var max: Double?
    }

    func validate() throws {
        guard (1...Limits.maxChainLength).contains(length) else { throw ValidationError("--length must be 1...\(Limits.maxChainLength)") }
        guard runs >= 1, duration >= 1, warmup >= 0 else { throw ValidationError("--runs and --duration must be at least 1") }
        guard (1...Limits.maxInstancesPerService).contains(instances), (length - 1) * instances + 1 <= Limits.maxNFs else {
            throw ValidationError("--instances must be 1...\(Limits.maxInstancesPerService), with at most \(Limits.maxNFs) NFs in all")
        }
    }

    func run() throws {
        var figures: [RunFigures] = []
        for r in 1...runs {
            let f = try oneRun()
            figures.append(f)
            var line = "chain \(length), run \(r)/\(runs): \(StatsTable.fixed(f.mpps, 2)) Mpps"
            if let p50 = f.p50, let p99 = f.p99 { line += ", p50 \(Int(p50)) ns, p99 \(Int(p99)) ns" }
            Terminal.log(line)
        }
        let medians = figures.map(\.mpps)
        let s = Summary(medians)!
        var result = Result(length: length, runs: runs, duration: duration, packets: packets,
                            mpps_min: s.min, mpps_median: s.median, mpps_max: s.max,
                            ns_per_hop: 1000 / (s.median * Double(length)), run_medians: medians)
        if latency {
            result.p50_ns = Summary(figures.compactMap(\.p50))?.median
            result.p99_ns = Summary(figures.compactMap(\.p99))?.median
            result.max_ns = figures.compactMap(\.max).max()
        }
        if json {
            try Terminal.json(result)
        } else {
            var line = "chain \(length): \(StatsTable.fixed(s.min, 2)) / \(StatsTable.fixed(s.median, 2)) / \(StatsTable.fixed(s.max, 2)) Mpps (min / median / max of \(runs) runs), \(StatsTable.fixed(result.ns_per_hop, 2)) ns per hop"
            if let p50 = result.p50_ns, let p99 = result.p99_ns, let mx = result.max_ns {
                line += "; round trip p50 \(Int(p50)) ns, p99 \(Int(p99)) ns, max \(Int(mx)) ns"
            }
            Terminal.out(line)
        }
    }

    private func oneRun() throws -> RunFigures {
        let o = Orchestrator(platform: "bench\(getpid())", echoManagerLog: false)
        defer { o.stopAll() }
        // Through the port: speed tester -> port 0 -> (manager TX, loopback, RX) -> chain's first service.
        // Placed on a single CPU, the chain leaves the other to the dataplane thread.
        let dataplane = (dataplaneCPU ?? (placement == .single && cpu(position: 0) != nil ? 0 : nil)).map { ["--dataplane-cpu", "\($0)"] } ?? []
        try o.startManager(throughPort ? ["--port", "net_ring0", "--chain", length == 1 ? "1" : "2"] + dataplane : [])
        var idle: [String] = []
        if let spins { idle += ["--spins", "\(spins)"] }
        if let yieldEvery { idle += ["--yield-every", "\(yieldEvery)"] }
        let burstOption = burst.map { ["--burst", "\($0)"] } ?? []
        func pin(_ position: Int) -> [String] { cpu(position: position).map { ["--cpu", "\($0)"] } ?? [] }
        let reports = Mutex<[SpeedTester.Report]>([])
        let onReport: @Sendable (String) -> Void = { line in
            guard let r = try? JSONDecoder().decode(SpeedTester.Report.self, from: Data(line.utf8)) else { return }
            reports.withLock { $0.append(r) }
        }
        func forwarder(_ s: Int) -> [String] { ["forward", "--service", "\(s)", "--to", "service:\(s == length ? 1 : s + 1)"] + burstOption }
        let first = throughPort ? "port:0" : "service:\(length == 1 ? 1 : 2)"
        let tester = ["speed-tester", "--service", "1", "--to", first, "--packets", "\(packets)", "--json"]
            + (latency ? ["--latency"] : []) + burstOption
        if grouped {
            // One group per CPU arc (the speed tester's arc last: its first
            // hop must be registered before it sends); placed on a single
            // CPU, the whole chain is one group.
            let services = length >= 2 ? Array(2...length) : []
            func arc(_ cpu: Int) -> [[String]] {
                services.filter { (placement == .single ? 0 : Self.cpu(position: $0 - 1, length: length)) == cpu }
                    .flatMap { s in Array(repeating: forwarder(s), count: instances) }
            }
            let arc1 = arc(1)
            if !arc1.isEmpty { try o.startGroup(arc1, options: idle + pin(1)) }
            try o.startGroup(arc(0) + [tester], options: idle + pin(0), onOutput: onReport)
        } else {
            for s in stride(from: length, through: 2, by: -1) {
                for _ in 0..<instances { try o.startNF(forwarder(s) + idle + pin(s - 1)) }
            }
            try o.startNF(tester + idle + pin(0), onOutput: onReport)
        }
        let want = warmup + duration
        let deadline = Date().addingTimeInterval(Double(want) + 15)
        while reports.withLock({ $0.count }) < want && Date() < deadline { usleep(50_000) }
        let all = reports.withLock { $0 }
        guard all.count >= want else { throw Orchestrator.Failure(description: "the speed tester reported \(all.count) of \(want) seconds") }
        let measured = Array(all[warmup..<want])
        return RunFigures(mpps: Summary(measured.map(\.mpps))!.median,
                          p50: Summary(measured.compactMap(\.p50Nanoseconds))?.median,
                          p99: Summary(measured.compactMap(\.p99Nanoseconds))?.median,
                          max: measured.compactMap(\.maxNanoseconds).max())
    }
}
