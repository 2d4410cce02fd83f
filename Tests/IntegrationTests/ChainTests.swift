import Foundation
import XCTest

/// Packets through a chain of three NF processes, from a pcap port back to
/// it: every packet arrives exactly once and unchanged, the counters are
/// exact, and the pool is full again after shutdown.
final class ChainTests: XCTestCase {
    func testEveryPacketCrossesAChainOfThreeExactlyOnce() throws {
        let p = try Platform("chain3")
        let count = 2000
        let sent = (0..<count).map { Pcap.udpFrame(sequence: UInt32($0), length: 64 + $0 % 200) }
        let input = p.dir.appendingPathComponent("in.pcap")
        let output = p.dir.appendingPathComponent("out.pcap")
        try Pcap.write(sent, to: input)

        try p.startManager(["--port", "net_pcap0,rx_pcap=\(input.path),tx_pcap=\(output.path)",
                            "--chain", "1,2,3", "--wait-for-chain", "true"])
        try p.startNF(["forward", "--service", "1", "--to", "next"])
        try p.startNF(["monitor", "--service", "2", "--to", "next", "--sample-every", "0"])
        try p.startNF(["forward", "--service", "3", "--to", "next"])

        XCTAssertTrue(waitFor(timeout: 30) {
            ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == count
        }, "port 0 did not send \(count) packets: \(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0, p.manager?.stderr ?? "")

        let received = try Pcap.read(output)
        XCTAssertEqual(received.count, count)
        XCTAssertEqual(Set(received.map { $0 }).count, count, "a packet arrived twice")
        XCTAssertEqual(Set(received), Set(sent), "a packet was changed or lost")

        let stats = try XCTUnwrap(p.stats)
        let port = try XCTUnwrap((stats["ports"] as? [[String: Any]])?.first)
        XCTAssertEqual(port["rx"] as? Int, count)
        XCTAssertEqual(port["tx"] as? Int, count)
        XCTAssertEqual(port["dropped"] as? Int, 0)
        XCTAssertEqual(stats["poolInUse"] as? Int, 0, "buffers missing from the pool after shutdown")
        XCTAssertTrue(p.manager!.stderr.contains("all 32767 buffers are back in the pool"))
        for nf in p.nfs {
            XCTAssertTrue(nf.stderr.contains("rx \(count), tx \(count), dropped 0"), nf.stderr)
        }
    }

    func testSpeedTesterCirculatesThroughAChainAndStopsCleanly() throws {
        let p = try Platform("speed")
        try p.startManager()
        try p.startNF(["forward", "--service", "2", "--to", "service:1"])
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "64", "--latency"])
        XCTAssertTrue(waitFor(timeout: 20) { tester.stdout.components(separatedBy: "\n").count > 3 }, tester.stderr)
        XCTAssertTrue(tester.stdout.contains("64 in flight"))
        XCTAssertTrue(tester.stdout.contains("latency p50"))
        let forwardStats = try XCTUnwrap(p.nfStats(service: 2))
        XCTAssertGreaterThan(forwardStats["rx"] as? Int ?? 0, 0)
        tester.signal(SIGINT)
        XCTAssertEqual(tester.wait(), 0, tester.stderr)
        XCTAssertTrue(tester.stderr.contains("stopped by signal"))
        XCTAssertTrue(waitFor(timeout: 10) { p.manager!.stderr.contains("NF 'speed-tester'") && p.manager!.stderr.contains("stopped: instance") })
        XCTAssertEqual(p.stop(), 0, p.manager?.stderr ?? "")
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }
}

/// Several instances of one service, in separate processes, share its load.
final class LoadSharingTests: XCTestCase {
    func share(_ balance: String) throws {
        let p = try Platform("share-\(balance)")
        try p.startManager(["--balance", "2:\(balance)"])
        let a = try p.startNF(["forward", "--service", "2", "--to", "service:1"])
        let b = try p.startNF(["forward", "--service", "2", "--to", "service:1"])
        // 128 packets of 128 flows (the speed tester varies the source port).
        try p.startNF(["speed-tester", "--service", "1", "--to", "service:2"])
        func rx(_ c: Platform.Child) -> Int {
            (p.stats?["nfs"] as? [[String: Any]])?.first { $0["pid"] as? Int32 == c.pid }?["rx"] as? Int ?? 0
        }
        XCTAssertTrue(waitFor(timeout: 20) { rx(a) > 10_000 && rx(b) > 10_000 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    func testByFlow() throws { try share("flow") }
    func testByQueue() throws { try share("queue") }
}
