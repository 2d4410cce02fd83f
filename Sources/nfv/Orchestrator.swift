import Foundation
import NFVCore
import NFVOrchestration

/// Starts a manager and NFs as child processes of this `nfv` (for `demo` and
/// `bench`), waits for each to be ready through the control API
/// (`PlatformControl`), and stops them all.
final class Orchestrator {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let platform: String
    let executable: String
    let managerLog: LineCollector
    private var manager: Process?
    private var nfs: [Process] = []
    private var collectors: [LineCollector] = []

    init(platform: String, echoManagerLog: Bool) {
        self.platform = platform
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        managerLog = LineCollector(onLine: { if echoManagerLog { Terminal.log("manager: " + $0.split(separator: " ", maxSplits: 1).last.map(String.init)!) } })
    }

    /// Starts the manager and waits until it runs.
    func startManager(_ args: [String] = []) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["manager", "--name", platform, "--quiet"] + args
        p.standardError = managerLog.pipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        manager = p
        do { try control.waitUntilReady(timeout: 20, isAlive: { p.isRunning }) } catch {
            stopAll()
            throw Failure(description: "the manager did not start: \(error)\n" + managerLog.lines.joined(separator: "\n"))
        }
    }

    /// The manager's control API.
    var control: PlatformControl { PlatformControl(platform: platform) }

    /// Starts an NF group (`nfv nf group`) of `members` (each a built-in NF's
    /// arguments, without spaces inside one) with the group's `options`
    /// (`--cpu`, `--spins`...), and waits until every member is registered.
    @discardableResult
    func startGroup(_ members: [[String]], options: [String] = [], onOutput: @escaping @Sendable (String) -> Void = { _ in }) throws -> Process {
        try startNF(["group"] + members.flatMap { ["--member", $0.joined(separator: " ")] } + options, members: members.count, onOutput: onOutput)
    }

    /// Starts an NF (`nfv nf ...`) and waits until the manager has
    /// registered it (`members` instances of it: a group). `onOutput` gets
    /// each line it prints on standard output and `onLog` each line on
    /// standard error.
    @discardableResult
    func startNF(_ args: [String], members: Int = 1, onOutput: @escaping @Sendable (String) -> Void = { _ in },
                 onLog: @escaping @Sendable (String) -> Void = { _ in }) throws -> Process {
        let out = LineCollector(onLine: onOutput)
        let err = LineCollector(onLine: onLog)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["nf"] + args + ["--manager", platform]
        p.standardOutput = out.pipe
        p.standardError = err.pipe
        try p.run()
        nfs.append(p)
        collectors += [out, err]
        guard control.waitUntilRegistered(pid: p.processIdentifier, count: members, timeout: 20, isAlive: { p.isRunning }) != nil else {
            stopAll()
            throw Failure(description: "NF '\(args.joined(separator: " "))' did not register:\n" + err.lines.joined(separator: "\n"))
        }
        return p
    }

    /// Stops the manager (which asks every NF to leave) and waits for all.
    func stopAll() {
        if let m = manager, m.isRunning { kill(m.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        for p in nfs + [manager].compactMap({ $0 }) {
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        manager = nil
        nfs = []
    }
}
