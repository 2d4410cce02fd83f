import Foundation
import XCTest

/// The router on replayed traffic, checked in the capture the platform
/// writes (read back with tcpdump): ICMP time exceeded, ARP learning and
/// resolution, TTL and MAC rewriting, no route, malformed IPv4 dropped, and
/// routing that continues the chain.
final class RouterCaptureTests: XCTestCase {
    let host: [UInt8] = [0x02, 0, 0, 0, 0, 0x02], gateway: [UInt8] = [0x02, 0, 0, 0, 0, 0xFE]

    func udp(to dst: [UInt8], ttl: UInt8, sequence: UInt32) -> [UInt8] {
            var f = Pcap.udpFrame(sequence: sequence, length: 64)
            f[0..<6] = [0x02, 0, 0, 0, 0, 0x10][...]   // to the router (any MAC: the port is promiscuous)
            f[6..<12] = host[...]
            f[22] = ttl
            f[26..<30] = [10, 0, 1, 2]; f[30..<34] = dst[...]
            f[24] = 0; f[25] = 0
            var sum = 0
            for i in stride(from: 14, to: 34, by: 2) { sum += Int(f[i]) << 8 | Int(f[i + 1]) }
            while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
            f[24] = UInt8((~sum >> 8) & 0xFF); f[25] = UInt8(~sum & 0xFF)
            return f
    }

    /// An ARP reply from the gateway at `gatewayIP`, to the router at `routerIP`.
    func arpReply(gatewayIP: [UInt8], routerIP: [UInt8]) -> [UInt8] {
        var arpReply = [UInt8](repeating: 0, count: 42)
        arpReply[0..<6] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][...]; arpReply[6..<12] = gateway[...]
        arpReply[12] = 0x08; arpReply[13] = 0x06
        arpReply[14..<22] = [0, 1, 0x08, 0, 6, 4, 0, 2][...]
        arpReply[22..<28] = gateway[...]; arpReply[28..<32] = gatewayIP[...]
        arpReply[38..<42] = routerIP[...]
        return arpReply
    }

    func testRouterDecisionsAppearInTheCapture() throws {
        let p = try Platform("rcap")
        var longer = udp(to: [10, 9, 0, 5], ttl: 64, sequence: 5)
        longer[16] = 0x01                                    // total length 256 + ...: beyond the frame
        var shorter = udp(to: [10, 9, 0, 5], ttl: 64, sequence: 6)
        shorter[16] = 0; shorter[17] = 12                    // total length 12: under the header
        var badIHL = udp(to: [10, 9, 0, 5], ttl: 64, sequence: 7)
        badIHL[14] = 0x44                                    // a header of 16 bytes
        let input = [
            udp(to: [10, 9, 0, 5], ttl: 1, sequence: 1),      // TTL runs out: ICMP time exceeded back
            arpReply(gatewayIP: [10, 0, 1, 254], routerIP: [10, 0, 1, 1]),  // the gateway's address is learned
            udp(to: [10, 9, 0, 5], ttl: 64, sequence: 2),     // forwarded to the gateway, TTL 63
            udp(to: [10, 7, 0, 1], ttl: 64, sequence: 3),     // no route: dropped
            udp(to: [10, 0, 1, 77], ttl: 64, sequence: 4),    // connected, unknown: ARP request
            longer, shorter, badIHL,                         // malformed: dropped, counted
        ]
        let inFile = p.dir.appendingPathComponent("in.pcap"), outFile = p.dir.appendingPathComponent("out.pcap")
        try Pcap.write(input, to: inFile)
        let routes = p.dir.appendingPathComponent("r.conf")
        try "interface 0 10.0.1.1/24\nroute 10.9.0.0/16 via 10.0.1.254 port 0\n".write(to: routes, atomically: true, encoding: .utf8)
        try p.startManager(["--port", "net_pcap0,rx_pcap=\(inFile.path),tx_pcap=\(outFile.path)", "--chain", "1", "--wait-for-chain", "true"])
        let router = try p.startNF(["router", "--service", "1", "--routes", routes.path])
        XCTAssertTrue(waitFor(timeout: 20) { ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == 3 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertTrue(router.stderr.contains("forwarded 1, no route 1, no neighbour 1, TTL expired 1, malformed 3"), router.stderr)

        // Packets the router made (ICMP, ARP) leave before the burst they came from: compare as a set.
        let packets = try Pcap.tcpdump(outFile)
        XCTAssertEqual(packets.count, 3, packets.joined(separator: "\n"))
        let icmp = packets.first { $0.contains("ICMP time exceeded") } ?? ""
        XCTAssertTrue(icmp.contains("10.0.1.1 > 10.0.1.2: ICMP time exceeded in-transit"), icmp)
        XCTAssertTrue(icmp.contains("> 02:00:00:00:00:02"), icmp)
        let forwarded = packets.first { $0.contains("> 10.9.0.5.9: UDP") && !$0.contains("ICMP") } ?? ""
        XCTAssertTrue(forwarded.contains("> 02:00:00:00:00:fe"), forwarded)
        XCTAssertTrue(forwarded.contains("ttl 63"), forwarded)
        XCTAssertFalse(forwarded.contains("bad cksum"), forwarded)
        XCTAssertEqual(packets.filter { $0.contains("Request who-has 10.0.1.77 tell 10.0.1.1") }.count, 1, packets.joined(separator: "\n"))
    }
    /// With `--to next` a routed packet goes on along the chain (here to a
    /// forwarder) and leaves by the port its route chose, not the one it
    /// came in on.
    func testRoutingCanContinueTheChain() throws {
        let p = try Platform("rnext")
        let input = [arpReply(gatewayIP: [10, 0, 2, 254], routerIP: [10, 0, 2, 1]),
                     udp(to: [10, 9, 0, 5], ttl: 64, sequence: 1), udp(to: [10, 9, 0, 6], ttl: 64, sequence: 2)]
        let inFile = p.dir.appendingPathComponent("in.pcap"), empty = p.dir.appendingPathComponent("empty.pcap")
        let out0 = p.dir.appendingPathComponent("out0.pcap"), out1 = p.dir.appendingPathComponent("out1.pcap")
        try Pcap.write(input, to: inFile)
        try Pcap.write([], to: empty)
        let routes = p.dir.appendingPathComponent("r.conf")
        try "interface 0 10.0.1.1/24\ninterface 1 10.0.2.1/24\nroute 10.9.0.0/16 via 10.0.2.254 port 1\n"
            .write(to: routes, atomically: true, encoding: .utf8)
        try p.startManager(["--port", "net_pcap0,rx_pcap=\(inFile.path),tx_pcap=\(out0.path)",
                            "--port", "net_pcap1,rx_pcap=\(empty.path),tx_pcap=\(out1.path)",
                            "--chain", "1,2", "--wait-for-chain", "true"])
        try p.startNF(["router", "--service", "1", "--routes", routes.path, "--to", "next"])
        let after = try p.startNF(["forward", "--service", "2", "--to", "next"])
        XCTAssertTrue(waitFor(timeout: 20) { ((p.stats?["ports"] as? [[String: Any]])?.last?["tx"] as? Int) == 2 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertTrue(after.stderr.contains("rx 2, tx 2"), "the routed packets went on to service 2: \(after.stderr)")
        XCTAssertEqual(try Pcap.read(out0).count, 0)
        let sent = try Pcap.tcpdump(out1)
        XCTAssertEqual(sent.filter { $0.contains("> 02:00:00:00:00:fe") && $0.contains("ttl 63") }.count, 2, sent.joined(separator: "\n"))
    }

    /// A route through a port the manager does not have is refused, with
    /// its file and line.
    func testARouteThroughAMissingPortNamesItsLine() throws {
        let p = try Platform("rport")
        let routes = p.dir.appendingPathComponent("r.conf")
        try "interface 0 10.0.1.1/24\n# the manager has one port\nroute 10.9.0.0/16 via 10.0.1.254 port 3\n"
            .write(to: routes, atomically: true, encoding: .utf8)
        try p.startManager(["--port", "net_null0"])
        let r = try p.run(["nf", "router", "--service", "1", "--routes", routes.path, "--manager", p.name])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("\(routes.path):3: port 3 does not exist: the manager has 1 port(s) (0...0)"), r.stderr)
        XCTAssertEqual(p.stop(), 0)
    }
}
