import Foundation
import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// The NFs the manager starts itself (from the configuration's `nfs:` or
/// the API's launch), on its control thread: each is a child process with
/// its own instance ID, kept for its whole life, whatever its process. When
/// one exits without being asked to, its restart policy decides; a restart
/// waits for its back-off and for the instance's slot to be free again (the
/// registry has reclaimed the dead process's buffers), then takes the same
/// instance ID. Meanwhile the service's other instances take its traffic,
/// or the traffic is dropped and counted (no route).
final class Supervisor {
    /// A supervised NF.
    struct Record {
        var instance: Int
        var spec: NFLaunchSpec
        var pid: Int32 = 0
        var state: State = .starting
        var restarts = 0
        /// Failed starts and runs in a row (for the back-off; a run of 10 s resets it).
        var failuresInARow = 0
        var history: [NFInfo.Exit] = []
        var startedAt: UInt64 = 0
        var restartAt: UInt64 = 0
        var stopRequested = false
        /// Whether it registered since it was last started.
        var registered = false
        var logFile: String
    }

    enum State: String {
        /// Started, not yet registered.
        case starting
        case running
        /// Exited; to be started again once its back-off has passed and its slot is free.
        case restarting
        /// Stopped on request (or exited, with a policy that does not restart it).
        case stopped
        /// Gave up: it failed `maxFailuresInARow` times in a row.
        case failed
    }

    static let maxFailuresInARow = 5
    static let historyKept = 20
    /// A run this long forgives earlier failures.
    static let stableNanoseconds: UInt64 = 10_000_000_000

    let platform: String
    let runDirectory: String
    let table: SharedTable
    let events: any EventSink
    let log: (String) -> Void
    /// This program (`nfv`), which runs the built-in NFs.
    let executable: String
    private(set) var records: [Int: Record] = [:]

    init(platform: String, runDirectory: String, table: SharedTable, events: any EventSink, log: @escaping (String) -> Void) {
        self.platform = platform
        self.runDirectory = runDirectory
        self.table = table
        self.events = events
        self.log = log
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts `spec` under supervision; returns its instance ID.
    func launch(_ spec: NFLaunchSpec, now: UInt64) throws(APIError) -> Int {
        if let problem = spec.problem { throw APIError(status: 400, message: problem) }
        let instance: Int
        if let i = spec.instance {
            guard isAvailable(i) else { throw APIError(status: 409, message: "instance \(i) is in use") }
            instance = i
        } else {
            guard let i = (1...Limits.maxNFs).first(where: isAvailable) else {
                throw APIError(status: 409, message: "no free instance: all \(Limits.maxNFs) are in use")
            }
            instance = i
        }
        var r = Record(instance: instance, spec: spec, logFile: "\(runDirectory)/nf-\(instance).log")
        do { try start(&r, now: now) } catch { throw APIError(status: 500, message: "cannot start \(spec.kind): \(error)") }
        records[instance] = r
        events.publish(.nfLaunched, instance: instance, service: spec.service,
                       message: "launched \(spec.kind) as instance \(instance) of service \(spec.service) (pid \(r.pid))")
        return instance
    }

    /// Whether instance `i` has neither a registered NF nor a supervised one about to be.
    func isAvailable(_ i: Int) -> Bool {
        if let r = records[i], r.state != .stopped, r.state != .failed { return false }
        return table.slot(InstanceID(UInt16(i))).state == .free
    }

    /// Stops a supervised instance for good. Returns `false` if it is not supervised.
    func stop(_ instance: Int) -> Bool {
        guard var r = records[instance] else { return false }
        r.stopRequested = true
        if r.pid > 0 { kill(r.pid, SIGTERM) }
        if r.state == .restarting || r.state == .failed { r.state = .stopped }
        records[instance] = r
        return true
    }

    /// Supervised instances of `service` that are running or about to, latest first.
    func live(of service: Int) -> [Int] {
        records.values.filter { $0.spec.service == service && !$0.stopRequested && ($0.state == .starting || $0.state == .running || $0.state == .restarting) }
            .map(\.instance).sorted(by: >)
    }

    /// One pass: reaps exited children, applies restart policies, starts
    /// restarts that are due. Returns whether a restart is waiting (poll again soon).
    @discardableResult
    func poll(now: UInt64) -> Bool {
        var waiting = false
        for i in records.keys.sorted() {
            guard var r = records[i] else { continue }
            defer { records[i] = r }
            let slot = table.slot(InstanceID(UInt16(i)))
            if r.state == .starting, slot.state == .running, slot.pid == r.pid {
                r.state = .running
                r.registered = true
            }
            if r.pid > 0, let how = reap(r.pid) {
                exited(&r, how: how, now: now)
            }
            if r.state == .restarting {
                // The slot frees once the registry has reclaimed the dead process's buffers.
                guard now >= r.restartAt, slot.state == .free else { waiting = true; continue }
                do {
                    try start(&r, now: now)
                    r.restarts += 1
                    events.publish(.nfRestarted, instance: i, service: r.spec.service,
                                   message: "restarted \(r.spec.kind) as instance \(i) (pid \(r.pid), restart \(r.restarts))")
                } catch {
                    r.state = .failed
                    events.publish(.nfFailed, instance: i, service: r.spec.service, message: "cannot restart: \(error)")
                }
            }
        }
        return waiting
    }

    private func exited(_ r: inout Record, how: (text: String, failed: Bool), now: UInt64) {
        let pid = r.pid
        r.pid = 0
        let ran = now &- r.startedAt
        if ran >= Self.stableNanoseconds { r.failuresInARow = 0 }
        // A failure, or an exit within a second of starting (a restart loop).
        if how.failed || ran < 1_000_000_000 { r.failuresInARow += 1 }
        let restart: Bool
        if r.stopRequested {
            restart = false
        } else {
            switch r.spec.restart {
            case .always: restart = true
            case .onFailure: restart = how.failed
            case .never: restart = false
            }
        }
        let givingUp = restart && r.failuresInARow >= Self.maxFailuresInARow
        r.history.append(NFInfo.Exit(time: Date().timeIntervalSince1970, pid: pid, how: how.text, restarted: restart && !givingUp))
        if r.history.count > Self.historyKept { r.history.removeFirst(r.history.count - Self.historyKept) }
        if givingUp {
            r.state = .failed
            events.publish(.nfFailed, instance: r.instance, service: r.spec.service,
                           message: "instance \(r.instance) (\(r.spec.kind)) failed \(r.failuresInARow) times in a row (last: \(how.text)); not restarting. Its output: \(r.logFile)")
        } else if restart {
            // Back-off: none for the first failure in a row, then 100 ms, 200 ms, ... up to 3.2 s.
            let delay: UInt64 = r.failuresInARow <= 1 ? 0 : 100_000_000 << UInt64(min(r.failuresInARow - 2, 5))
            r.state = .restarting
            r.restartAt = now + delay
            log("supervised instance \(r.instance) (\(r.spec.kind)) exited (\(how.text)); restarting in \(delay / 1_000_000) ms")
        } else {
            r.state = .stopped
            if !r.stopRequested {
                log("supervised instance \(r.instance) (\(r.spec.kind)) exited (\(how.text)); policy \(r.spec.restart.rawValue): not restarting")
            }
        }
    }

    /// The child's exit, if it has exited: how, and whether that is a failure.
    private func reap(_ pid: Int32) -> (text: String, failed: Bool)? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return r < 0 && errno == ECHILD ? ("gone", true) : nil }
        let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        if signaled { return ("signal \(status & 0x7f)", true) }
        let code = (status >> 8) & 0xff
        return ("exit \(code)", code != 0)
    }

    /// Starts `r`'s process (standard output and error to its log file, in
    /// its own process group so that a terminal's Ctrl-C reaches the manager only).
    private func start(_ r: inout Record, now: UInt64) throws(NFVError) {
        let path = r.spec.kind == "program" ? r.spec.program! : executable
        let args = [path] + r.spec.arguments(platform: platform, instance: r.instance)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, r.logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let argv = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: Int32 = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
        guard rc == 0 else { throw .invalid("posix_spawn \(path): \(String(cString: strerror(rc)))") }
        r.pid = pid
        r.state = .starting
        r.registered = false
        r.stopRequested = false
        r.startedAt = now
    }

    /// Marks every supervised NF as asked to stop (the manager is stopping:
    /// none is restarted) and signals it.
    func stopAll() {
        for i in records.keys { _ = stop(i) }
    }

    /// Waits for every supervised child that is still there (after the
    /// manager asked them all to leave), killing one that outstays 2 s.
    func reapAll() {
        let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
        for (i, r) in records where r.pid > 0 {
            var status: Int32 = 0
            while waitpid(r.pid, &status, WNOHANG) == 0 {
                if MonotonicClock.nanoseconds() > deadline { kill(r.pid, SIGKILL) }
                usleep(1000)
            }
            records[i]?.pid = 0
        }
    }

    /// The API's view of supervised instance `i` (merged with its slot by the caller).
    func info(_ i: Int) -> Record? { records[i] }
}
