import ArgumentParser
import Foundation
import NFVCore
import NFVOrchestration
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// `nfv up FILE`: starts a manager on a deployment file (ports, chains,
/// rules and the NFs it starts and supervises), waits through the API
/// until everything in it runs, then shows live statistics until Ctrl-C
/// (which takes it down), or with `--detach` leaves it running.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start a platform from a deployment file and wait until all of it runs.",
        discussion: "The file is a manager configuration with an nfs: list (see config/bump-in-the-wire.yaml). nfv down stops it.")

    @Argument(help: "The deployment file (YAML).") var file: String
    @Flag(help: "Leave it running in the background and return.") var detach = false
    @Option(help: "Seconds to wait for everything to run.") var timeout = 60.0

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read '\(file)'") }
        let config: ManagerConfig
        do { config = try ConfigParser.parse(text, file: file); try config.validate(file: file) } catch {
            throw ValidationError(error.description)
        }
        let control = PlatformControl(platform: config.name)
        if (try? control.client.status()) != nil {
            throw ValidationError("a platform named '\(config.name)' is already up (nfv down --name \(config.name) stops it)")
        }
        let log = "/var/run/swiftnfv/\(config.name).manager.log"
        try? FileManager.default.createDirectory(atPath: "/var/run/swiftnfv", withIntermediateDirectories: true)
        let pid = try Self.spawnDetached(["manager", "--config", file, "--quiet"], output: log)
        func alive() -> Bool {
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) == 0
        }
        let want = config.nfs.reduce(0) { $0 + $1.nfCount }
        do {
            try control.waitUntilReady(timeout: timeout, isAlive: alive)
            Terminal.log("manager '\(config.name)' is up (pid \(pid), its log: \(log)); waiting for \(want) NF(s)")
            try control.waitUntilRunning(count: want, timeout: timeout, isAlive: alive)
        } catch {
            if alive() { _ = try? control.client.shutdown() }
            let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { "\nthe manager's log ends:\n" + $0.split(separator: "\n").suffix(8).joined(separator: "\n") } ?? ""
            throw ValidationError("\(error)\(tail)")
        }
        Terminal.log("up: \(want) NF(s) running on '\(config.name)'")
        if detach {
            Terminal.out(try CtlOptions.parse(["--name", config.name]).call { c in
                TextTable.render(["INSTANCE", "SERVICE", "NAME", "STATE"], try c.nfs().map { ["\($0.instance)", "\($0.service)", $0.name, $0.state] })
            })
            return
        }
        // Live statistics until Ctrl-C, then down.
        let signals = SignalWatcher()
        while !signals.stopRequested && alive() {
            if let s = try? control.client.stats() { Terminal.out((Terminal.isInteractive ? Terminal.clear : "") + StatsTable.render(s)) }
            for _ in 0..<10 where !signals.stopRequested { usleep(100_000) }
        }
        if alive() { try DownCommand.takeDown(control, pid: pid) }
    }

    /// Starts `nfv ARGS` in a session of its own (it outlives this
    /// terminal), output to `output`; returns its PID.
    static func spawnDetached(_ args: [String], output: String) throws -> Int32 {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        do { return try ChildProcess.spawn(exe, [exe] + args, environment: env, output: output, truncate: true, newSession: true) } catch {
            throw ValidationError("cannot start the manager: \(error)")
        }
    }
}
