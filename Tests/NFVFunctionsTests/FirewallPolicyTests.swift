@testable import NFVFunctions
import NFVCore
import NFVPacket
import TestSupport
import XCTest

/// What the firewall does with frames as they arrive: tagged, malformed,
/// IPv6, ARP. Nothing it cannot read slips past a deny.
final class FirewallPolicyTests: XCTestCase {
    let a = MACAddress(0x0200_0000_0001), b = MACAddress(0x0200_0000_0002)

    func firewall(_ rules: String) throws -> Firewall {
        try Firewall(rulesFile: "test.rules", text: rules)
    }

    /// A TCP SYN to port 22, optionally inside `tags` stacked 802.1Q tags.
    func syn(port: UInt16 = 22, tags: Int = 0) -> PacketData {
        let plain = PacketBuilder.tcp(src: a, dst: b, from: IPv4Address("10.0.0.1")!, to: IPv4Address("10.0.0.2")!,
                                      sourcePort: 4000, destinationPort: port, flags: 0x02)
        return tagged(plain, tags)
    }

    func tagged(_ frame: PacketData, _ tags: Int) -> PacketData {
        var bytes = frame.bytes
        for i in 0..<tags { bytes.insert(contentsOf: [0x81, 0x00, 0x00, UInt8(10 + i)], at: 12) }
        return PacketData(bytes)
    }

    func testStackedVLANTagsDoNotBypassADeny() throws {
        var fw = try firewall("deny tcp any any any 22\ndefault allow\n")
        for tags in 0...4 {
            XCTAssertFalse(fw.allows(syn(tags: tags)), "a SYN to port 22 inside \(tags) tags passed")
            XCTAssertTrue(fw.allows(syn(port: 80, tags: min(tags, 2))), "port 80 inside \(tags) tags")
        }
    }
}

extension FirewallPolicyTests {
    /// What it cannot read meets the `unparsed` policy: deny unless the
    /// rules say otherwise; counted either way. ARP passes.
    func testWhatItCannotReadMeetsTheUnparsedPolicy() throws {
        let ip = IPv4Address("10.0.0.1")!
        let arp = PacketBuilder.arp(reply: false, senderMAC: a, senderIP: ip, targetMAC: MACAddress(0), targetIP: IPv4Address("10.0.0.2")!)
        var cut = syn().bytes
        cut.removeLast(8)  // the TCP header is cut: no full ports-and-flags header
        var badIHL = syn().bytes
        badIHL[14] = 0x43  // IHL 3: under the minimum
        let lldp = PacketData([UInt8](repeating: 0, count: 12) + [0x88, 0xCC] + [UInt8](repeating: 0, count: 46))
        let unreadable = [syn(tags: 3), PacketData(cut), PacketData(badIHL), lldp, PacketData([1, 2, 3])]

        var strict = try firewall("allow any any any\ndefault allow\n")
        for f in unreadable { XCTAssertFalse(strict.allows(f), "\(f.bytes.prefix(20))") }
        XCTAssertEqual(strict.unparsed, UInt64(unreadable.count))
        XCTAssertTrue(strict.allows(arp))
        XCTAssertEqual(strict.arp, 1)

        var open = try firewall("default deny\nunparsed allow\n")
        for f in unreadable { XCTAssertTrue(open.allows(f)) }
        XCTAssertFalse(open.allows(syn()), "a readable SYN still meets the rules")

        var asDefault = try firewall("default allow\nunparsed default\n")
        XCTAssertTrue(asDefault.allows(syn(tags: 3)))
        XCTAssertEqual(asDefault.unparsed, 1)
    }

    /// IPv6 is filtered by rules with IPv6 prefixes (and by rules with
    /// `any`); IPv4 prefixes never match it, nor IPv6 prefixes IPv4.
    func testIPv6IsFiltered() throws {
        var fw = try firewall("""
            deny  tcp 2001:db8::/32 any any 22
            allow tcp any 2001:db8:1::5 any 80
            deny  any 10.0.0.0/8 any
            allow udp any any any 53
            default deny
            """)
        func tcp6(_ from: String, _ to: String, _ port: UInt16, proto: UInt8 = 6) -> PacketData {
            var f = [UInt8](repeating: 0, count: 14 + 40 + 20)
            f[12] = 0x86; f[13] = 0xDD
            f[14] = 0x60
            f[18] = 0; f[19] = 20  // payload length
            f[20] = proto; f[21] = 64
            let s = IPv6Address(from)!, d = IPv6Address(to)!
            for i in 0..<8 {
                f[22 + i] = UInt8(truncatingIfNeeded: s.high >> (56 - 8 * UInt64(i)))
                f[30 + i] = UInt8(truncatingIfNeeded: s.low >> (56 - 8 * UInt64(i)))
                f[38 + i] = UInt8(truncatingIfNeeded: d.high >> (56 - 8 * UInt64(i)))
                f[46 + i] = UInt8(truncatingIfNeeded: d.low >> (56 - 8 * UInt64(i)))
            }
            f[54] = 0x0F; f[55] = 0xA0            // source port 4000
            f[56] = UInt8(port >> 8); f[57] = UInt8(port & 0xFF)
            f[66] = 0x50                          // data offset 5
            return PacketData(f)
        }
        XCTAssertFalse(fw.allows(tcp6("2001:db8::7", "2001:db8:1::5", 22)), "the IPv6 deny")
        XCTAssertTrue(fw.allows(tcp6("2001:db8::7", "2001:db8:1::5", 80)))
        XCTAssertTrue(fw.allows(tcp6("fe80::1", "2001:db8:1::5", 80)))
        XCTAssertFalse(fw.allows(tcp6("fe80::1", "2001:db8:1::6", 80)), "no rule: default deny")
        XCTAssertTrue(fw.allows(tcp6("fe80::1", "fe80::2", 53, proto: 17)), "an any-any rule applies to IPv6 too")
        let v4 = PacketBuilder.udp(src: a, dst: b, from: IPv4Address("10.1.1.1")!, to: IPv4Address("10.2.2.2")!,
                                   sourcePort: 1, destinationPort: 53, payload: [])
        XCTAssertFalse(fw.allows(v4), "the IPv4 deny comes first")
        XCTAssertEqual(try FirewallRules.parse("allow tcp 2001:db8::/32 any\n").rules[0].family, .ipv6)
        XCTAssertThrowsError(try FirewallRules.parse("allow tcp 2001:db8::/32 10.0.0.0/8\n", file: "r")) {
            XCTAssertTrue("\($0)".contains("r:1: '2001:db8::/32' and '10.0.0.0/8' are not of the same IP version"), "\($0)")
        }
    }

    func testIPv6AddressText() {
        XCTAssertEqual(IPv6Address("::")?.high, 0)
        XCTAssertEqual(IPv6Address("2001:db8::1"), IPv6Address(high: 0x2001_0db8_0000_0000, low: 1))
        XCTAssertEqual(IPv6Address("1:2:3:4:5:6:7:8"), IPv6Address(high: 0x0001_0002_0003_0004, low: 0x0005_0006_0007_0008))
        XCTAssertEqual(IPv6Address("fe80::"), IPv6Address(high: 0xFE80_0000_0000_0000, low: 0))
        for bad in ["1:::2", ":1::", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "g::", "1:2:3:4:5:6:7:8::", ""] {
            XCTAssertNil(IPv6Address(bad), bad)
        }
        XCTAssertTrue(IPv6Prefix("2001:db8::/32")!.contains(IPv6Address("2001:db8:ffff::1")!))
        XCTAssertFalse(IPv6Prefix("2001:db8::/33")!.contains(IPv6Address("2001:db8:8000::1")!))
        XCTAssertTrue(IPv6Prefix("::/0")!.contains(IPv6Address("ff02::1")!))
    }
}

extension FirewallPolicyTests {
    /// Mutated frames (stacked tags, cut lengths, flipped bytes, lying
    /// header fields) never trap the firewall, and none that it lets through
    /// could be a TCP segment to the denied port: whatever passes parsed as
    /// ARP, or as IP whose TCP header, if any, is whole and not to port 22.
    func testMutatedFramesNeverSlipPastADeny() throws {
        var fw = try firewall("deny tcp any any any 22\ndefault allow\n")
        var rng = SplitMix64(state: 0xF1BE)
        let seeds = [syn(), syn(tags: 1), syn(tags: 2), syn(port: 80),
                     PacketBuilder.udp(src: a, dst: b, from: IPv4Address("10.0.0.1")!, to: IPv4Address("10.0.0.2")!,
                                       sourcePort: 1, destinationPort: 22, payload: [1, 2, 3])]
        var passed = 0
        for _ in 0..<100_000 {
            var bytes = seeds.randomElement(using: &rng)!.bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes.insert(contentsOf: [0x81, 0x00, 0x00, 0x07], at: min(12, bytes.count))
                case 1: bytes.removeLast(min(bytes.count, Int.random(in: 1...20, using: &rng)))
                case 2: if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                case 3: if bytes.count > 17 { bytes[16] = UInt8.random(in: 0...255, using: &rng) }   // IPv4 total length
                default: if bytes.count > 14 { bytes[14] = UInt8.random(in: 0x40...0x4F, using: &rng) } // IHL
                }
            }
            let frame = PacketData(bytes)
            guard fw.allows(frame) else { continue }
            passed += 1
            guard let l = Layout.parse(frame) else { XCTFail("an unreadable frame passed: \(bytes)"); return }
            XCTAssertTrue([.arp, .ipv4, .ipv6].contains(l.network), "\(bytes)")
            if l.ipProtocol == 6 {
                guard let l4 = l.l4 else { XCTFail("TCP without its header passed: \(bytes)"); return }
                XCTAssertNotEqual(frame.load(UInt16.self, bigEndianAt: l4 + 2), 22, "a SYN to 22 passed: \(bytes)")
            }
        }
        XCTAssertGreaterThan(passed, 0, "the allowed path was exercised too")
    }
}
