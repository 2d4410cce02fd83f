import NFVPacket
import XCTest

final class PacketLibraryTests: XCTestCase {
    let a = MACAddress("02:00:00:00:00:01")!
    let b = MACAddress("02:00:00:00:00:02")!
    let ip1 = IPv4Address("10.0.1.2")!
    let ip2 = IPv4Address("10.0.2.2")!

    func testAddressesParseAndPrint() {
        XCTAssertEqual(IPv4Address("192.168.1.200")?.description, "192.168.1.200")
        for bad in ["1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3", "", "1.2.3.-4"] { XCTAssertNil(IPv4Address(bad), bad) }
        XCTAssertEqual(IPv4Prefix("10.1.2.3/16")?.description, "10.1.0.0/16")
        XCTAssertEqual(IPv4Prefix("any")?.length, 0)
        XCTAssertNil(IPv4Prefix("10.0.0.0/33"))
        XCTAssertTrue(IPv4Prefix("10.1.0.0/16")!.contains(IPv4Address("10.1.255.9")!))
        XCTAssertFalse(IPv4Prefix("10.1.0.0/16")!.contains(IPv4Address("10.2.0.1")!))
        XCTAssertEqual(MACAddress("0a:1b:2c:3d:4e:5f")?.description, "0a:1b:2c:3d:4e:5f")
        XCTAssertNil(MACAddress("0a:1b:2c:3d:4e"))
    }

    func testUDPFrameParsesWithValidChecksumsAndFiveTuple() throws {
        let p = PacketBuilder.udp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 5000, destinationPort: 53, payload: Array("hello".utf8))
        let l = try XCTUnwrap(Layout.parse(p))
        XCTAssertEqual(l.network, .ipv4)
        XCTAssertEqual(l.transport, .udp)
        XCTAssertEqual(l.l4, 34)
        XCTAssertTrue(p.ipv4ChecksumIsValid(l))
        XCTAssertTrue(p.transportChecksumIsValid(l))
        XCTAssertEqual(FiveTuple(p, l), FiveTuple(source: ip1, destination: ip2, proto: 17, sourcePort: 5000, destinationPort: 53))
    }

    func testVLANTagsAndIPv4OptionsAreSkipped() throws {
        var t = PacketBuilder.tcp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 1234, destinationPort: 80).bytes
        // Add 4 bytes of IPv4 options (NOPs) and two VLAN tags.
        t.insert(contentsOf: [1, 1, 1, 1], at: 34)
        t[14] = 0x46
        t.insert(contentsOf: [0x81, 0x00, 0x00, 0x05, 0x81, 0x00, 0x00, 0x07], at: 12)
        let p = PacketData(t)
        let l = try XCTUnwrap(Layout.parse(p))
        XCTAssertEqual(l.outerVLAN, 5)
        XCTAssertEqual(l.innerVLAN, 7)
        XCTAssertEqual(l.l3, 22)
        XCTAssertEqual(l.l3Length, 24)
        XCTAssertEqual(l.transport, .tcp)
        XCTAssertEqual(l.l4, 46)
        XCTAssertEqual(FiveTuple(p, l)?.destinationPort, 80)
    }

    func testIPv6ExtensionHeadersAreSkipped() throws {
        var f = [UInt8](repeating: 0, count: 14 + 40 + 8 + 8 + 8)
        f[12] = 0x86; f[13] = 0xDD
        f[14] = 0x60
        f[20] = 0       // next: hop-by-hop
        f[21] = 64
        f[54] = 60      // hop-by-hop -> destination options
        f[55] = 0       // length 8
        f[62] = 17      // destination options -> UDP
        f[63] = 0
        f[70] = 0x30; f[71] = 0x39 // UDP source port 12345
        let l = try XCTUnwrap(Layout.parse(PacketData(f)))
        XCTAssertEqual(l.network, .ipv6)
        XCTAssertEqual(l.ipProtocol, 17)
        XCTAssertEqual(l.transport, .udp)
        XCTAssertEqual(l.l4, 70)
        XCTAssertEqual(PacketData(f).load(UInt16.self, bigEndianAt: l.l4!), 12345)
    }

    func testTTLDecrementKeepsTheChecksumRight() throws {
        var p = PacketBuilder.udp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 1, destinationPort: 2, payload: [1, 2, 3], ttl: 3)
        let l = try XCTUnwrap(Layout.parse(p))
        XCTAssertEqual(p.decrementTTL(l), 2)
        XCTAssertTrue(p.ipv4ChecksumIsValid(l))
        XCTAssertEqual(p.decrementTTL(l), 1)
        XCTAssertTrue(p.ipv4ChecksumIsValid(l))
        XCTAssertNil(p.decrementTTL(l), "TTL 1 must not be forwarded")
        XCTAssertEqual(p[22], 1)
    }

    func testAddressRewriteUpdatesIPAndTransportChecksums() throws {
        for var p in [PacketBuilder.udp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 9, destinationPort: 9, payload: [7, 7, 7]),
                      PacketBuilder.tcp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 9, destinationPort: 9, payload: [1, 2])] {
            let l = try XCTUnwrap(Layout.parse(p))
            XCTAssertTrue(p.setIPv4Address(IPv4Address("172.16.9.77")!, destination: true, l))
            XCTAssertTrue(p.setIPv4Address(IPv4Address("192.0.2.1")!, destination: false, l))
            XCTAssertTrue(p.ipv4ChecksumIsValid(l))
            XCTAssertTrue(p.transportChecksumIsValid(l))
            XCTAssertEqual(FiveTuple(p, l)?.destination.description, "172.16.9.77")
        }
    }

    func testARPAndICMPErrorsAreWellFormed() throws {
        let req = PacketBuilder.arp(reply: false, senderMAC: a, senderIP: ip1, targetMAC: .zero, targetIP: ip2)
        let l = try XCTUnwrap(Layout.parse(req))
        XCTAssertEqual(l.network, .arp)
        XCTAssertEqual(req.mac(at: 0), .broadcast)
        let orig = PacketBuilder.udp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 1, destinationPort: 2, payload: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let err = try XCTUnwrap(PacketBuilder.icmpError(type: 11, code: 0, about: orig, Layout.parse(orig)!, src: b, dst: a, routerIP: IPv4Address("10.0.1.1")!))
        let el = try XCTUnwrap(Layout.parse(err))
        XCTAssertEqual(el.transport, .icmp)
        XCTAssertTrue(err.ipv4ChecksumIsValid(el))
        XCTAssertEqual(Checksum.sum(err, from: el.l4!, count: err.length - el.l4!), 0xFFFF)
        XCTAssertEqual(err.ipv4(at: 30), ip1, "sent back to the original sender")
        XCTAssertEqual(err.length, 34 + 8 + 20 + 8, "quotes the IP header and 8 bytes")
    }

    func testTruncatedHeadersAreNotReported() {
        let full = PacketBuilder.tcp(src: a, dst: b, from: ip1, to: ip2, sourcePort: 1, destinationPort: 2).bytes
        for n in 0..<full.count {
            let p = PacketData(Array(full.prefix(n)))
            guard let l = Layout.parse(p) else { XCTAssertLessThan(n, 14); continue }
            if let l4 = l.l4 { XCTAssertLessThanOrEqual(l4 + 20, n) }
            if l.network == .ipv4 { XCTAssertLessThanOrEqual(l.l3 + l.l3Length, n) }
        }
    }
}
