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
