import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// CPU weights and caps of supervised NFs, enforced by cgroup v1's cpu
/// controller: two NFs that never sleep share one CPU by their weights,
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
        var shares: [Double?] = []
        XCTAssertTrue(waitFor(timeout: 30) {
            shares = [busy, idle].map { (try? api.nf($0.instance))?.cpuPercent }
            guard let b = shares[0], let i = shares[1] else { return false }
            return b > 80 && i < 10
        }, "percent of CPU 1 (busy, weight 100; idle, weight 400): \(shares)")
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
