import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// Backpressure at a chain's entry (`EntryThrottle`): a `net_null` port
/// offers packets without end into the chain 1 -> 2 -> port 1, and the
/// second NF is stopped (SIGSTOP), so its ring fills whatever the speeds.
/// With backpressure the port's packets are dropped at the entry, counted
/// as `backpressure`, and the first NF never handles one that the full ring
/// then drops; once the second NF runs again its queue drains under the low
/// watermark and packets flow again. Without it, the first NF's sends to
/// the full ring fail (`ring-full`: work wasted). Either way every packet is
/// delivered or counted, and no buffer is lost.
final class BackpressureTests: XCTestCase {
    func testAThrottledChainDropsAtItsEntryAndIsReleasedBelowTheLowWatermark() throws {
        let (p, second) = try platform("bp-on", backpressure: "80:50")
        let api = p.control.client
        second.signal(SIGSTOP)
        XCTAssertTrue(waitFor(timeout: 10) { second.isStopped })
        // Held at the entry: the count of backpressure drops keeps growing
        // while the stopped NF's ring stays full.
        var held: UInt64 = 0
        XCTAssertTrue(waitFor(timeout: 30) {
            held = self.drops(api, service: 0, "backpressure")
            return held > 100_000
        }, "no backpressure drops at the entry: \(String(describing: try? api.stats().dropped))")
        XCTAssertEqual(drops(api, service: 1, "ring-full"), 0, "the first NF handled packets the full ring dropped")
        let before = try api.stats().ports[1].tx
        second.signal(SIGCONT)
        XCTAssertTrue(waitFor(timeout: 30) { ((try? api.stats().ports[1].tx) ?? 0) > before + 10_000 },
                      "packets did not flow again once the second NF drained its queue")
        try check(p)
        XCTAssertEqual(drops(final: p, service: 1, "ring-full"), 0)
        XCTAssertGreaterThan(drops(final: p, service: 0, "backpressure"), 0)
    }

    func testWithoutBackpressureTheFirstNFsWorkIsDroppedAtTheFullRing() throws {
        let (p, second) = try platform("bp-off", backpressure: "off")
        let api = p.control.client
        second.signal(SIGSTOP)
        XCTAssertTrue(waitFor(timeout: 10) { second.isStopped })
        XCTAssertTrue(waitFor(timeout: 30) { self.drops(api, service: 1, "ring-full") > 0 },
                      "the first NF's sends to the stopped NF's full ring did not fail")
        XCTAssertEqual(drops(api, service: 0, "backpressure"), 0)
        second.signal(SIGCONT)
        try check(p)
    }

    /// port 0 (net_null) -> forward (service 1) -> forward (service 2) -> port 1.
    private func platform(_ name: String, backpressure: String) throws -> (Platform, Platform.Child) {
        let p = try Platform(name)
        try p.startManager(["--port", "net_null0", "--port", "net_null1,no-rx=1", "--chain", "1,2", "--exit-port", "1",
                            "--wait-for-chain", "true", "--ring-size", "1024", "--backpressure", backpressure])
        try p.startNF(["forward", "--service", "1", "--to", "next"])
        let second = try p.startNF(["forward", "--service", "2", "--to", "next"])
        XCTAssertTrue(waitFor(timeout: 30) { ((try? p.control.client.stats().ports[1].tx) ?? 0) > 0 }, "no traffic through the chain")
        return (p, second)
    }

    private func drops(_ api: ControlClient, service: Int, _ reason: String) -> UInt64 {
        ((try? api.stats())?.services.first { $0.service == service }?.dropped[reason]) ?? 0
    }

    private func drops(final p: Platform, service: Int, _ reason: String) -> UInt64 {
        finalStats(p)?.services.first { $0.service == service }?.dropped[reason] ?? 0
    }

    private func finalStats(_ p: Platform) -> PlatformStats? {
        FileManager.default.contents(atPath: p.finalStatsFile.path).flatMap { try? JSONDecoder().decode(PlatformStats.self, from: $0) }
    }

    /// Stops cleanly, nothing leaked, every packet delivered or counted.
    private func check(_ p: Platform) throws {
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        let s = try XCTUnwrap(finalStats(p))
        XCTAssertEqual(s.entered, s.delivered + s.droppedTotal, "\(s.dropped)")
        XCTAssertEqual(s.poolInUse, 0)
    }
}
