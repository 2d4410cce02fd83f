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
/// or the traffic is dropped and counted (no route). A built-in NF starts
/// by hand-over to the standby process kept attached (`prepareStandby`)
/// when there is one, else as a new process.
///
/// An NF group (`NFGroupSpec`) is one process for several instances: each
/// member keeps a record of its own (its instance, service, history), all
/// with the group's process, and what happens to the process happens to
/// them all: it starts once (by hand-over to the standby too), its exit is every
/// member's, it restarts once all their slots are free, a stop of any
/// member stops it, and it has one CPU group and one place (the first
/// member's instance stands for it).
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
        /// Launched with a weight and no CPU: the manager chose its CPU
        /// (`rebalance`) and may move it when others come and go.
        var placedByManager = false
        /// Where its standard output and error go.
        var logFile: String
        /// Its main thread's CPU time at the last sample, and when (for `cpuPercent`).
        var cpuSample: (at: UInt64, cpu: UInt64)?
        /// Percent of one CPU it used over the last sample period.
        var cpuPercent: Double?
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
    let cpuGroups: CPUGroups
    private(set) var records: [Int: Record] = [:]
    /// Each supervised group's members, in its order, by name (kept after
    /// it stopped, until a group of that name is launched again).
    private var groups: [String: [Int]] = [:]
    /// A process already attached to the platform, waiting to be told which
    /// built-in NF to run (`nfv nf standby`): a launch hands it over instead
    /// of waiting for a new process's DPDK start-up. `input`: our end of its stdin.
    private var standby: (pid: Int32, input: Int32, ready: Int32, log: String)?
    /// Whether the standby has said it is attached.
    private(set) var standbyReady = false
    /// Standbys that exited before use, in a row (after 3, launches start fresh processes only).
    private var standbyFailures = 0
    private var standbyNumber = 0

    init(platform: String, runDirectory: String, table: SharedTable, events: any EventSink, log: @escaping (String) -> Void) {
        self.platform = platform
        self.runDirectory = runDirectory
        self.table = table
        self.events = events
        self.log = log
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        cpuGroups = CPUGroups(platform: platform)
    }

    /// Starts `spec` under supervision; returns its instance ID.
    func launch(_ spec: NFLaunchSpec, now: UInt64) throws(APIError) -> Int {
        if let problem = spec.problem { throw APIError(status: 400, message: problem) }
        if spec.group != nil { throw APIError(status: 400, message: "'group' is set by a group's launch (POST /v1/groups), not by an NF's") }
        if (spec.cpuWeight != nil || spec.cpuCap != nil) && !cpuGroups.available {
            throw APIError(status: 409, message: "CPU weights and caps need cgroup v1's cpu controller at \(CPUGroups.controller)")
        }
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
        r.placedByManager = spec.cpuWeight != nil && spec.cpu == nil
        if r.placedByManager { r.spec.cpu = rebalance(adding: r) }
        do { try start(&r, now: now) } catch { throw APIError(status: 500, message: "cannot start \(spec.kind): \(error)") }
        records[instance] = r
        do { try placeInGroup(r) } catch {
            _ = stop(instance)
            throw error
        }
        events.publish(.nfLaunched, instance: instance, service: spec.service,
                       message: "launched \(spec.kind) as instance \(instance) of service \(spec.service) (pid \(r.pid))")
        return instance
    }

    /// Starts `group` under supervision, one process for all its members;
    /// returns their instance IDs, in its order.
    func launch(_ group: NFGroupSpec, now: UInt64) throws(APIError) -> [Int] {
        if let problem = group.problem { throw APIError(status: 400, message: problem) }
        if (group.cpuWeight != nil || group.cpuCap != nil) && !cpuGroups.available {
            throw APIError(status: 409, message: "CPU weights and caps need cgroup v1's cpu controller at \(CPUGroups.controller)")
        }
        if let running = groups[group.name], running.contains(where: { records[$0].map { $0.state != .stopped && $0.state != .failed } ?? false }) {
            throw APIError(status: 409, message: "group '\(group.name)' is already supervised (instances \(running.map(String.init).joined(separator: ", "))): stop it first")
        }
        var instances: [Int] = []
        for m in group.members {
            if let i = m.instance {
                guard isAvailable(i) else { throw APIError(status: 409, message: "instance \(i) is in use") }
                instances.append(i)
            } else {
                let asked = Set(group.members.compactMap(\.instance))
                guard let i = (1...Limits.maxNFs).first(where: { isAvailable($0) && !instances.contains($0) && !asked.contains($0) }) else {
                    throw APIError(status: 409, message: "no free instance for group '\(group.name)': \(instances.count) of \(group.members.count) found")
                }
                instances.append(i)
            }
        }
        let logFile = "\(runDirectory)/group-\(group.name).log"
        for (k, i) in instances.enumerated() {
            var r = Record(instance: i, spec: group.member(k), logFile: logFile)
            r.placedByManager = group.cpuWeight != nil && group.cpu == nil
            records[i] = r
        }
        groups[group.name] = instances
        if let first = records[instances[0]], first.placedByManager, let cpu = rebalance(adding: first) {
            for i in instances { records[i]?.spec.cpu = cpu }
        }
        do { try startGroup(group.name, now: now) } catch {
            for i in instances { records[i] = nil }
            groups[group.name] = nil
            throw APIError(status: 500, message: "cannot start group '\(group.name)': \(error)")
        }
        do { try placeInGroup(records[instances[0]]!) } catch {
            _ = stop(instances[0])
            throw error
        }
        for i in instances {
            events.publish(.nfLaunched, instance: i, service: records[i]!.spec.service,
                           message: "launched \(records[i]!.spec.kind) as instance \(i) of service \(records[i]!.spec.service) in group '\(group.name)' (pid \(records[i]!.pid))")
        }
        return instances
    }

    /// The instances that share `i`'s process: its group's members, or `i`
    /// alone (also a member of an earlier group of the same name, since
    /// launched again with other instances).
    private func unit(of i: Int) -> [Int] {
        guard let name = records[i]?.spec.group, let members = groups[name], members.contains(i) else { return [i] }
        return members
    }

    /// Places the weighted NFs the manager places (those launched with a
    /// weight and no CPU), with `new` among them, so that each CPU carries
    /// about the same weight (`CPUPlacement.balanced`, heaviest first, on
    /// top of the weight of NFs pinned by their spec): cgroup weights
    /// divide each CPU on its own, so a share of the machine follows the
    /// weights only when the CPUs carry equal weight. Moves the running
    /// ones whose CPU changes (`ProcessCPU.pin`; threads they start later
    /// inherit it) and writes every CPU into its spec, for restarts.
    /// Returns `new`'s CPU (`new` nil: after one left).
    @discardableResult
    private func rebalance(adding new: Record? = nil) -> Int? {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        // A group is one process: its first member stands for it.
        let active = records.values.filter { !$0.stopRequested && $0.state != .stopped && $0.state != .failed && $0.instance != new?.instance
            && unit(of: $0.instance).first == $0.instance }
        var load = [Int](repeating: 0, count: cpus)
        for r in active where !r.placedByManager {
            if let c = r.spec.cpu, load.indices.contains(c) { load[c] += r.spec.cpuWeight ?? 100 }
        }
        let movable = active.filter(\.placedByManager).sorted { $0.instance < $1.instance } + (new.map { [$0] } ?? [])
        let placement = CPUPlacement.balanced(weights: movable.map { $0.spec.cpuWeight ?? 100 }, cpus: cpus, load: load)
        for (r, cpu) in zip(movable, placement) where r.instance != new?.instance && r.spec.cpu != cpu {
            for i in unit(of: r.instance) { records[i]?.spec.cpu = cpu }
            // One still starting pins itself first: `poll` moves it once it registered.
            guard r.pid > 0, r.state == .running else { continue }
            let rc = ProcessCPU.pin(r.pid, to: cpu)
            log(rc == 0 ? "instance \(r.instance) (CPU weight \(r.spec.cpuWeight ?? 100)) moved to CPU \(cpu), to balance the weights"
                        : "instance \(r.instance): cannot move it to CPU \(cpu): \(String(cString: strerror(rc)))")
        }
        guard let new, let cpu = placement.last else { return nil }
        log("instance \(new.instance) (\(new.spec.kind), CPU weight \(new.spec.cpuWeight ?? 100)) placed on CPU \(cpu), to balance the weights")
        return cpu
    }

    /// Whether instance `i` has neither a registered NF nor a supervised one about to be.
    func isAvailable(_ i: Int) -> Bool {
        if let r = records[i], r.state != .stopped, r.state != .failed { return false }
        return table.slot(InstanceID(UInt16(i))).state == .free
    }

    /// Stops a supervised instance for good (a group's member: the whole
    /// group). Returns `false` if it is not supervised.
    func stop(_ instance: Int) -> Bool {
        guard let first = records[instance] else { return false }
        if first.pid > 0 { kill(first.pid, SIGTERM) }
        for i in unit(of: instance) {
            guard var r = records[i] else { continue }
            r.stopRequested = true
            if r.state == .restarting || r.state == .failed { r.state = .stopped }
            records[i] = r
        }
        if first.placedByManager { rebalance() }
        return true
    }

    /// Supervised instances of `service` that are running or about to, latest first.
    func live(of service: Int) -> [Int] {
        records.values.filter { $0.spec.service == service && !$0.stopRequested && ($0.state == .starting || $0.state == .running || $0.state == .restarting) }
            .map(\.instance).sorted(by: >)
    }

    /// One pass: reaps exited children (a group's process once, for all its
    /// members), applies restart policies, starts restarts that are due.
    /// Returns whether a restart is waiting (poll again soon).
    @discardableResult
    func poll(now: UInt64) -> Bool {
        var waiting = false
        for i in records.keys.sorted() {
            guard var r = records[i] else { continue }
            let slot = table.slot(InstanceID(UInt16(i)))
            if r.state == .starting, slot.state == .running, slot.pid == r.pid {
                r.state = .running
                records[i] = r
                // It pinned itself to the CPU it was started with, before it
                // registered; a rebalance since may have chosen another.
                if r.placedByManager, let cpu = r.spec.cpu { _ = ProcessCPU.pin(r.pid, to: cpu) }
            }
            // A group's process is reaped once, at its first member.
            guard unit(of: i).first == i else { continue }
            if r.pid > 0, let how = reap(r.pid) {
                for m in unit(of: i) where records[m] != nil { exited(&records[m]!, how: how, now: now) }
            }
            guard records[i]?.state == .restarting else { continue }
            let members = unit(of: i).compactMap { records[$0] }
            // The slots free once the registry has reclaimed the dead process's buffers.
            guard members.allSatisfy({ now >= $0.restartAt && table.slot(InstanceID(UInt16($0.instance))).state == .free }) else {
                waiting = true
                continue
            }
            do {
                if let name = r.spec.group { try startGroup(name, now: now) } else {
                    // As `exited` left it.
                    r = records[i]!
                    try start(&r, now: now)
                    records[i] = r
                }
                try? placeInGroup(records[i]!)
                for m in members.map(\.instance) {
                    records[m]!.restarts += 1
                    let x = records[m]!
                    events.publish(.nfRestarted, instance: m, service: x.spec.service,
                                   message: "restarted \(x.spec.kind) as instance \(m) (pid \(x.pid), restart \(x.restarts))")
                }
            } catch {
                for m in members.map(\.instance) {
                    records[m]!.state = .failed
                    events.publish(.nfFailed, instance: m, service: records[m]!.spec.service, message: "cannot restart: \(error)")
                }
            }
        }
        return waiting
    }

    private func exited(_ r: inout Record, how: (text: String, failed: Bool), now: UInt64) {
        let pid = r.pid
        r.pid = 0
        r.cpuSample = nil
        r.cpuPercent = nil
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
        if r.spec.kind != "program", let pid = handOver(Array(args.dropFirst(2)), logFile: r.logFile) {
            r.pid = pid
            r.state = .starting
            r.stopRequested = false
            r.startedAt = now
            return
        }
        let pid = try spawn(path, args, stdin: nil, logFile: r.logFile)
        r.pid = pid
        r.state = .starting
        r.stopRequested = false
        r.startedAt = now
    }

    /// Starts group `name`'s process (`nf group`: by hand-over to the
    /// standby when there is one, else a new process) and gives every
    /// member its PID.
    private func startGroup(_ name: String, now: UInt64) throws(NFVError) {
        let members = (groups[name] ?? []).compactMap { records[$0] }
        guard let first = members.first else { throw .invalid("no group '\(name)'") }
        let group = NFGroupSpec(name: name, members: members.map(\.spec), cpu: first.spec.cpu)
        let args = [executable] + group.arguments(platform: platform, instances: members.map(\.instance))
        let pid: Int32
        if let handedOver = handOver(Array(args.dropFirst(2)), logFile: first.logFile) { pid = handedOver } else {
            pid = try spawn(executable, args, stdin: nil, logFile: first.logFile)
        }
        for m in members {
            records[m.instance]!.pid = pid
            records[m.instance]!.state = .starting
            records[m.instance]!.stopRequested = false
            records[m.instance]!.startedAt = now
        }
    }

    /// Starts `path` with `args` (`ChildProcess`: standard input from
    /// `stdin`, `readyFD` as its descriptor 3, output to `logFile`), with
    /// `NFV_LAUNCHED_AT` for its start-up trace.
    private func spawn(_ path: String, _ args: [String], stdin: Int32?, readyFD: Int32? = nil, logFile: String) throws(NFVError) -> Int32 {
        // The spawn's moment, for the NF's start-up trace (`StartupTrace`).
        var env = ProcessInfo.processInfo.environment.filter { $0.key != "NFV_LAUNCHED_AT" }.map { "\($0.key)=\($0.value)" }
        env.append("NFV_LAUNCHED_AT=\(MonotonicClock.nanoseconds())")
        return try ChildProcess.spawn(path, args, environment: env, stdin: stdin, output: logFile, extra: readyFD)
    }

    /// Keeps a standby ready (called each pass): starts one when there is
    /// none and no supervised NF is starting, and notices one that exited
    /// before it was used.
    func prepareStandby() {
        if let s = standby {
            if !standbyReady {
                var byte: UInt8 = 0
                if read(s.ready, &byte, 1) == 1 { standbyReady = true }
            }
            var status: Int32 = 0
            guard waitpid(s.pid, &status, WNOHANG) == s.pid else { return }
            close(s.input)
            close(s.ready)
            standby = nil
            standbyReady = false
            standbyFailures += 1
            log("the standby NF process (pid \(s.pid)) exited before use; its output: \(s.log)")
        }
        guard standbyFailures < 3 else { return }
        // Not while an NF starts: the new standby's own start-up (about
        // 100 ms of CPU) would slow it down.
        guard !records.values.contains(where: { $0.state == .starting }) else { return }
        // Its input (the hand-over line) and its "attached" signal (one byte on fd 3).
        var input: [Int32] = [0, 0], ready: [Int32] = [0, 0]
        guard pipe(&input) == 0 else { return }
        guard pipe(&ready) == 0 else { close(input[0]); close(input[1]); return }
        // No end may leak into other children (the standby must see the end of its input).
        for fd in input + ready { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ready[0], F_SETFL, O_NONBLOCK)
        standbyNumber += 1
        let logFile = "\(runDirectory)/nf-standby-\(standbyNumber).log"
        do {
            let pid = try spawn(executable, [executable, "nf", "standby", "--manager", platform, "--ready-fd", "3"],
                                stdin: input[0], readyFD: ready[1], logFile: logFile)
            standby = (pid, input[1], ready[0], logFile)
        } catch {
            close(input[1])
            close(ready[0])
            standbyFailures += 1
        }
        close(input[0])
        close(ready[1])
        standbyReady = false
    }

    /// Hands `argv` (the command line after `nf`: an NF's from its kind on, or a group's) to the standby, which becomes the NF or group; returns its PID, or `nil` when there
    /// is no standby (start a new process then).
    private func handOver(_ argv: [String], logFile: String) -> Int32? {
        guard let s = standby else { return nil }
        standby = nil
        standbyReady = false
        close(s.ready)
        struct Line: Encodable { var argv: [String]; var launchedAt: UInt64 }
        guard var data = try? JSONEncoder().encode(Line(argv: argv, launchedAt: MonotonicClock.nanoseconds())) else { return nil }
        data.append(0x0A)
        let written = data.withUnsafeBytes { write(s.input, $0.baseAddress, $0.count) }
        close(s.input)
        guard written == data.count else {
            kill(s.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(s.pid, &status, 0)
            return nil
        }
        standbyFailures = 0
        // Its output from now on is the NF's.
        unlink(logFile)
        rename(s.log, logFile)
        return s.pid
    }

    /// Marks every supervised NF as asked to stop (the manager is stopping:
    /// none is restarted) and signals it.
    func stopAll() {
        for i in records.keys { _ = stop(i) }
        // The standby reads the end of its input, detaches and exits.
        if let s = standby {
            close(s.input)
            close(s.ready)
            standby = nil
            standbyPID = s.pid
        }
    }

    /// The last standby, told to leave at shutdown (to be reaped).
    private var standbyPID: Int32 = 0

    /// Waits for every supervised child that is still there (after the
    /// manager asked them all to leave), killing one that outstays 2 s.
    func reapAll() {
        let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
        for pid in records.values.map(\.pid).filter({ $0 > 0 }) + (standbyPID > 0 ? [standbyPID] : []) {
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if MonotonicClock.nanoseconds() > deadline { kill(pid, SIGKILL) }
                usleep(1000)
            }
        }
        for i in records.keys { records[i]?.pid = 0 }
        standbyPID = 0
        cpuGroups.removeAll()
    }

    /// Puts `r`'s process in its CPU group when its spec gives a weight or
    /// a cap (a group's process: in its first member's).
    private func placeInGroup(_ r: Record) throws(APIError) {
        guard r.spec.cpuWeight != nil || r.spec.cpuCap != nil, r.pid > 0 else { return }
        try cpuGroups.place(pid: r.pid, instance: unit(of: r.instance)[0], weight: r.spec.cpuWeight, cap: r.spec.cpuCap)
    }

    /// Sets supervised instance `i`'s CPU weight and cap (`cap` 0: none;
    /// a group's member: the group's) in its spec (for restarts) and in its
    /// CPU group, now.
    func setCPU(_ i: Int, weight: Int?, cap: Int?) throws(APIError) -> Bool {
        guard var r = records[i] else { return false }
        if let weight { r.spec.cpuWeight = weight }
        if let cap { r.spec.cpuCap = cap == 0 ? nil : cap }
        if let problem = r.spec.problem { throw APIError(status: 400, message: problem) }
        guard cpuGroups.available else {
            throw APIError(status: 409, message: "CPU weights and caps need cgroup v1's cpu controller at \(CPUGroups.controller)")
        }
        for m in unit(of: i) {
            records[m]?.spec.cpuWeight = r.spec.cpuWeight
            records[m]?.spec.cpuCap = r.spec.cpuCap
        }
        // Written whatever is left: removing the last cap must reach the group too.
        if r.pid > 0 { try cpuGroups.place(pid: r.pid, instance: unit(of: i)[0], weight: r.spec.cpuWeight, cap: r.spec.cpuCap) }
        return true
    }

    /// Samples every supervised NF's CPU time (once a second, with the
    /// statistics): `cpuPercent` is the share of one CPU it used since the
    /// last sample (a group's member: the group's).
    func sampleCPU(now: UInt64) {
        for i in records.keys {
            guard let r = records[i], r.pid > 0, let cpu = ProcessCPU.nanoseconds(r.pid) else { continue }
            if let last = r.cpuSample, now > last.at {
                records[i]?.cpuPercent = Double(cpu &- last.cpu) / Double(now - last.at) * 100
            }
            records[i]?.cpuSample = (now, cpu)
        }
    }

    /// Percent of one CPU each running supervised NF's weight entitles it
    /// to (`CPUEntitlement`), by instance, counting the claims of NFs
    /// started by hand (`also`) too; a group claims once, and each of its
    /// members shows the group's.
    func entitlements(cpus: Int, also: [(instance: Int, claim: CPUEntitlement.Claim)] = []) -> [Int: Double] {
        let running = records.values.filter { $0.state == .running && unit(of: $0.instance).first == $0.instance }
            .sorted { $0.instance < $1.instance }
        let claims = running.map { CPUEntitlement.Claim(weight: $0.spec.cpuWeight ?? 100, cpu: $0.spec.cpu, cap: $0.spec.cpuCap) }
        let shares = CPUEntitlement.percent(claims + also.map(\.claim), cpus: cpus)
        var byInstance: [Int: Double] = [:]
        for (r, share) in zip(running, shares) {
            for m in unit(of: r.instance) { byInstance[m] = share }
        }
        for (h, share) in zip(also, shares.dropFirst(running.count)) { byInstance[h.instance] = share }
        return byInstance
    }

    /// Supervised groups' names, sorted.
    var groupNames: [String] { groups.keys.sorted() }

    /// The API's view of group `name`, if there is one.
    func groupInfo(_ name: String) -> GroupInfo? {
        guard let instances = groups[name], let first = instances.first.flatMap({ records[$0] }) else { return nil }
        let members = instances.compactMap { records[$0] }
        let state: String
        if first.stopRequested && first.pid > 0 {
            state = "stopping"
        } else if members.allSatisfy({ $0.state == .running }) {
            state = "running"
        } else {
            state = members.first { $0.state != .running }!.state.rawValue
        }
        return GroupInfo(name: name, members: instances, pid: first.pid, state: state, restarts: first.restarts, cpu: first.spec.cpu,
                         cpuWeight: first.spec.cpuWeight, cpuCap: first.spec.cpuCap, restart: first.spec.restart,
                         cpuPercent: first.cpuPercent, logFile: first.logFile)
    }

    /// The API's view of supervised instance `i` (merged with its slot by the caller).
    func info(_ i: Int) -> Record? { records[i] }
}
