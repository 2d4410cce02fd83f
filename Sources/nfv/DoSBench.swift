import ArgumentParser
import Foundation
import NFVCore
import NFVOrchestration
import Synchronization

/// `nfv bench dos`: NetVM's DoS case study, end to end, with real traffic
/// between two network namespaces it creates (A: 10.9.0.1 and the attacker
/// 10.9.0.66; B: 10.9.0.2), the platform as a bump in the wire between
/// their veths (AF_PACKET ports). A detector NF counts packets per source;
/// normal flows run throughout, an attack starts after `attackAt` seconds.
/// When the detector's alarm arrives on the event stream, this command, as
/// a small controller over the API, sets a chain `scrub` to a filter
/// service, launches the filter NF (a forwarder that drops) and installs a
/// rule steering the attacking source into it; the other flows keep going.
/// Prints `mitigation_ms` (attack start to the attack's delivered rate
/// staying below 1 % of its offered rate, in 10 ms bins),
/// `normal_loss_pct` (normal packets lost over the whole run) and the
/// controller's timeline, and writes a plot of offered and delivered rates.
struct DoSBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dos", abstract: "NetVM's DoS case study: detect, launch a filter, steer; real traffic between namespaces.")

    @Option(help: "Seconds of traffic.") var duration = 8.0
    @Option(help: "When the attack starts, in seconds.") var attackAt = 3.0
    @Option(help: "Normal flows.") var flows = 3
    @Option(help: "Packets a second per normal flow.") var flowPps = 1000
    @Option(help: "Packets a second of the attack.") var attackPps = 30_000
    @Option(help: "The detector's threshold, packets a second from one source.") var thresholdPps = 10_000
    @Option(help: "Where to write the plot (PNG).") var plot = "dos.png"
    @Option(help: "Runs (figures: min / median / max).") var runs = 1
    @Flag(help: "Print one JSON object.") var json = false

    struct Run: Codable {
        var mitigation_ms: Double
        var normal_loss_pct: Double
        var alarm_ms: Double
        var rule_ms: Double
        var filter_running_ms: Double
        var sent_normal: Int
        var received_normal: Int
        var sent_attack: Int
        var received_attack: Int
    }

    struct Result: Codable {
        var runs: [Run]
        var mitigation_ms: Double
        var mitigation_ms_min: Double
        var mitigation_ms_max: Double
        var normal_loss_pct: Double
        var plot: String
    }

    func run() throws {
        var all: [Run] = []
        for r in 1...runs {
            let one = try oneRun(plotting: r == runs)
            Terminal.log("run \(r)/\(runs): mitigated in \(StatsTable.fixed(one.mitigation_ms, 0)) ms (alarm at +\(StatsTable.fixed(one.alarm_ms, 0)), rule at +\(StatsTable.fixed(one.rule_ms, 0)), filter running at +\(StatsTable.fixed(one.filter_running_ms, 0)) ms); normal loss \(StatsTable.fixed(one.normal_loss_pct, 3)) %")
            all.append(one)
        }
        let m = Summary(all.map(\.mitigation_ms))!
        let result = Result(runs: all, mitigation_ms: m.median, mitigation_ms_min: m.min, mitigation_ms_max: m.max,
                            normal_loss_pct: Summary(all.map(\.normal_loss_pct))!.median, plot: plot)
        if json {
            try Terminal.json(result)
        } else {
            Terminal.out("DoS mitigated in \(StatsTable.fixed(m.min, 0)) / \(StatsTable.fixed(m.median, 0)) / \(StatsTable.fixed(m.max, 0)) ms (min / median / max of \(runs)); normal loss \(StatsTable.fixed(result.normal_loss_pct, 3)) %; plot: \(plot)")
        }
    }

    private func oneRun(plotting: Bool) throws -> Run {
        let net = try DoSNetwork()
        defer { net.tearDown() }
        let o = Orchestrator(platform: "dos\(getpid())", echoManagerLog: false)
        defer { o.stopAll() }
        try o.startManager(["--port", "net_af_packet0,iface=\(net.ports[0])", "--port", "net_af_packet1,iface=\(net.ports[1])",
                            "--chain", "1", "--exit-port", "other", "--wait-for-chain", "true"])
        let api = o.control.client
        let detector = try api.launch(NFLaunchSpec(kind: "detector", service: 1, args: ["--threshold-pps", "\(thresholdPps)"], cpu: 1))
        try o.control.waitUntilRegistered(detector.instance, timeout: 30)
        // Wait for the standby to attach, so that the filter's launch is the platform's steady state.
        try o.control.waitUntilStandbyReady(timeout: 30)

        // The controller: alarm -> chain scrub -> filter launched -> rule.
        let timeline = Mutex<(alarm: Double?, rule: Double?, filterInstance: Int?)>((nil, nil, nil))
        let controller = Thread {
            try? api.followEvents { e in
                guard e.kind == .alarm, let src = e.message.split(separator: " ").first(where: { $0.hasPrefix("src=") })?.dropFirst(4) else { return true }
                timeline.withLock { $0.alarm = Date().timeIntervalSince1970 }
                do {
                    try api.setChain("scrub", "{\"steps\": [9], \"exit\": \"other\"}")
                    try api.addRule("{\"priority\": -100, \"src\": \"\(src)/32\", \"to\": \"chain:scrub\"}")
                    timeline.withLock { $0.rule = Date().timeIntervalSince1970 }
                    let filter = try api.launch(NFLaunchSpec(kind: "forward", service: 9, args: ["--to", "drop"], cpu: 0))
                    timeline.withLock { $0.filterInstance = filter.instance }
                } catch {
                    Terminal.log("controller: \(error)")
                }
                return false
            }
        }
        controller.start()
        // The stream is open once a change made now comes back on it.
        _ = try api.setChain("probe", "{\"steps\": [1]}")

        let receiver = try net.start(host: 1, ["python3", "-c", DoSTraffic.receiver, "10.9.0.2", "10.9.0.66", "\(duration + 2)"])
        guard receiver.waitForLine("ready", timeout: 10) else { throw Orchestrator.Failure(description: "the receiver did not start: \(receiver.errors)") }
        let sender = try net.start(host: 0, ["python3", "-c", DoSTraffic.sender, "10.9.0.2", "10.9.0.1", "10.9.0.66", "\(flows)", "\(flowPps)",
                                             "\(attackPps)", "\(attackAt)", "\(duration - 1)", "\(duration)"])
        var filterRunning: Double?
        while sender.isRunning {
            if filterRunning == nil, let i = timeline.withLock({ $0.filterInstance }), (try? api.nf(i).state) == "running" {
                filterRunning = Date().timeIntervalSince1970
            }
            usleep(2000)
        }
        let sent = try JSONSerialization.jsonObject(with: Data(sender.output.utf8)) as? [String: Any] ?? [:]
        receiver.waitUntilExit()
        let lines = receiver.output.split(separator: "\n")
        let got = lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        guard let attackStart = sent["attack_start"] as? Double, let attackEnd = sent["attack_end"] as? Double,
              let bins = got["bins"] as? [String: [Int]] else {
            throw Orchestrator.Failure(description: "traffic failed: sender \(sender.output) \(sender.errors); receiver \(receiver.errors)")
        }
        let start = sent["start"] as? Double ?? attackStart - attackAt
        // Mitigated: from the first 10 ms bin after which every bin of the
        // attack period holds under 1 % of its offered packets.
        let limit = Double(attackPps) / 100 * 0.01
        let firstBin = Int(attackStart * 100), lastBin = Int(attackEnd * 100) - 1
        var mitigatedBin = firstBin
        for b in firstBin...max(firstBin, lastBin) where Double(bins["\(b)"]?[1] ?? 0) >= limit { mitigatedBin = b + 1 }
        let mitigation = (Double(mitigatedBin) / 100 - attackStart) * 1000
        let t = timeline.withLock { $0 }
        let sentNormal = sent["sent_normal"] as? Int ?? 0, recvNormal = got["normal"] as? Int ?? 0
        let run = Run(mitigation_ms: mitigation,
                      normal_loss_pct: sentNormal > 0 ? Double(max(0, sentNormal - recvNormal)) / Double(sentNormal) * 100 : 100,
                      alarm_ms: ((t.alarm ?? .nan) - attackStart) * 1000, rule_ms: ((t.rule ?? .nan) - attackStart) * 1000,
                      filter_running_ms: ((filterRunning ?? .nan) - attackStart) * 1000,
                      sent_normal: sentNormal, received_normal: recvNormal,
                      sent_attack: sent["sent_attack"] as? Int ?? 0, received_attack: got["attack"] as? Int ?? 0)
        if plotting { try writePlot(bins: bins, start: start, attackStart: attackStart, attackEnd: attackEnd, mitigatedAt: Double(mitigatedBin) / 100) }
        return run
    }

    /// 100 ms bins: offered (what the sender was set to) and delivered, as packets/s.
    private func writePlot(bins: [String: [Int]], start: Double, attackStart: Double, attackEnd: Double, mitigatedAt: Double) throws {
        var csv = "time_s,offered_normal,delivered_normal,offered_attack,delivered_attack\n"
        let first = Int(start * 10)
        for tenth in first..<(first + Int(duration * 10)) {
            let lo = tenth * 10
            let counts = (lo..<(lo + 10)).map { bins["\($0)"] ?? [0, 0] }
            let t = Double(tenth) / 10
            // The attack's share of this bin, and the bin plotted at its middle.
            let overlap = max(0, min(t + 0.1, attackEnd) - max(t, attackStart)) / 0.1
            csv += "\(StatsTable.fixed(t + 0.05 - start, 2)),\(flows * flowPps),\(counts.reduce(0) { $0 + $1[0] } * 10),\(Int(overlap * Double(attackPps))),\(counts.reduce(0) { $0 + $1[1] } * 10)\n"
        }
        let csvPath = plot.replacingOccurrences(of: ".png", with: "") + ".csv"
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let p = Process()
        // Debian's python3 has matplotlib (python3-matplotlib).
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", DoSTraffic.plot, csvPath, plot, "SwiftNFV: DoS detected, filter launched, attacker steered into it",
                       StatsTable.fixed(attackStart - start, 3), StatsTable.fixed(mitigatedAt - start, 3)]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { Terminal.log("the plot failed (apt-get install python3-matplotlib); the data: \(csvPath)") }
    }
}
