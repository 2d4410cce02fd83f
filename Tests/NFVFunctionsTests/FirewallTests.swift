@testable import NFVFunctions
import NFVCore
import NFVPacket
import XCTest

final class FirewallTests: XCTestCase {
    func tuple(_ s: String, _ d: String, _ proto: UInt8, _ sp: UInt16, _ dp: UInt16) -> FiveTuple {
        FiveTuple(source: IPv4Address(s)!, destination: IPv4Address(d)!, proto: proto, sourcePort: sp, destinationPort: dp)
    }

    let text = """
        # comment
        allow tcp 10.0.1.0/24 10.0.2.0/24 any 80,8000-8080
        deny  udp any         any         any 53   # trailing comment
        allow icmp any any

        deny  any any 10.0.2.9
        allow 47  any any
        default allow
        """

    func testParsesRules() throws {
        let r = try FirewallRules.parse(text, file: "fw")
        XCTAssertEqual(r.rules.count, 5)
        XCTAssertTrue(r.defaultAllow)
        XCTAssertEqual(r.rules[0].destinationPorts, [80...80, 8000...8080])
        XCTAssertEqual(r.rules[0].line, 2)
        XCTAssertEqual(r.rules[3].destination.description, "10.0.2.9/32")
        XCTAssertEqual(r.rules[4].proto, 47)
    }

    func testFirstMatchWinsAndTheCacheAgrees() throws {
        var c = PacketClassifier(try FirewallRules.parse(text), cacheSize: 4)
        let cases: [(FiveTuple, Int?)] = [
            (tuple("10.0.1.5", "10.0.2.9", 6, 3333, 80), 0),      // rule 0 before the deny of 10.0.2.9
            (tuple("10.0.1.5", "10.0.2.9", 6, 3333, 8080), 0),
            (tuple("10.0.1.5", "10.0.2.9", 6, 3333, 8081), 3),
            (tuple("10.0.3.5", "10.0.2.7", 17, 1, 53), 1),
            (tuple("1.2.3.4", "5.6.7.8", 1, 0, 0), 2),
            (tuple("1.2.3.4", "5.6.7.8", 47, 0, 0), 4),
            (tuple("1.2.3.4", "5.6.7.8", 17, 1, 54), nil),
        ]
        for _ in 0..<3 {
            for (t, want) in cases {
                XCTAssertEqual(c.match(t), want, "\(t)")
                XCTAssertEqual(c.scan(t), want, "\(t)")
            }
        }
    }

    /// The indexed scan against the plain definition, first match over the
    /// rules as written, on random rules and packets.
    func testIndexedScanAgreesWithFirstMatch() throws {
        var rng = SystemRandomNumberGenerator()
        func port() -> String {
            let a = Int.random(in: 1...20, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return "any"
            case 1: return "\(a)"
            case 2: return "\(a)-\(a + Int.random(in: 0...5, using: &rng))"
            default: return "\(Int.random(in: 1...10, using: &rng)),\(Int.random(in: 11...20, using: &rng))"
            }
        }
        func net() -> String { ["any", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "192.168.0.0/24"].randomElement(using: &rng)! }
        for _ in 0..<20 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                let proto = ["tcp", "udp"].randomElement(using: &rng)!
                text += "\(Bool.random(using: &rng) ? "allow" : "deny") \(proto) \(net()) \(net()) \(port()) \(port())\n"
            }
            let rules = try FirewallRules.parse(text)
            let c = PacketClassifier(rules)
            for _ in 0..<500 {
                let t = FiveTuple(source: IPv4Address([0x0A01_0203, 0x0A05_0001, 0xC0A8_0007, 0x0808_0808].randomElement(using: &rng)!),
                                  destination: IPv4Address([0x0A01_0203, 0x0A01_0909, 0xC0A8_0001].randomElement(using: &rng)!),
                                  proto: [6, 17].randomElement(using: &rng)!,
                                  sourcePort: UInt16.random(in: 0...22, using: &rng), destinationPort: UInt16.random(in: 0...22, using: &rng))
                let expected = rules.rules.firstIndex { r in
                    r.source.contains(t.source) && r.destination.contains(t.destination) && (r.proto == nil || r.proto == t.proto)
                        && r.sourcePorts.contains { $0.contains(t.sourcePort) } && r.destinationPorts.contains { $0.contains(t.destinationPort) }
                }
                XCTAssertEqual(c.scan(t), expected, "\(t) with\n\(text)")
            }
        }
    }

    /// IPv6 rules go through the decision tree too (prefixes longer than
    /// /32 checked in full at the leaf): it agrees with a first-match scan.
    func testIPv6TreeAgreesWithFirstMatch() throws {
        var rng = SystemRandomNumberGenerator()
        func port() -> String {
            let a = Int.random(in: 1...20, using: &rng)
            return ["any", "\(a)", "\(a)-\(a + 4)"].randomElement(using: &rng)!
        }
        func net() -> String {
            ["any", "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8:0:1::5", "2001:db8:1::/48", "2001::/16", "fe80::/10"].randomElement(using: &rng)!
        }
        let addresses = ["2001:db8:0:1::5", "2001:db8:0:1::6", "2001:db8:0:2::5", "2001:db8:1::1", "2001:dead::1", "fe80::1"]
            .map { IPv6Address($0)! }
        for _ in 0..<20 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                let proto = ["tcp", "udp", "any"].randomElement(using: &rng)!
                let ports = proto == "any" ? "" : " \(port()) \(port())"
                text += "\(Bool.random(using: &rng) ? "allow" : "deny") \(proto) \(net()) \(net())\(ports)\n"
            }
            let rules = try FirewallRules.parse(text)
            let c = IPv6Classifier(rules)
            for _ in 0..<500 {
                let t = FiveTuple6(source: addresses.randomElement(using: &rng)!, destination: addresses.randomElement(using: &rng)!,
                                   proto: [6, 17].randomElement(using: &rng)!,
                                   sourcePort: UInt16.random(in: 0...22, using: &rng), destinationPort: UInt16.random(in: 0...22, using: &rng))
                let expected = rules.rules.firstIndex { r in
                    r.family != .ipv4 && r.source6.contains(t.source) && r.destination6.contains(t.destination)
                        && (r.proto == nil || r.proto == t.proto)
                        && r.sourcePorts.contains { $0.contains(t.sourcePort) } && r.destinationPorts.contains { $0.contains(t.destinationPort) }
                }
                XCTAssertEqual(c.match(t), expected, "\(t) with\n\(text)")
            }
        }
    }

    func testBadRulesNameTheirLine() {
        let bad: [(String, Int, String)] = [
            ("allow tcp any any\nallow tcp 10.0.0.0/33 any\n", 2, "is not an address, a prefix or any"),
            ("permit tcp any any\n", 1, "is not an action"),
            ("\n\nallow icmp any any any 80\n", 3, "ports only apply to tcp and udp"),
            ("allow tcp any any any 90-80\n", 1, "is not a port or a range"),
            ("allow tcp any\n", 1, "expected: action proto source destination"),
            ("default allow\ndefault deny\n", 2, "a second default policy"),
            ("allow gre any any\n", 1, "is not a protocol"),
        ]
        for (text, line, fragment) in bad {
            XCTAssertThrowsError(try FirewallRules.parse(text, file: "r")) { e in
                let e = e as! ConfigError
                XCTAssertEqual(e.line, line, text)
                XCTAssertTrue(e.description.hasPrefix("r:\(line): "), e.description)
                XCTAssertTrue(e.description.contains(fragment), e.description)
            }
        }
    }
}

final class RouterTableTests: XCTestCase {
    func testLongestPrefixWins() {
        let routes: [(prefix: IPv4Prefix, nextHop: UInt32)] = [
            (IPv4Prefix("0.0.0.0/0")!, 0), (IPv4Prefix("10.0.0.0/8")!, 1), (IPv4Prefix("10.1.0.0/16")!, 2),
            (IPv4Prefix("10.1.2.128/25")!, 3), (IPv4Prefix("10.1.2.200/32")!, 4), (IPv4Prefix("192.168.0.0/24")!, 5),
        ]
        let t = LPMTable(routes: routes)
        func hop(_ s: String) -> UInt32? { t.lookup(IPv4Address(s)!) }
        XCTAssertEqual(hop("8.8.8.8"), 0)
        XCTAssertEqual(hop("10.9.9.9"), 1)
        XCTAssertEqual(hop("10.1.2.3"), 2)
        XCTAssertEqual(hop("10.1.2.129"), 3)
        XCTAssertEqual(hop("10.1.2.200"), 4)
        XCTAssertEqual(hop("10.1.2.201"), 3)
        XCTAssertEqual(hop("192.168.0.77"), 5)
        XCTAssertNil(LPMTable(routes: [(IPv4Prefix("10.0.0.0/8")!, 0)]).lookup(IPv4Address("11.0.0.1")!))
    }

    func testAMillionRoutes() {
        var routes: [(prefix: IPv4Prefix, nextHop: UInt32)] = []
        routes.reserveCapacity(1_000_000)
        for i in 0..<1_000_000 { routes.append((IPv4Prefix(IPv4Address(UInt32(0x0100_0000 + i * 256)), length: 24), UInt32(i % 1000))) }
        let t = LPMTable(routes: routes)
        XCTAssertEqual(t.count, 1_000_000)
        XCTAssertEqual(t.lookup(IPv4Address(UInt32(0x0100_0000 + 123_456 * 256 + 7))), 456)
    }

    func testRouterConfig() throws {
        let c = try RouterConfig.parse("interface 0 10.0.1.1/24\nroute default via 10.0.1.254 port 0\n# x\n")
        XCTAssertEqual(c.interfaces.first?.address.description, "10.0.1.1")
        XCTAssertEqual(c.routes.count, 2)
        XCTAssertEqual(c.routes[1].hop, RouterConfig.NextHop(gateway: IPv4Address("10.0.1.254"), port: 0))
        XCTAssertThrowsError(try RouterConfig.parse("interface 0 10.0.1.1/24\nroute 10.0.0.0/8 via x port 0\n", file: "r")) {
            XCTAssertTrue("\($0)".hasPrefix("r:2: 'x' is not an IPv4 address"), "\($0)")
        }
        XCTAssertThrowsError(try RouterConfig.parse("gateway 1\n", file: "r")) { XCTAssertTrue("\($0)".hasPrefix("r:1:")) }
    }
}
