import NFVCore
import NFVPacket
import XCTest

/// Chains, rules, port defaults and permissions in the manager's YAML, and
/// the steering spec's rules for changing them.
final class SteeringConfigTests: XCTestCase {
    func testParsesChainsRulesPortDefaultsAndPermissions() throws {
        let c = try ConfigParser.parse("""
            ports: [net_null0, net_null1]
            chain: [1]
            chains:
              web: [1, 2]
              scrub: {steps: [3, 1, 2], exit: other}
            port_chains: {1: scrub}
            rules:
              - {id: 4, priority: 10, src: 10.0.0.0/8, proto: tcp, dst_port: 80, to: "chain:scrub"}
              - {src: "2001:db8::/32", to: drop}
              - {in_port: 1, vlan: 7, src_port: 1000-2000, to: "service:4"}
            permissions: {5: {install_rules: true, change_chains: true, rules_per_second: 50, max_rules: 9}}
            """, file: "s.yaml")
        XCTAssertEqual(c.chains, [ChainSpec(name: "web", steps: [ServiceID(1), ServiceID(2)]),
                                  ChainSpec(name: "scrub", steps: [3, 1, 2].map { ServiceID($0) }, exit: .otherPort)])
        XCTAssertEqual(c.portChains, [PortID(1): "scrub"])
        XCTAssertEqual(c.rules.count, 3)
        XCTAssertEqual(c.rules[0].match.destinationPorts, 80...80)
        XCTAssertEqual(c.rules[1].match.family, 6)
        XCTAssertEqual(c.rules[2].target, .service(ServiceID(4)))
        XCTAssertEqual(c.permissions[ServiceID(5)], NFPermissions(installRules: true, changeChains: true, rulesPerSecond: 50, maxRules: 9))
        let spec = try c.steering()
        XCTAssertEqual(spec.index(ofChain: "default"), ChainID(0))
        XCTAssertEqual(spec.defaultChain(of: PortID(0)), ChainID(0))
        XCTAssertEqual(spec.defaultChain(of: PortID(1)), spec.index(ofChain: "scrub"))
        XCTAssertEqual(spec.rules.map(\.id), [5, 6, 4], "priority 0 before 10, then by id")
    }

    func testBadRulesAndChainsNameTheirLine() {
        func problem(_ text: String) -> String {
            do { _ = try ConfigParser.parse(text, file: "bad.yaml"); return "accepted" } catch { return error.description }
        }
        XCTAssertEqual(problem("chains:\n  web: [1, 99]\n"), "bad.yaml:2: chain 'web': '99' is not a service ID (1...63)")
        XCTAssertEqual(problem("rules:\n  - {dst_port: 80}\n"), "bad.yaml:2: rule: 'to' is missing (chain:NAME, service:N, port:N or drop)")
        XCTAssertEqual(problem("rules:\n  - {to: drop}\n  - {src: 10.0.0.0/33, to: drop}\n"),
                       "bad.yaml:3: rule: src '10.0.0.0/33' is not an IPv4 or IPv6 address or prefix")
        XCTAssertEqual(problem("rules:\n  - {src: 10.0.0.1, dst: \"::1\", to: drop}\n"),
                       "bad.yaml:2: rule: source 10.0.0.1/32 and destination 0:0:0:0:0:0:0:1/128 are of different address families")
        XCTAssertEqual(problem("chain: [1]\nrules:\n  - {to: drop}\n  - {dst_port: 53, to: \"chain:dns\"}\n"),
                       "bad.yaml:4: rule 0: no chain named 'dns'")
        XCTAssertEqual(problem("rules:\n  - {dst_port: 9-1, to: drop}\n"), "bad.yaml:2: rule: dst_port '9-1' is not a port or a range such as 1000-2000")
        XCTAssertEqual(problem("port_chains: {0: nowhere}\n"), "bad.yaml:1: port 0's default: no chain named 'nowhere'")
        XCTAssertEqual(problem("rules:\n  - {colour: red, to: drop}\n"),
                       "bad.yaml:2: rule: unknown key 'colour'; known: id, priority, in_port, vlan, proto, src, dst, src_port, dst_port, to")
        XCTAssertEqual(problem("permissions: {5: {install_rules: maybe}}\n"), "bad.yaml:1: permissions: install_rules must be true or false")
    }

    func testChangesAreCheckedAndARefusedOneChangesNothing() throws {
        var spec = SteeringSpec()
        try spec.setChain(ChainSpec(name: "a", steps: [ServiceID(1)]))
        try spec.setChain(ChainSpec(name: "b", steps: [ServiceID(2)]))
        let a = try XCTUnwrap(spec.index(ofChain: "a"))
        let id = try spec.addRule(FlowRule(id: 0, match: FlowMatch(proto: 17), target: .chain("a")))
        let before = spec
        XCTAssertThrowsError(try spec.removeChain(named: "a")) { XCTAssertEqual(($0 as? SteeringSpec.Refusal)?.problem, "chain 'a' is the target of rule(s) \(id)") }
        XCTAssertThrowsError(try spec.addRule(FlowRule(id: 0, target: .chain("zz"))))
        XCTAssertThrowsError(try spec.setChain(ChainSpec(name: "bad name", steps: [])))
        XCTAssertEqual(spec, before)
        // Replacing keeps the index; a removed chain's index is reused last.
        try spec.setChain(ChainSpec(name: "a", steps: [ServiceID(3)]))
        XCTAssertEqual(spec.index(ofChain: "a"), a)
        try spec.removeRule(id: id)
        let b = try XCTUnwrap(spec.index(ofChain: "b"))
        try spec.removeChain(named: "b")
        try spec.setChain(ChainSpec(name: "c", steps: []))
        XCTAssertNotEqual(spec.index(ofChain: "c"), b, "a never-used index first")
    }
}
