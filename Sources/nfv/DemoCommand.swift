import ArgumentParser
import Foundation
import NFVCore
import NFVShared
import Synchronization

/// `nfv demo`: a manager and a chain of three NFs on the built-in default
/// (no NIC, no configuration): speed-tester (service 1) -> monitor
/// (service 2) -> forward (service 3) -> back to the speed tester. Shows
/// the live table once a second and stops cleanly.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run a manager and a chain of three NFs, with live statistics.")

    @Option(help: "Seconds to run (0: until Ctrl-C).") var duration = 10.0
    @Flag(help: "Measure round-trip latency too.") var latency = false

    func run() throws {
        let signals = SignalWatcher()
        let platform = "demo"
        let o = Orchestrator(platform: platform, echoManagerLog: true)
        defer { o.stopAll() }
        Terminal.log("starting a manager and a chain: speed-tester -> monitor -> forward -> speed-tester")
        try o.startManager()
        let lastSample = Mutex<String>("")
        let lastRate = Mutex<String>("")
        // The placement that measured best on two CPUs (BENCHMARKS.md): the
        // speed tester on one, the rest of the chain on the other.
        let twoCPUs = ProcessInfo.processInfo.activeProcessorCount >= 2
        let rest = twoCPUs ? ["--cpu", "1"] : [], tester = twoCPUs ? ["--cpu", "0"] : []
        try o.startNF(["forward", "--service", "3", "--to", "service:1"] + rest)
        try o.startNF(["monitor", "--service", "2", "--to", "service:3"] + rest, onLog: { line in
            if let r = line.range(of: "sample: ") { lastSample.withLock { $0 = "monitor saw: " + line[r.upperBound...] } }
        })
        try o.startNF(["speed-tester", "--service", "1", "--to", "service:2"] + tester + (latency ? ["--latency"] : [])) { line in
            lastRate.withLock { $0 = line }
        }
        let api = o.control.client
        let start = Date()
        let live = Terminal.isInteractive
        while !signals.stopRequested && (duration <= 0 || Date().timeIntervalSince(start) < duration) {
            usleep(1_000_000)
            guard let stats = try? api.stats() else { continue }
            Terminal.out((live ? Terminal.clear : "") + StatsTable.render(stats) + lastRate.withLock { $0 } + "\n"
                         + lastSample.withLock { $0 })
        }
        Terminal.log("stopping")
    }
}
