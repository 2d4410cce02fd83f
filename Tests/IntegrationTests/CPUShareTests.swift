import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// CPU weights and caps of supervised NFs (and of NFs started by hand that
/// ask for them in their options), enforced by cgroup v1's cpu controller: two NFs that never sleep share one CPU by their weights,
/// and a capped one stays under its cap; both change at run time through the API. (The figures' accuracy is
/// `nfv bench fairness`'s business; this checks the mechanism's direction.)
final class CPUShareTests: XCTestCase {
    /// Busy forever: polls without ever sleeping or yielding.
    let spinning = ["--to", "drop", "--spins", "2000000000", "--yield-every", "2000000000"]

    func testAWeightChangesTheShareInItsDirectionAndACapHolds() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        let p = try Platform("cpushare")
        try p.startManager()
        let api = p.control.client
        let light = try api.launch(NFLaunchSpec(kind: "forward", service: 1, args: spinning, cpu: 1, cpuWeight: 100))
        let heavy = try api.launch(NFLaunchSpec(kind: "forward", service: 2, args: spinning, cpu: 1, cpuWeight: 400))
        let capped = try api.launch(NFLaunchSpec(kind: "forward", service: 3, args: spinning, cpu: 0, cpuCap: 20))
        for nf in [light, heavy, capped] { try p.control.waitUntilRegistered(nf.instance, timeout: 30) }
        var shares: [Double?] = []
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [light, heavy, capped].map { (try? api.nf($0.instance))?.cpuPercent }
            guard let l = shares[0], let h = shares[1], let c = shares[2] else { return false }
            return h > 2 * l && c < 30
        }, "shares of one CPU (weight 100, weight 400, cap 20 %): \(shares)")
        // What each is entitled to, next to what it used: 100 and 400 share CPU 1; the cap bounds the third.
        XCTAssertEqual(try [light, heavy, capped].map { try api.nf($0.instance).cpuEntitledPercent }, [20, 80, 20])
        // At run time through the API: the light one becomes the heavy one, the cap goes.
        try api.setCPU(light.instance, weight: 1600)
        try api.setCPU(capped.instance, cap: 0)
        XCTAssertEqual(try api.nf(light.instance).launch?.cpuWeight, 1600)
        XCTAssertNil(try api.nf(capped.instance).launch?.cpuCap)
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [light, heavy, capped].map { (try? api.nf($0.instance))?.cpuPercent }
            guard let l = shares[0], let h = shares[1], let c = shares[2] else { return false }
            return l > 2 * h && c > 40
        }, "shares after the change (weight 1600, weight 400, no cap): \(shares)")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/swiftnfv/\(p.name)"), "its CPU groups are removed")
    }

    /// An NF started by hand asks for its weight and cap in its options; the
    /// manager applies them when it registers, reports them with its share,
    /// and the API changes them as for a supervised NF.
    func testAnNFStartedByHandGetsTheWeightItsOptionsAskFor() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        let p = try Platform("cpuhand")
        try p.startManager(["--no-standby"])
        let api = p.control.client
        let light = try p.startNF(["forward", "--service", "1", "--cpu", "1", "--cpu-weight", "100"] + spinning)
        let heavy = try p.startNF(["forward", "--service", "2", "--cpu", "1", "--cpu-weight", "400"] + spinning)
        func nf(_ c: Platform.Child) -> NFInfo? { (try? api.nfs())?.first { $0.pid == c.pid } }
        XCTAssertEqual(nf(heavy)?.cpuWeight, 400)
        XCTAssertFalse(nf(heavy)?.supervised ?? true)
        XCTAssertEqual(try String(contentsOfFile: "/sys/fs/cgroup/cpu/swiftnfv/\(p.name)/nf-\(nf(heavy)!.instance)/cpu.shares",
                                  encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "4096")
        var shares: [Double?] = []
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [light, heavy].map { nf($0)?.cpuPercent }
            guard let l = shares[0], let h = shares[1] else { return false }
            return h > 2 * l
        }, "shares of one CPU (weights 100 and 400, asked in their options): \(shares)")
        XCTAssertEqual([light, heavy].map { nf($0)?.cpuEntitledPercent }, [20, 80])
        // The API changes a hand-started NF's weight too.
        try api.setCPU(nf(light)!.instance, weight: 1600)
        XCTAssertEqual(nf(light)?.cpuWeight, 1600)
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [light, heavy].map { nf($0)?.cpuPercent }
            guard let l = shares[0], let h = shares[1] else { return false }
            return l > 2 * h
        }, "shares after the change (weights 1600 and 400): \(shares)")
        let bad = try p.run(["nf", "forward", "--service", "3", "--cpu-weight", "0", "--manager", p.name])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--cpu-weight 0: must be 1...10000"), bad.stderr)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    /// Work-conserving: an NF with nothing to do sleeps, so a busy NF on its
    /// CPU gets the idle one's share, however large its weight; once traffic
    /// reaches it, the weights divide the CPU again.
    func testAnIdleNFsShareGoesToTheBusyOne() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        let p = try Platform("cpushare-idle")
        try p.startManager()
        let api = p.control.client
        // Always busy: a forwarder on CPU 1 that spends 2000 cycles a packet on
        // what a speed tester on CPU 0 keeps sending it.
        let busy = try api.launch(NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "service:4", "--cycles", "2000"], cpu: 1,
                                               cpuWeight: 100))
        try p.control.waitUntilRegistered(busy.instance, timeout: 30)
        // (A speed tester's packets are made at its start: their first hop must be there.)
        let feed = try api.launch(NFLaunchSpec(kind: "speed-tester", service: 4, args: ["--to", "service:1"], cpu: 0))
        // Four times the weight, on the same CPU, but nothing sends it packets yet.
        let idle = try api.launch(NFLaunchSpec(kind: "forward", service: 2, args: ["--to", "service:3", "--cycles", "2000"], cpu: 1,
                                               cpuWeight: 400))
        for nf in [feed, idle] { try p.control.waitUntilRegistered(nf.instance, timeout: 30) }
        // By weight alone the busy one is entitled to 20 % of CPU 1; given the
        // idle one's share it gets well over twice that. (Not "all of it":
        // whatever else the machine runs on CPU 1 takes its part too.)
        XCTAssertEqual(try api.nf(busy.instance).cpuEntitledPercent, 20)
        var shares: [Double?] = []
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [busy, idle].map { (try? api.nf($0.instance))?.cpuPercent }
            guard let b = shares[0], let i = shares[1] else { return false }
            return b > 50 && i < 10
        }, "percent of CPU 1 (busy, weight 100; idle, weight 400): \(shares); CPU 1's busiest threads: \(busiestThreads(cpu: 1))")
        // Traffic for the heavy one: another speed tester on CPU 0 sends through it.
        let source = try api.launch(NFLaunchSpec(kind: "speed-tester", service: 3, args: ["--to", "service:2"], cpu: 0))
        try p.control.waitUntilRegistered(source.instance, timeout: 30)
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [busy, idle].map { (try? api.nf($0.instance))?.cpuPercent }
            guard let b = shares[0], let i = shares[1] else { return false }
            return i > 2 * b
        }, "percent of CPU 1 once both have work (weight 100, weight 400): \(shares)")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    /// A weighted NF launched without a CPU goes to the CPU its supervised
    /// NFs weigh least on (cgroup weights divide each CPU on its own), and
    /// runs there; one with a CPU stays on it.
    func testAWeightedNFWithoutACPUGoesWhereTheWeightIsLeast() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        try XCTSkipUnless(ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two CPUs")
        let p = try Platform("cpuplace")
        try p.startManager()
        let api = p.control.client
        let pinned = try api.launch(NFLaunchSpec(kind: "forward", service: 1, cpu: 0, cpuWeight: 400))
        let first = try api.launch(NFLaunchSpec(kind: "forward", service: 2, cpuWeight: 100))
        let second = try api.launch(NFLaunchSpec(kind: "forward", service: 3, cpuWeight: 200))
        let third = try api.launch(NFLaunchSpec(kind: "forward", service: 4, cpuWeight: 100))
        let all = [pinned, first, second, third]
        for nf in all { try p.control.waitUntilRegistered(nf.instance, timeout: 30) }
        // CPU 0 carries 400: 100 and 200 go to CPU 1 (then 300), the last 100 too (300 < 400).
        XCTAssertEqual(try all.map { try api.nf($0.instance).launch?.cpu }, [0, 1, 1, 1])
        XCTAssertEqual(try all.map { allowedCPUs(try api.nf($0.instance).pid) }, ["0", "1", "1", "1"], "where each NF's main thread may run")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    /// A weighted group without a CPU is one claim to the placement: its
    /// process, with all its members, goes where the weight is least, in
    /// one CPU group with its weight.
    func testAWeightedGroupIsPlacedAsOneClaim() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        try XCTSkipUnless(ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two CPUs")
        let p = try Platform("cpugroup")
        try p.startManager()
        let api = p.control.client
        let single = try api.launch(NFLaunchSpec(kind: "forward", service: 1, cpu: 0, cpuWeight: 300))
        let members = try api.launchGroup(NFGroupSpec(name: "pair", members: [NFLaunchSpec(kind: "forward", service: 2),
                                                                               NFLaunchSpec(kind: "forward", service: 3)], cpuWeight: 300))
        for nf in [single] + members { try p.control.waitUntilRegistered(nf.instance, timeout: 30) }
        // CPU 0 carries 300: the group (one claim of 300, not two) goes to CPU 1.
        XCTAssertEqual(try members.map { try api.nf($0.instance).launch?.cpu }, [1, 1])
        let pid = try api.nf(members[0].instance).pid
        XCTAssertEqual(allowedCPUs(pid), "1")
        let shares = try String(contentsOfFile: "/sys/fs/cgroup/cpu/swiftnfv/\(p.name)/nf-\(members[0].instance)/cpu.shares", encoding: .utf8)
        XCTAssertEqual(shares.trimmingCharacters(in: .whitespacesAndNewlines), "3072")
        let procs = try String(contentsOfFile: "/sys/fs/cgroup/cpu/swiftnfv/\(p.name)/nf-\(members[0].instance)/cgroup.procs", encoding: .utf8)
        XCTAssertEqual(procs.split(separator: "\n"), ["\(pid)"])
        // Each member shows the group's entitlement: CPU 1 is the group's alone.
        XCTAssertEqual(try members.map { try api.nf($0.instance).cpuEntitledPercent }, [100, 100])
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    /// The configuration's weighted NFs without a CPU end balanced, heaviest
    /// first (weights 100, 100, 400: the 400 alone on one CPU), the first
    /// moved once the 400 arrives (placed one by one for good, the 400
    /// would join a 100); stopping the 400 balances the other two again.
    func testTheConfigurationsWeightedNFsAreBalancedAcrossCPUs() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cpu.shares"), "no cgroup v1 cpu controller")
        try XCTSkipUnless(ProcessInfo.processInfo.activeProcessorCount == 2, "the expected split is for two CPUs")
        let p = try Platform("cpubalance")
        let config = p.dir.appendingPathComponent("nfs.yaml")
        try """
            ports: [net_null0]
            nfs:
              - {kind: forward, service: 1, cpu_weight: 100}
              - {kind: forward, service: 2, cpu_weight: 100}
              - {kind: forward, service: 3, cpu_weight: 400}
            """.write(to: config, atomically: true, encoding: .utf8)
        try p.startManager(["--config", config.path])
        let api = p.control.client
        XCTAssertTrue(waitFor(timeout: 30) { ((try? api.nfs()) ?? []).filter { $0.state == "running" }.count == 3 }, p.manager!.stderr)
        let nfs = try api.nfs().sorted { $0.instance < $1.instance }
        XCTAssertEqual(nfs.map { $0.launch?.cpu }, [1, 1, 0])
        // Where their threads may run: the moved one's too, once it registered.
        XCTAssertTrue(waitFor(timeout: 30) { nfs.map { allowedCPUs($0.pid) } == ["1", "1", "0"] }, "\(nfs.map { allowedCPUs($0.pid) })")
        try api.stop(nfs[2].instance)
        XCTAssertTrue(waitFor(timeout: 30) { ((try? api.nfs()) ?? []).filter { $0.state == "running" }.count == 2 })
        XCTAssertEqual(try api.nfs().filter { $0.state == "running" }.sorted { $0.instance < $1.instance }.map { $0.launch?.cpu }, [0, 1])
        XCTAssertTrue(waitFor(timeout: 30) { nfs.prefix(2).map { allowedCPUs($0.pid) } == ["0", "1"] }, "\(nfs.prefix(2).map { allowedCPUs($0.pid) })")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    /// A manager started on fewer CPUs than the machine has (`taskset`, a
    /// cpuset) keeps every thread on them, its dataplane thread included:
    /// the EAL sets its threads' affinity itself, and used to widen it to
    /// every CPU (so a benchmark's forwarder "on CPU 1" took CPU 0 from the
    /// traffic generator).
    func testAManagerStaysOnTheCPUsItWasGiven() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two CPUs")
        let p = try Platform("cpuset")
        let m = try p.startManager(["--port", "net_null0"], cpus: "1")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(m.pid)/task")
        let threads = tasks.map { tid in
            ((try? String(contentsOfFile: "/proc/\(m.pid)/task/\(tid)/comm", encoding: .utf8)) ?? "?")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertTrue(threads.contains("dataplane"), "\(threads)")
        XCTAssertEqual(Set(tasks.map { allowedCPUs(Int32($0)!) }), ["1"], "where the manager's threads \(threads) may run")
        XCTAssertEqual(p.stop(), 0, m.stderr)
    }

    func testAWeightWithoutTheControllerOrOutOfRangeIsRefused() throws {
        let p = try Platform("cpushare-bad")
        try p.startManager()
        let r = try p.control.client.request("POST", "/v1/nfs", body: Data("{\"kind\": \"forward\", \"service\": 1, \"cpuWeight\": 0}".utf8))
        XCTAssertEqual(r.status, 400)
        XCTAssertTrue(String(decoding: r.body, as: UTF8.self).contains("cpuWeight 0: must be 1...10000"))
        XCTAssertEqual(try p.control.client.nfs().count, 0)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}

/// The CPUs process `pid`'s main thread (an NF's run loop) may run on, as
/// the kernel lists them ("1", "0-1"); "" when it has gone.
func allowedCPUs(_ pid: Int32) -> String {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return "" }
    return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }?.split(separator: "\t").last.map(String.init) ?? ""
}

/// For a failure's message: the threads of every process that ran on `cpu`
/// during one second, busiest first ("name (pid/tid) 42 %"), at most five.
func busiestThreads(cpu: Int) -> [String] {
    func sample() -> [String: (name: String, cpu: Int, ticks: Int)] {
        var threads: [String: (name: String, cpu: Int, ticks: Int)] = [:]
        let proc = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in proc where Int32(pid) != nil {
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let f = stat[stat.index(after: close)...].split(separator: " ")
                guard f.count > 36, let user = Int(f[11]), let system = Int(f[12]), let on = Int(f[36]) else { continue }
                threads["\(pid)/\(tid)"] = (name, on, user + system)
            }
        }
        return threads
    }
    let before = sample()
    usleep(1_000_000)
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    return sample().compactMap { id, t -> (String, Double)? in
        guard t.cpu == cpu, let b = before[id] else { return nil }
        return ("\(t.name) (\(id))", Double(t.ticks - b.ticks) / ticksPerSecond * 100)
    }
    .sorted { $0.1 > $1.1 }.prefix(5).map { "\($0.0) \(Int($0.1)) %" }
}
