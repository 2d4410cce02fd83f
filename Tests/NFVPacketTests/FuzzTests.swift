import NFVPacket
import TestSupport
import XCTest

/// A seeded fuzzer over the parser and rewriters: random frames and
/// mutations of valid ones (flipped bytes, truncations, lying length and
/// header-length fields). Every call must return without trapping and every
/// offset a `Layout` reports must lie inside the packet.
final class FuzzTests: XCTestCase {
    static let inputs = 300_000

    func testParserAndRewritersSurviveMalformedInput() {
        var rng = SplitMix64(state: 0x5EED)
        let mac = MACAddress(0x0200_0000_0001)
        let seeds: [PacketData] = [
            PacketBuilder.udp(src: mac, dst: mac, from: IPv4Address(1), to: IPv4Address(2), sourcePort: 1, destinationPort: 2, payload: [1, 2, 3]),
            PacketBuilder.tcp(src: mac, dst: mac, from: IPv4Address(1), to: IPv4Address(2), sourcePort: 1, destinationPort: 2, payload: [9]),
            PacketBuilder.arp(reply: true, senderMAC: mac, senderIP: IPv4Address(1), targetMAC: mac, targetIP: IPv4Address(2)),
        ]
        var parsed = 0, withTransport = 0
        for i in 0..<Self.inputs {
            var p: PacketData
            if i % 4 == 0 {
                p = PacketData((0..<Int.random(in: 0...96, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                if p.length > 14, Bool.random(using: &rng) { p.store([UInt16(0x0800), 0x86DD, 0x8100, 0x0806].randomElement(using: &rng)!, bigEndianAt: 12) }
            } else {
                p = seeds[i % seeds.count]
                for _ in 0..<Int.random(in: 1...4, using: &rng) where p.length > 0 {
                    p.bytes[Int.random(in: 0..<p.length, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { p.bytes.removeLast(Int.random(in: 0...p.length, using: &rng)) }
            }
            guard let l = Layout.parse(p) else { XCTAssertLessThan(p.length, 14); continue }
            parsed += 1
            XCTAssertLessThanOrEqual(l.l3, p.length)
            if l.network == .ipv4 || l.network == .arp { XCTAssertLessThanOrEqual(l.l3 + l.l3Length, p.length) }
            if let l4 = l.l4 {
                withTransport += 1
                XCTAssertLessThanOrEqual(l4 + (l.transport == .tcp ? 20 : 8), p.length)
            }
            _ = FiveTuple(p, l)
            _ = p.transportChecksumIsValid(l)
            var q = p
            _ = q.decrementTTL(l)
            _ = q.setIPv4Address(IPv4Address(0x0A00_0001), destination: true, l)
            _ = PacketBuilder.icmpError(type: 11, code: 0, about: p, l, src: mac, dst: mac, routerIP: IPv4Address(3))
        }
        print("fuzz: \(Self.inputs) inputs, \(parsed) parsed, \(withTransport) with a transport header, no failure")
    }
}
