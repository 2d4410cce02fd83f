import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// SIGHUP makes the firewall re-read its rules between bursts: a bad file is
/// refused with its line named and the old rules stay; a good one applies.
final class FirewallReloadTests: XCTestCase {
    func testReloadOnSIGHUP() throws {
        let p = try Platform("fwreload")
        let rules = p.dir.appendingPathComponent("fw.rules")
        try "allow udp any any\ndefault deny\n".write(to: rules, atomically: true, encoding: .utf8)
        try p.startManager()
        let firewall = try p.startNF(["firewall", "--service", "2", "--rules", rules.path, "--to", "service:1"])
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "32"])
        func firewallRX() -> Int { p.nfStats(service: 2)?["rx"] as? Int ?? 0 }
        XCTAssertTrue(waitFor(timeout: 20) { firewallRX() > 1000 })

        try "allow udp any any\nallow udp 10.0.0.0/40 any\n".write(to: rules, atomically: true, encoding: .utf8)
        firewall.signal(SIGHUP)
        XCTAssertTrue(waitFor(timeout: 10) { firewall.stderr.contains("reload refused") }, firewall.stderr)
        XCTAssertTrue(firewall.stderr.contains("fw.rules:2: '10.0.0.0/40' is not an address"), firewall.stderr)
        let before = firewallRX()
        XCTAssertTrue(waitFor(timeout: 10) { firewallRX() > before + 1000 }, "traffic stopped after a refused reload")

        try "deny udp any any any 9\ndefault allow\n".write(to: rules, atomically: true, encoding: .utf8)
        firewall.signal(SIGHUP)
        XCTAssertTrue(waitFor(timeout: 10) { firewall.stderr.contains("reloaded 1 rules") }, firewall.stderr)
        // Every packet in flight is now dropped: the tester sees nothing come back.
        XCTAssertTrue(waitFor(timeout: 10) { tester.stdout.hasSuffix("0.000 Mpps, 32 in flight\n") }, tester.stdout)
        XCTAssertEqual(p.stop(), 0)
        XCTAssertTrue(firewall.stderr.contains("rule line 1 (deny): 32 packets"), firewall.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// The API's reload: a typed message to the NF (no signal), the same effect.
    func testReloadThroughTheAPI() throws {
        let p = try Platform("fwreload-api")
        let rules = p.dir.appendingPathComponent("fw.rules")
        try "allow udp any any\ndefault deny\n".write(to: rules, atomically: true, encoding: .utf8)
        try p.startManager()
        let api = p.control.client
        let firewall = try api.launch(NFLaunchSpec(kind: "firewall", service: 2, args: ["--rules", rules.path, "--to", "service:1"]))
        try p.control.waitUntilRegistered(firewall.instance, timeout: 30)
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "32"])
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.nf(firewall.instance).rx) ?? 0) > 1000 })
        try "deny udp any any any 9\ndefault allow\n".write(to: rules, atomically: true, encoding: .utf8)
        try api.reload(firewall.instance)
        XCTAssertTrue(waitFor(timeout: 10) { tester.stdout.hasSuffix("0.000 Mpps, 32 in flight\n") }, tester.stdout)
        XCTAssertEqual(try api.nf(firewall.instance).restarts, 0, "reloaded in place, not restarted")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }
}
