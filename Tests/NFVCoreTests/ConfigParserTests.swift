import Foundation
import NFVCore
import XCTest

final class ConfigParserTests: XCTestCase {
    func testParsesEveryKey() throws {
        let c = try ConfigParser.parse("""
            name: lab-1
            ports:
              - net_null0
              - "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap"
            chain: [1, 2, 3]
            exit_port: 1
            pool_size: 4095
            ring_size: 1024
            max_idle_sleep_us: 50
            wait_for_chain: true
            balance: {2: queue, 3: flow}
            backpressure: {high: 90, low: 60}
            """, file: "lab.yaml")
        XCTAssertEqual(c.name, "lab-1")
        XCTAssertEqual(c.ports, ["net_null0", "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap"])
        XCTAssertEqual(c.chain, [ServiceID(1), ServiceID(2), ServiceID(3)])
        XCTAssertEqual(c.exit, .port(PortID(1)))
        XCTAssertEqual(c.poolSize, 4095)
        XCTAssertEqual(c.ringSize, 1024)
        XCTAssertEqual(c.maxIdleSleepMicroseconds, 50)
        XCTAssertTrue(c.waitForChain)
        XCTAssertEqual(c.balance, [ServiceID(2): .queue, ServiceID(3): .flow])
        XCTAssertEqual(c.backpressure, ManagerConfig.Watermarks(high: 90, low: 60))
        XCTAssertNil(try ConfigParser.parse("backpressure: false").backpressure)
        XCTAssertEqual(ManagerConfig().backpressure, ManagerConfig.Watermarks(high: 80, low: 50))
        XCTAssertTrue(try ConfigParser.parse("keep_rps: true").keepRPS)
        XCTAssertFalse(ManagerConfig().keepRPS)
        XCTAssertEqual(try ManagerConfig.Watermarks.parse("70:20"), ManagerConfig.Watermarks(high: 70, low: 20))
        XCTAssertNil(try ManagerConfig.Watermarks.parse("off"))
        XCTAssertThrowsError(try ManagerConfig.Watermarks.parse("50:80")) { XCTAssertTrue("\($0)".contains("low 0...high-1"), "\($0)") }
    }

    func testEmptyFileGivesTheDefaults() throws {
        XCTAssertEqual(try ConfigParser.parse(""), ManagerConfig())
    }

    func testJSONIsAccepted() throws {
        let c = try ConfigParser.parse(#"{"chain": [4, 5], "ports": ["net_ring0"]}"#)
        XCTAssertEqual(c.chain.map(\.rawValue), [4, 5])
        XCTAssertEqual(c.ports, ["net_ring0"])
    }

    func assertError(_ text: String, line: Int?, contains fragment: String, file: StaticString = #filePath, l: UInt = #line) {
        do {
            _ = try ConfigParser.parse(text, file: "c.yaml")
            XCTFail("no error for:\n\(text)", file: file, line: l)
        } catch {
            XCTAssertEqual(error.file, "c.yaml", file: file, line: l)
            XCTAssertEqual(error.line, line, "\(error)", file: file, line: l)
            XCTAssertTrue(error.description.contains(fragment), "\(error)", file: file, line: l)
            if let line { XCTAssertTrue(error.description.hasPrefix("c.yaml:\(line): "), "\(error)", file: file, line: l) }
        }
    }

    func testErrorsNameTheLineAndTheProblem() {
        assertError("name: a\nchain: [1, 70]\n", line: 2, contains: "'70' is not a service ID")
        assertError("name: a\n\nfoo: 1\n", line: 3, contains: "unknown key 'foo'")
        assertError("ring_size: 1000\n", line: 1, contains: "power of two")
        assertError("pool_size: ten\n", line: 1, contains: "whole number")
        assertError("ports: net_null0\n", line: 1, contains: "must be a list")
        assertError("chain: [1]\nports: [net_null0]\nexit_port: 3\n", line: 3, contains: "exit_port 3 does not exist")
        assertError("name: a\nchain: [1, 2\n", line: 3, contains: "not valid YAML")
        assertError("name: 'bad name!'\n", line: 1, contains: "'name' must be")
        assertError("- 1\n- 2\n", line: 1, contains: "top level must be a mapping")
        assertError("name: a\nbalance:\n  2: fastest\n", line: 3, contains: "'fastest' is not flow or queue")
        assertError("balance: {99: queue}\n", line: 1, contains: "'99' is not a service ID")
        assertError("name: a\nbackpressure: {high: 50, low: 70}\n", line: 2, contains: "low 0...high-1")
        assertError("name: a\nbackpressure:\n  high: 80\n  lo: 20\n", line: 4, contains: "unknown key 'lo'")
        assertError("backpressure: yes please\n", line: 1, contains: "must be false or {high")
        assertError("name: a\nkeep_rps: maybe\n", line: 2, contains: "'keep_rps' must be true or false")
    }

    /// `nfs:` takes NFs and NF groups; a group's CPU, weight, cap and
    /// restart are its own, not its members'.
    func testNFsAndGroups() throws {
        let c = try ConfigParser.parse("""
            nfs:
              - {kind: forward, service: 1, instances: 2, args: [--to, next]}
              - group: edge
                cpu: 1
                cpu_weight: 300
                restart: always
                members:
                  - {kind: monitor, service: 2, args: [--to, next]}
                  - {kind: forward, service: 3, args: [--to, "port:0"]}
            """, file: "g.yaml")
        XCTAssertEqual(c.nfs.map(\.nfCount), [2, 2])
        guard case .group(let g) = c.nfs[1] else { return XCTFail("\(c.nfs[1])") }
        XCTAssertEqual(g.name, "edge")
        XCTAssertEqual(g.members.map(\.kind), ["monitor", "forward"])
        XCTAssertEqual(g.member(1), NFLaunchSpec(kind: "forward", service: 3, args: ["--to", "port:0"], cpu: 1, restart: .always,
                                                 cpuWeight: 300).withGroup("edge"))
        assertError("nfs:\n  - group: g\n    members:\n      - {kind: forward, service: 1, cpu: 1}\n", line: 4,
                    contains: "a group member's 'cpu' is the group's")
        assertError("nfs:\n  - group: g\n    members:\n      - {kind: forward, service: 1, instances: 2}\n", line: 4,
                    contains: "unknown key 'instances' for a group member")
        assertError("nfs:\n  - group: g\n    cpu: 1\n", line: 2, contains: "group 'g' has no 'members'")
        assertError("nfs:\n  - group: g\n    nice: 1\n    members: [{kind: forward, service: 1}]\n", line: 3,
                    contains: "unknown key 'nice' for a group")
        assertError("nfs:\n  - group: 'a b'\n    members: [{kind: forward, service: 1}]\n", line: 2,
                    contains: "group name 'a b'")
        assertError("nfs:\n  - group: g\n    members:\n      - {kind: program, service: 1}\n", line: 4,
                    contains: "a group runs built-in NFs only")
    }

    /// A group's command line carries each member's words through `nfv nf
    /// group`'s splitting, quotes and spaces included.
    func testAGroupsCommandLine() {
        let g = NFGroupSpec(name: "g", members: [NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "next"]),
                                                 NFLaunchSpec(kind: "firewall", service: 2, args: ["--rules", "/a b/it's"])], cpu: 1)
        XCTAssertNil(g.problem)
        XCTAssertEqual(g.arguments(platform: "p", instances: [4, 7]),
                       ["nf", "group", "--manager", "p", "--cpu", "1",
                        "--member", "forward --service 1 --instance-id 4 --to next",
                        "--member", "firewall --service 2 --instance-id 7 --rules \"/a b/it's\""])
        var twice = g
        twice.members[1].instance = 3
        twice.members[0].instance = 3
        XCTAssertEqual(twice.problem, "group 'g': two members ask for the same instance")
        XCTAssertEqual(NFGroupSpec(name: "g", members: []).problem, "group 'g' has 0 members; a group has 1...16")
    }

    func testValidateChecksLimits() {
        var c = ManagerConfig()
        c.chain = (1...17).map { ServiceID(UInt16($0)) }
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("at most 16 steps")) }
        c = ManagerConfig()
        c.exit = .port(PortID(0))
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("exit_port 0 does not exist")) }
        XCTAssertNoThrow(try ManagerConfig().validate())
    }

    /// A bump in the wire in one line: `exit_port: other`.
    func testExitToTheOtherPortOfAPair() throws {
        let c = try ConfigParser.parse("ports: [net_null0, net_null1]\nchain: [1]\nexit_port: other\n", file: "bw.yaml")
        XCTAssertEqual(c.exit, .otherPort)
        XCTAssertEqual(try ChainExit(parsing: "input"), .inputPort)
        XCTAssertEqual(ChainExit(encoded: ChainExit.otherPort.encoded), .otherPort)
        assertError("ports: [net_null0, net_null1, net_null2]\nchain: [1]\nexit_port: other\n", line: 3,
                    contains: "exit_port: other pairs ports 0-1, 2-3, ...: it needs an even number of ports, not 3")
        assertError("exit_port: sideways\n", line: 1, contains: "exit_port: 'sideways' is not a port")
    }

    /// The configuration files shipped in config/ parse.
    func testShippedConfigurationsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["example.yaml", "bump-in-the-wire.yaml", "steering.yaml", "six-on-two-cores.yaml"] {
            let path = root.appendingPathComponent("config/\(name)").path
            let c = try ConfigParser.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            XCTAssertNoThrow(try c.validate(file: path), name)
        }
        let bump = try ConfigParser.parse(try String(contentsOfFile: root.appendingPathComponent("config/bump-in-the-wire.yaml").path, encoding: .utf8))
        XCTAssertEqual(bump.exit, .otherPort)
    }
}

extension NFLaunchSpec {
    func withGroup(_ name: String) -> NFLaunchSpec {
        var s = self
        s.group = name
        return s
    }
}
