import Foundation
import XCTest

/// NF groups (`nfv nf group`): several NFs in one process, on one thread.
/// Each member is an NF of its own to the manager; packets cross them
/// exactly once; a killed group loses no buffer; an idle group sleeps and
/// wakes for a packet to any member; a bad member is refused by name.
final class NFGroupTests: XCTestCase {
    func testAGroupCarriesEveryPacketThroughItsMembersExactlyOnce() throws {
        let p = try Platform("group-chain")
        let count = 2000
        let sent = (0..<count).map { Pcap.udpFrame(sequence: UInt32($0), length: 64 + $0 % 200) }
        let input = p.dir.appendingPathComponent("in.pcap")
        let output = p.dir.appendingPathComponent("out.pcap")
        try Pcap.write(sent, to: input)
        try p.startManager(["--port", "net_pcap0,rx_pcap=\(input.path),tx_pcap=\(output.path)",
                            "--chain", "1,2,3", "--wait-for-chain", "true"])
        let group = try p.startGroup(["forward --service 1 --to next", "monitor --service 2 --to next --sample-every 0",
                                      "forward --service 3 --to next"])
        XCTAssertTrue(waitFor(timeout: 30) {
            ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == count
        }, "port 0 did not send \(count) packets: \(String(describing: p.stats))")

        let nfs = try XCTUnwrap(p.stats?["nfs"] as? [[String: Any]])
        XCTAssertEqual(nfs.count, 3, "each member is an NF of its own")
        XCTAssertEqual(Set(nfs.compactMap { $0["pid"] as? Int32 }), [group.pid])
        for service in 1...3 { XCTAssertEqual(p.nfStats(service: service)?["rx"] as? Int, count, "service \(service)") }
        XCTAssertEqual(p.stop(), 0, p.manager?.stderr ?? "")

        let received = try Pcap.read(output)
        XCTAssertEqual(received.count, count)
        XCTAssertEqual(Set(received), Set(sent), "a packet was changed, lost or duplicated")
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0, "buffers missing from the pool after shutdown")
        XCTAssertEqual(group.wait(), 0, group.stderr)
        // The manager marks itself stopping and sends each NF SIGTERM: a
        // member reports whichever it sees first.
        let endings = ["the manager is stopping", "stopped by signal"].map { "(group): \($0); rx \(count), tx \(count), dropped 0" }
        XCTAssertEqual(endings.map { group.stderr.components(separatedBy: $0).count - 1 }.reduce(0, +), 3, group.stderr)
    }

    func testAKilledGroupLosesNoBufferAndStopsNothingElse() throws {
        let p = try Platform("group-kill")
        try p.startManager()
        let group = try p.startGroup(["forward --service 2 --to service:3", "forward --service 3 --to service:1"])
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "512"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 3)?["rx"] as? Int ?? 0) > 10_000 }, "\(String(describing: p.stats))")
        group.signal(SIGKILL)
        group.wait()
        XCTAssertTrue(waitFor(timeout: 10) { p.managerLines("died; reclaiming its buffers") == 2 }, p.manager!.stderr)
        XCTAssertTrue(p.manager!.isRunning)
        XCTAssertTrue(tester.isRunning)
        // Services 2 and 3 are gone: what the tester still sends is dropped and freed by it.
        XCTAssertTrue(waitFor(timeout: 10) { (p.stats?["poolInUse"] as? Int) == 0 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertTrue(p.manager!.stderr.contains("all 32767 buffers are back in the pool"), p.manager!.stderr)
    }

    func testAnIdleGroupSleepsAndWakesForAPacketToAnyMember() throws {
        let p = try Platform("group-idle")
        try p.startManager()
        try p.startGroup(["forward --service 2 --to service:1", "forward --service 3 --to service:1"])
        func sleeps(_ service: Int) -> Int { p.nfStats(service: service)?["sleeps"] as? Int ?? 0 }
        XCTAssertTrue(waitFor(timeout: 20) { sleeps(2) > 0 && sleeps(3) > 0 }, "\(String(describing: p.stats))")
        // Packets only for the second member.
        try p.startNF(["speed-tester", "--service", "1", "--to", "service:3", "--packets", "64"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 3)?["rx"] as? Int ?? 0) > 10_000 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.nfStats(service: 2)?["rx"] as? Int, 0)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// A member that went idle while the others stay busy must not hold an
    /// old version of the steering table (it would pin one of the table's
    /// few version slots): it announces none, and chains change as often as
    /// asked.
    func testAnIdleMemberOfABusyGroupHoldsNoSteeringVersionBack() throws {
        let p = try Platform("group-versions")
        try p.startManager()
        try p.startGroup(["forward --service 2 --to service:1", "forward --service 3 --to service:4"])
        // Member 3 handles packets (so its steering read a version), then its sender stops.
        let first = try p.startNF(["speed-tester", "--service", "4", "--to", "service:3", "--packets", "64"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 3)?["rx"] as? Int ?? 0) > 1000 }, "\(String(describing: p.stats))")
        first.signal(SIGINT)
        XCTAssertEqual(first.wait(), 0, first.stderr)
        // Member 2 keeps the group busy from now on.
        try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "64"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 2)?["rx"] as? Int ?? 0) > 1000 }, "\(String(describing: p.stats))")
        for i in 0..<8 {
            let body = Data("{\"steps\": [\(2 + i % 2)]}".utf8)
            let r = try p.control.client.request("PUT", "/v1/chains/c\(i % 2)", body: body)
            XCTAssertEqual(r.status, 200, "change \(i): \(String(decoding: r.body, as: UTF8.self))")
        }
        XCTAssertTrue(waitFor(timeout: 10) { (p.nfStats(service: 3)?["steeringVersion"] as? Int) == 0 },
                      "the idle member still announces a version: \(String(describing: p.nfStats(service: 3)))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    func testABadMemberIsRefusedByNumberAndNothingStaysRegistered() throws {
        let p = try Platform("group-bad")
        try p.startManager()
        let typo = try p.run(["nf", "group", "--manager", p.name, "--member", "forward --service 2", "--member", "forward --servce 3"])
        XCTAssertNotEqual(typo.status, 0)
        XCTAssertTrue(typo.stderr.contains("--member 2 'forward --servce 3'"), typo.stderr)
        XCTAssertTrue(typo.stderr.contains("--servce"), typo.stderr)
        let pinned = try p.run(["nf", "group", "--manager", p.name, "--member", "forward --service 2 --cpu 1"])
        XCTAssertNotEqual(pinned.status, 0)
        XCTAssertTrue(pinned.stderr.contains("pin the group with --cpu"), pinned.stderr)
        // The second member's service is taken by the first: registration is
        // refused, and the first member leaves again.
        let clash = try p.run(["nf", "group", "--manager", p.name, "--member", "forward --service 2 --instance-id 5",
                               "--member", "forward --service 3 --instance-id 5"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("instance 5"), clash.stderr)
        XCTAssertTrue(waitFor(timeout: 10) { (p.stats?["nfs"] as? [[String: Any]])?.isEmpty == true }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}
