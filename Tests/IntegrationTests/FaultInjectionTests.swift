import Foundation
import TestSupport
import XCTest

/// Faults injected at the worst moments of the ownership protocol, under
/// load from a `net_null` port (an endless source and a sink): NFs killed
/// (SIGKILL) and stopped (SIGSTOP) inside an enqueue, holding new buffers,
/// and between marking drops and queuing them; an NF group killed inside an
/// enqueue between its members. After each run, every packet
/// that entered is delivered or counted as dropped under one reason,
/// exactly; no buffer is in no ring with the stamp of an NF that exited
/// cleanly; the pool is full.
final class FaultInjectionTests: XCTestCase {
    /// A producer stops itself inside an enqueue into the consumer's ring,
    /// holding the ring's reservation (HTS); meanwhile the other producer of
    /// that ring is killed, and its reclaim is decided while the stopped one
    /// still holds it. The live producer's reservation must not be voided:
    /// when it goes on, its descriptors arrive.
    func testAProducerStoppedInsideAnEnqueueIsNeverVoided() throws {
        let p = try Platform("stopped-producer")
        try p.startManager(["--port", "net_null0", "--chain", "1,2", "--balance", "1:queue"])
        try p.startNF(["forward", "--service", "2", "--to", "next"])
        var older = try p.startNF(["forward", "--service", "1", "--to", "next"])
        for round in 0..<6 {
            let stopped = try p.startNF(["forward", "--service", "1", "--to", "next"],
                                        environment: ["NFV_FAULT": "enqueue-reserved:\(40 + round * 37)"])
            XCTAssertTrue(waitFor(timeout: 30) { stopped.isStopped || !stopped.isRunning }, "round \(round): it never stopped")
            XCTAssertTrue(stopped.isRunning, stopped.stderr)
            let decided = p.managerLines("reclaim requested")
            older.signal(SIGKILL)
            older.wait()
            // The manager has looked at the rings the dead producer used
            // while the live one still holds the reservation.
            XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("reclaim requested") > decided }, p.manager!.stderr)
            let returned = p.managerLines("buffers returned to the pool")
            stopped.signal(SIGCONT)
            XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("buffers returned to the pool") > returned }, p.manager!.stderr)
            older = stopped
        }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertFalse(p.manager!.stderr.contains("entries voided"), "a live producer's reservation was voided: \(p.manager!.stderr)")
        assertEveryPacketAccounted(p, died: 6)
    }

    /// A hundred kills of live NFs of both services of a chain, each with
    /// another NF stopped for 50 to 200 ms around every fifth kill, and a
    /// new instance started each time. Every packet is accounted for.
    func testEveryPacketIsCountedAcrossAHundredKills() throws {
        let p = try Platform("hundred-kills")
        try p.startManager(["--port", "net_null0", "--chain", "1,2", "--balance", "1:queue", "--balance", "2:queue"])
        let services = [1, 1, 2, 2]
        var live = try services.map { try p.startNF(["forward", "--service", "\($0)", "--to", "next"]) }
        var rng = SplitMix64(state: 6)
        for round in 0..<100 {
            let v = Int(rng.next() % UInt64(live.count))
            let stoppee = live[(v + 1 + Int(rng.next() % 3)) % live.count]
            let stop = round % 5 == 0
            if stop { stoppee.signal(SIGSTOP) }
            live[v].signal(SIGKILL)
            live[v].wait()
            if stop {
                // The fault itself: the stop lasts 50 to 200 ms (not a wait for anything).
                usleep(50_000 + UInt32(rng.next() % 150_000))
                stoppee.signal(SIGCONT)
            }
            live[v] = try p.startNF(["forward", "--service", "\(services[v])", "--to", "next"])
        }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        assertEveryPacketAccounted(p, died: 100)
    }

    /// An NF group stopped inside an enqueue from one member into the next
    /// (holding the reservation of that member's ring), then killed: both
    /// members are reclaimed, the reservation is repaired, and every packet
    /// is accounted for.
    func testAGroupKilledInsideAnEnqueueBetweenItsMembersLosesNothing() throws {
        let p = try Platform("group-fault")
        try p.startManager(["--port", "net_null0", "--chain", "1,2"])
        for round in 0..<3 {
            let group = try p.startGroup(["forward --service 1 --to next", "forward --service 2 --to next"],
                                         environment: ["NFV_FAULT": "enqueue-reserved:\(40 + round * 37)"])
            XCTAssertTrue(waitFor(timeout: 30) { group.isStopped || !group.isRunning }, "round \(round): it never stopped")
            XCTAssertTrue(group.isRunning, "it exited instead of stopping: \(group.stderr)")
            let returned = p.managerLines("buffers returned to the pool")
            group.signal(SIGKILL)
            group.wait()
            XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("buffers returned to the pool") >= returned + 2 }, p.manager!.stderr)
        }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        assertEveryPacketAccounted(p, died: 6)
    }

    /// NFs killed while they hold new buffers taken from their supply, and
    /// while they hold drops marked for the pool but not yet queued: both
    /// come back.
    func testKillsInsideTheSupplyAndTheGiveBackLoseNothing() throws {
        let p = try Platform("buffer-paths")
        try p.startManager(["--port", "net_null0", "--chain", "1"])
        for round in 0..<3 {
            try killWhereItStops(p, ["speed-tester", "--service", "2", "--to", "service:3", "--packets", "256"],
                                 fault: "supply-taken:\(1 + round * 3)")
            try killWhereItStops(p, ["forward", "--service", "1", "--to", "drop"], fault: "giveback-marked:\(5 + round * 50)")
        }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        let stats = assertEveryPacketAccounted(p, died: 6)
        let reclaimed = (stats?["departed"] as? [[String: Any]])?.map { $0["reclaimed"] as? Int ?? 0 } ?? []
        XCTAssertTrue(reclaimed.allSatisfy { $0 > 0 }, "each killed NF held buffers that came back: \(reclaimed)")
    }

    /// While a reclaim waits for a stopped consumer, the dataplane thread
    /// sleeps between looks rather than polling (its sleep count grows while
    /// the batch is still waiting); when the consumer goes on, the reclaim
    /// finishes.
    func testAReclaimWaitingForAStoppedNFLetsTheDataplaneSleep() throws {
        let p = try Platform("stopped-consumer")
        try p.startManager()
        let consumer = try p.startNF(["forward", "--service", "3", "--to", "service:1"])
        let sender = try p.startNF(["forward", "--service", "2", "--to", "service:3"])
        try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "512"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 3)?["rx"] as? Int ?? 0) > 10_000 })
        consumer.signal(SIGSTOP)
        XCTAssertTrue(waitFor(timeout: 20) { consumer.isStopped })
        // Packets queued for it, in a snapshot written after it stopped (only
        // it takes from its ring, so they are still there when the sender dies).
        let stoppedAt = p.stats?["uptimeSeconds"] as? Double ?? 0
        XCTAssertTrue(waitFor(timeout: 20) {
            guard let s = p.stats, (s["uptimeSeconds"] as? Double ?? 0) > stoppedAt else { return false }
            let consumerStats = (s["nfs"] as? [[String: Any]])?.first { $0["service"] as? Int == 3 }
            return (consumerStats?["rxRing"] as? Int ?? 0) > 0
        }, "nothing queued for the stopped NF")
        let returned = p.managerLines("buffers returned to the pool")
        sender.signal(SIGKILL)
        sender.wait()
        XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("reclaim requested") > 0 }, p.manager!.stderr)
        let before = p.stats?["dataplaneSleeps"] as? Int ?? 0
        XCTAssertTrue(waitFor(timeout: 20) { (p.stats?["dataplaneSleeps"] as? Int ?? 0) >= before + 20 },
                      "the dataplane did not sleep while the reclaim waited")
        XCTAssertEqual(p.managerLines("buffers returned to the pool"), returned,
                       "the reclaim must wait for the stopped NF: \(p.manager!.stderr) \(String(describing: p.stats))")
        consumer.signal(SIGCONT)
        XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("buffers returned to the pool") > returned }, p.manager!.stderr)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        assertEveryPacketAccounted(p, died: 1, fromPorts: false)
    }

    /// Starts an NF that stops itself at `fault` (`NFV_FAULT`), waits until
    /// it has, kills it there, and waits until its buffers are back.
    func killWhereItStops(_ p: Platform, _ args: [String], fault: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let nf = try p.startNF(args, environment: ["NFV_FAULT": fault], file: file, line: line)
        XCTAssertTrue(waitFor(timeout: 30) { nf.isStopped || !nf.isRunning }, nf.stderr, file: file, line: line)
        XCTAssertTrue(nf.isRunning, "it exited instead of stopping at \(fault): \(nf.stderr)", file: file, line: line)
        let returned = p.managerLines("buffers returned to the pool")
        nf.signal(SIGKILL)
        nf.wait()
        XCTAssertTrue(waitFor(timeout: 20) { p.managerLines("buffers returned to the pool") > returned }, p.manager!.stderr,
                      file: file, line: line)
    }

    /// Checks the final statistics: entered = delivered + dropped, exactly;
    /// no strays; `died` instances died; every buffer back. Returns them.
    /// `fromPorts`: whether traffic came from ports (else from NFs alone).
    @discardableResult
    func assertEveryPacketAccounted(_ p: Platform, died: Int, fromPorts: Bool = true, file: StaticString = #filePath,
                                    line: UInt = #line) -> [String: Any]? {
        guard let stats = p.stats else { XCTFail("no final statistics", file: file, line: line); return nil }
        let ports = stats["ports"] as? [[String: Any]] ?? []
        let services = stats["services"] as? [[String: Any]] ?? []
        let received = ports.reduce(0) { $0 + ($1["rx"] as? Int ?? 0) }
        let supplied = services.reduce(0) { $0 + ($1["supplied"] as? Int ?? 0) }
        let delivered = ports.reduce(0) { $0 + ($1["tx"] as? Int ?? 0) }
        let dropped = services.reduce(0) { sum, s in sum + ((s["dropped"] as? [String: Int])?.values.reduce(0, +) ?? 0) }
        if fromPorts { XCTAssertGreaterThan(received, 0, file: file, line: line) }
        XCTAssertEqual(received + supplied, delivered + dropped,
                       "received \(received) + supplied \(supplied) != delivered \(delivered) + dropped \(dropped): \(services)",
                       file: file, line: line)
        XCTAssertEqual(stats["strays"] as? Int, 0, file: file, line: line)
        let departed = stats["departed"] as? [[String: Any]] ?? []
        XCTAssertEqual(departed.filter { $0["state"] as? String == "died" }.count, died, file: file, line: line)
        XCTAssertTrue(p.manager!.stderr.contains("buffers are back in the pool"), p.manager!.stderr, file: file, line: line)
        XCTAssertFalse(p.manager!.stderr.contains("are missing from the pool"), p.manager!.stderr, file: file, line: line)
        return stats
    }
}
