import NFVCore
import NFVPacket
import NFVRouting
import TestSupport
import XCTest

/// The flow table (tree, IPv6 verification, cache) against a plain
/// first-match scan of the rules, on random rules and packets.
final class FlowTableTests: XCTestCase {
    /// Whether `rule` matches the packet `p` from `port`, read plainly.
    func matches(_ rule: FlowRule, _ p: PacketData, port: UInt16) -> Bool {
        let m = rule.match
        let l = Layout.parse(p)
        if let want = m.inPort, want.rawValue != port { return false }
        if let v = m.vlan, l?.outerVLAN != v { return false }
        let family: UInt8 = l?.network == .ipv4 ? 4 : l?.network == .ipv6 ? 6 : 0
        if m.family != 0, m.family != family { return false }
        if let proto = m.proto, l?.ipProtocol != proto || (family == 0) { return false }
        func address(_ prefix: AddressPrefix?, at offset: Int) -> Bool {
            guard let prefix, let l else { return true }
            switch prefix {
            case .ipv4(let x): return x.contains(IPv4Address(p.load(UInt32.self, bigEndianAt: l.l3 + offset) ?? 0))
            case .ipv6(let x):
                let o = offset == 12 ? 8 : 24
                return x.contains(IPv6Address(high: p.load(UInt64.self, bigEndianAt: l.l3 + o) ?? 0, low: p.load(UInt64.self, bigEndianAt: l.l3 + o + 8) ?? 0))
            }
        }
        if !address(m.source, at: 12) || !address(m.destination, at: 16) { return false }
        let full: ClosedRange<UInt16> = 0...65535
        if m.sourcePorts != full || m.destinationPorts != full {
            guard let l, l.l4 != nil, l.transport == .tcp || l.transport == .udp else { return false }
            let (sp, dp) = l.ports(in: p)
            if !m.sourcePorts.contains(sp) || !m.destinationPorts.contains(dp) { return false }
        }
        return true
    }

    func testAgreesWithAFirstMatchScanOnRandomRulesAndPackets() throws {
        var rng = SplitMix64(state: 7)
        let v4 = (0..<4).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        let v6 = (0..<4).map { i in IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i) << 16, low: UInt64(i)) }
        func prefix(_ six: Bool) -> AddressPrefix? {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return nil
            default:
                if six {
                    return .ipv6(IPv6Prefix(v6[Int.random(in: 0..<4, using: &rng)], length: [16, 32, 48, 64, 128].randomElement(using: &rng)!))
                }
                return .ipv4(IPv4Prefix(IPv4Address(v4[Int.random(in: 0..<4, using: &rng)]), length: Int.random(in: 0...32, using: &rng)))
            }
        }
        for round in 0..<20 {
            var spec = SteeringSpec()
            try spec.setChain(ChainSpec(name: "default", steps: [ServiceID(1)]))
            try spec.setChain(ChainSpec(name: "x", steps: [ServiceID(2)]))
            for _ in 0..<(1 + round * 10) {
                let six = Bool.random(using: &rng)
                var m = FlowMatch(source: prefix(six), destination: prefix(six))
                if Int.random(in: 0..<3, using: &rng) == 0 { m.proto = [6, 17].randomElement(using: &rng)! }
                if Int.random(in: 0..<3, using: &rng) == 0 { let lo = UInt16.random(in: 0...100, using: &rng); m.destinationPorts = lo...(lo + UInt16.random(in: 0...20, using: &rng)) }
                if Int.random(in: 0..<5, using: &rng) == 0 { m.inPort = PortID(UInt16.random(in: 0...1, using: &rng)) }
                if Int.random(in: 0..<5, using: &rng) == 0 { m.vlan = UInt16.random(in: 1...2, using: &rng) }
                let target: FlowTarget = [.chain("x"), .drop, .service(ServiceID(3)), .port(PortID(1))].randomElement(using: &rng)!
                try spec.addRule(FlowRule(id: 0, priority: Int32.random(in: -3...3, using: &rng), match: m, target: target))
            }
            let table = FlowTable(spec, version: UInt64(round))
            var cache = FlowCache(lines: 64)
            for _ in 0..<500 {
                let six = Bool.random(using: &rng)
                let dport = UInt16.random(in: 0...130, using: &rng)
                var frame: [UInt8]
                if six {
                    frame = [UInt8](repeating: 0, count: 62)
                    frame[12] = 0x86; frame[13] = 0xDD; frame[14] = 0x60; frame[19] = 8; frame[20] = 17; frame[21] = 64
                    let s = v6[Int.random(in: 0..<4, using: &rng)], d = v6[Int.random(in: 0..<4, using: &rng)]
                    var data = PacketData(frame)
                    data.store(s.high, bigEndianAt: 22); data.store(s.low | UInt64.random(in: 0...1, using: &rng) << 40, bigEndianAt: 30)
                    data.store(d.high, bigEndianAt: 38); data.store(d.low, bigEndianAt: 46)
                    data.store(UInt16(5000), bigEndianAt: 54); data.store(dport, bigEndianAt: 56); data.store(UInt16(8), bigEndianAt: 58)
                    frame = data.bytes
                } else {
                    let src = v4[Int.random(in: 0..<4, using: &rng)] ^ UInt32.random(in: 0...3, using: &rng)
                    let dst = v4[Int.random(in: 0..<4, using: &rng)]
                    frame = PacketBuilder.udp(src: MACAddress(1), dst: MACAddress(2), from: IPv4Address(src), to: IPv4Address(dst),
                                              sourcePort: 5000, destinationPort: dport, payload: [1, 2, 3, 4]).bytes
                }
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    // An 802.1Q tag.
                    frame.insert(contentsOf: [0x81, 0x00, 0x00, UInt8.random(in: 1...2, using: &rng)], at: 12)
                }
                let packet = PacketData(frame)
                let port = UInt16.random(in: 0...1, using: &rng)
                let expected = spec.rules.firstIndex { matches($0, packet, port: port) }
                let key = FlowKey(packet, inPort: port)
                XCTAssertEqual(table.firstMatch(key), expected, "round \(round)")
                XCTAssertEqual(cache.action(key, port: Int(port), table: table), table.action(rule: expected, port: Int(port)))
            }
        }
    }

    /// A cache line from an older table is a miss, not a stale answer.
    func testTheCacheNeverAnswersForAnotherVersion() throws {
        var spec = SteeringSpec()
        try spec.setChain(ChainSpec(name: "default", steps: [ServiceID(1)]))
        try spec.setChain(ChainSpec(name: "x", steps: [ServiceID(2)]))
        let packet = PacketData(PacketBuilder.udp(src: MACAddress(1), dst: MACAddress(2), from: IPv4Address(1), to: IPv4Address(2),
                                                  sourcePort: 1, destinationPort: 53, payload: []).bytes)
        var cache = FlowCache(lines: 16)
        let key = FlowKey(packet, inPort: 0)
        XCTAssertEqual(cache.action(key, port: 0, table: FlowTable(spec, version: 1)), .toChain(ChainID(0)))
        try spec.addRule(FlowRule(id: 1, match: FlowMatch(destinationPorts: 53...53), target: .chain("x")))
        let x = try XCTUnwrap(spec.index(ofChain: "x"))
        XCTAssertEqual(cache.action(key, port: 0, table: FlowTable(spec, version: 2)), .toChain(x))
        XCTAssertEqual(cache.misses, 2)
    }
}
