import ArgumentParser
import Foundation
import NFVCore
import NFVOrchestration

/// `nfv bench launch`: how long from a launch request to the NF's first
/// packet processed. A manager with a `net_null` port whose chain's only
/// service has no instance, so the port is held (`wait_for_chain`) until
/// one registers; each run asks the API to launch a forwarder for it and
/// polls the NF's counters until it has received a packet, then stops it
/// and waits until it has gone. Prints min / median / max over runs, and
/// where the time went (the NF's start-up trace: spawn or hand-over to the
/// manager's standby process -> main -> attached (DPDK's secondary init
/// and lookups; done ahead by a standby) -> registered -> ready (its own
/// rings found, its loop about to start) -> first packet).
/// Each run waits first until the standby is attached (the platform's
/// steady state). `--no-standby` measures fresh processes only; `--group`
/// launches the forwarder as the one member of a supervised NF group
/// (`POST /v1/groups`; a group's process prints no start-up trace).
struct LaunchBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "launch", abstract: "Measure an NF's start: launch request to first packet.")

    @Option(help: "Runs.") var runs = 10
    @Option(help: "Pin the launched NF to this CPU.") var cpu: Int?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Start each NF as a new process (the manager keeps no standby).") var noStandby = false
    @Flag(help: "Launch the forwarder as an NF group of one member.") var group = false

    struct Result: Codable {
        var runs: Int
        var ms_min: Double
        var ms_median: Double
        var ms_max: Double
        /// Medians of the start-up trace's steps, ms after the spawn.
        var phases_ms: [String: Double]
        /// Median of the rest: request to spawn (the API, the control
        /// thread), and from the NF's loop's start to the first packet
        /// seen through the API.
        var outside_trace_ms: Double
        var standby: Bool
        var group: Bool
        var run_ms: [Double]
    }

    func validate() throws { guard runs >= 1 else { throw ValidationError("--runs must be at least 1") } }

    func run() throws {
        let o = Orchestrator(platform: "launch\(getpid())", echoManagerLog: false)
        defer { o.stopAll() }
        try o.startManager(["--port", "net_null0", "--chain", "1", "--wait-for-chain", "true"] + (noStandby ? ["--no-standby"] : []))
        let api = o.control.client
        var totals: [Double] = [], phases: [String: [Double]] = [:], toSpawn: [Double] = []
        for r in 1...runs {
            // Each run starts from the platform's steady state: its standby attached.
            if !noStandby { try o.control.waitUntilStandbyReady(timeout: 30) }
            let start = Date()
            let forward = NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "drop"])
            let nf = group ? try api.launchGroup(NFGroupSpec(name: "bench", members: [forward], cpu: cpu, restart: .never))[0]
                           : try api.launch(NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "drop"], cpu: cpu, restart: .never))
            while true {
                let now = try api.nf(nf.instance)
                if now.rx > 0 { break }
                if now.state == "stopped" || now.state == "failed" {
                    throw Orchestrator.Failure(description: "the NF \(now.state): \(now.history.last?.how ?? "")")
                }
                guard Date().timeIntervalSince(start) < 30 else { throw Orchestrator.Failure(description: "no packet after 30 s") }
                usleep(200)
            }
            let ms = Date().timeIntervalSince(start) * 1000
            totals.append(ms)
            // The trace: "startup: main 3.1 attached 20.4 registered 22.3 ms after spawn".
            var line = "run \(r)/\(runs): \(StatsTable.fixed(ms, 1)) ms to the first packet"
            if let log = nf.logFile, let text = try? String(contentsOfFile: log, encoding: .utf8),
               let traceLine = text.split(separator: "\n").last(where: { $0.contains("startup: ") }) {
                let words = traceLine[traceLine.range(of: "startup: ")!.upperBound...].split(separator: " ")
                var i = 0
                while i + 1 < words.count, let v = Double(words[i + 1]) {
                    phases[String(words[i]), default: []].append(v)
                    i += 2
                }
                let spawnedAfter = ms - (phases["ready"]?.last ?? 0)
                toSpawn.append(spawnedAfter)
                line += " (\(traceLine[traceLine.range(of: "startup: ")!.upperBound...]))"
            }
            Terminal.log(line)
            try api.stop(nf.instance)
            let deadline = Date().addingTimeInterval(30)
            while (try api.nf(nf.instance)).state != "stopped" {
                guard Date() < deadline else { throw Orchestrator.Failure(description: "instance \(nf.instance) did not stop") }
                usleep(1000)
            }
        }
        let s = Summary(totals)!
        let result = Result(runs: runs, ms_min: s.min, ms_median: s.median, ms_max: s.max,
                            phases_ms: phases.compactMapValues { Summary($0)?.median },
                            outside_trace_ms: Summary(toSpawn)?.median ?? 0, standby: !noStandby, group: group, run_ms: totals)
        if json {
            try Terminal.json(result)
        } else {
            let steps = ["main", "attached", "registered", "ready"].compactMap { k in result.phases_ms[k].map { "\(k) \(StatsTable.fixed($0, 1))" } }
            Terminal.out("launch to first packet: \(StatsTable.fixed(s.min, 1)) / \(StatsTable.fixed(s.median, 1)) / \(StatsTable.fixed(s.max, 1)) ms (min / median / max of \(runs) runs, \(group ? "a group, " : "")\(noStandby ? "new processes" : "standby hand-over"))\(steps.isEmpty ? "" : "; medians after spawn: " + steps.joined(separator: ", ") + " ms")")
        }
    }
}
