import Foundation
import NFVOrchestration
import XCTest

/// Runs the real `nfv` binary as separate processes (manager and NFs), the
/// way an operator would; knows they are ready, and reads the statistics,
/// through the manager's control API (`PlatformControl`), and keeps what
/// they print.
final class Platform {
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["NFV_BIN"] { return b }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/nfv").path
    }

    let name: String
    let dir: URL
    /// The manager's control API.
    var control: PlatformControl { PlatformControl(platform: name) }
    private(set) var manager: Child?
    private(set) var nfs: [Child] = []

    init(_ name: String) throws {
        self.name = name + "-\(getpid())"
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("nfv-test-\(self.name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// A child process whose standard output and error go to files.
    final class Child {
        let process = Process()
        let out: URL
        let err: URL

        init(args: [String], dir: URL, label: String, environment: [String: String] = [:], executable: String = Platform.binary) throws {
            out = dir.appendingPathComponent("\(label).out")
            err = dir.appendingPathComponent("\(label).err")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = args
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        }

        var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }

        /// Waits for the process to exit; returns its status, or nil on timeout.
        @discardableResult
        func wait(timeout: Double = 20) -> Int32? {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { return nil }
            return process.terminationStatus
        }

        func signal(_ s: Int32) { kill(pid, s) }

        /// Whether the process is stopped (SIGSTOP, by itself or by a test).
        var isStopped: Bool { processStat(pid)?.first == "T" }
    }

    /// Runs `nfv ARGS` to completion.
    func run(_ args: [String], timeout: Double = 30) throws -> (status: Int32?, stdout: String, stderr: String) {
        let c = try Child(args: args, dir: dir, label: "run-\(UUID().uuidString.prefix(8))")
        let status = c.wait(timeout: timeout)
        if status == nil { c.signal(SIGKILL); c.wait() }
        return (status, c.stdout, c.stderr)
    }

    /// Starts a manager and waits until it runs; with `cpus`, under
    /// `taskset -c CPUS`.
    @discardableResult
    func startManager(_ args: [String] = [], cpus: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Child {
        let command = ["manager", "--name", name, "--quiet", "--final-stats", finalStatsFile.path] + args
        let m = try cpus.map { try Child(args: ["-c", $0, Platform.binary] + command, dir: dir, label: "manager", executable: "/usr/bin/taskset") }
            ?? Child(args: command, dir: dir, label: "manager")
        manager = m
        do { try control.waitUntilReady(timeout: 30, isAlive: { m.isRunning }) } catch {
            XCTFail("manager did not start: \(error)\n\(m.stderr)", file: file, line: line)
            throw CancellationError()
        }
        return m
    }

    /// Starts an NF and waits until the manager lists its process as running.
    @discardableResult
    func startNF(_ args: [String], environment: [String: String] = [:], file: StaticString = #filePath,
                 line: UInt = #line) throws -> Child {
        let c = try Child(args: ["nf"] + args + ["--manager", name], dir: dir, label: "nf\(nfs.count)", environment: environment)
        nfs.append(c)
        guard waitUntilRegistered(c) else {
            XCTFail("NF \(args) did not register: \(c.stderr)", file: file, line: line)
            throw CancellationError()
        }
        return c
    }

    /// Starts an NF group (`nfv nf group`, one `--member` per entry of
    /// `members`) and waits until all its members are registered.
    @discardableResult
    func startGroup(_ members: [String], options: [String] = [], environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) throws -> Child {
        let c = try Child(args: ["nf", "group", "--manager", name] + members.flatMap { ["--member", $0] } + options, dir: dir,
                          label: "nf\(nfs.count)", environment: environment)
        nfs.append(c)
        guard control.waitUntilRegistered(pid: c.pid, count: members.count, timeout: 30, isAlive: { c.isRunning }) != nil else {
            XCTFail("group \(members) did not register: \(c.stderr)", file: file, line: line)
            throw CancellationError()
        }
        return c
    }

    /// Waits until the API lists `c`'s process as a running instance (or it exited).
    func waitUntilRegistered(_ c: Child) -> Bool {
        control.waitUntilRegistered(pid: c.pid, timeout: 30, isAlive: { c.isRunning }) != nil
    }

    /// Starts an NF program other than `nfv` (such as the example NF) and
    /// waits until the manager registered it.
    @discardableResult
    func startProgram(_ path: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Child {
        let c = try Child(args: args, dir: dir, label: "nf\(nfs.count)", executable: path)
        nfs.append(c)
        guard waitUntilRegistered(c) else {
            XCTFail("\(path) did not register: \(c.stderr)", file: file, line: line)
            throw CancellationError()
        }
        return c
    }

    /// How many times the manager has printed `text` so far.
    func managerLines(_ text: String) -> Int { (manager?.stderr.components(separatedBy: text).count ?? 1) - 1 }

    /// Where the manager writes its final statistics when it stops.
    var finalStatsFile: URL { dir.appendingPathComponent("final-stats.json") }

    /// The platform's statistics: while the manager runs, the live ones
    /// (the API's, refreshed once a second); once it stopped, the final ones.
    var stats: [String: Any]? {
        let live = (try? control.client.request("GET", "/v1/stats")).flatMap { $0.status == 200 ? $0.body : nil }
        guard let d = live ?? FileManager.default.contents(atPath: finalStatsFile.path) else { return nil }
        return try? JSONSerialization.jsonObject(with: d) as? [String: Any]
    }

    func nfStats(service: Int) -> [String: Any]? {
        (stats?["nfs"] as? [[String: Any]])?.first { $0["service"] as? Int == service }
    }

    /// Stops the manager (which stops the NFs) and waits for everything.
    @discardableResult
    func stop() -> Int32? {
        manager?.signal(SIGTERM)
        let status = manager?.wait(timeout: 30)
        for c in nfs where c.isRunning {
            if c.wait(timeout: 10) == nil { c.signal(SIGKILL); c.wait() }
        }
        return status
    }

    deinit {
        for c in nfs + [manager].compactMap({ $0 }) where c.isRunning { c.signal(SIGKILL); c.wait() }
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
@discardableResult
func waitFor(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// The fields of `/proc/PID/stat` after the command's name: the state
/// first, then the parent's PID, ...; `nil` when there is no such process.
func processStat(_ pid: Int32) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
}
