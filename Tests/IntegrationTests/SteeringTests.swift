import Foundation
import XCTest

/// Live steering across real processes: chains picked by rules (IPv4 and
/// IPv6) over a real port, rules installed by an NF, changes at 1,000 a
/// second under load, a chain replaced under packets inside it, and
/// versions held by stopped and killed readers.
final class SteeringTests: XCTestCase {
    func writeConfig(_ p: Platform, _ text: String) throws -> String {
        let url = p.dir.appendingPathComponent("steering.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A `net_pcap` port that replays `frames`, and the capture it writes.
    func pcapPort(_ p: Platform, _ frames: [[UInt8]]) throws -> (device: String, output: URL) {
        let input = p.dir.appendingPathComponent("in.pcap"), output = p.dir.appendingPathComponent("out.pcap")
        try Pcap.write(frames, to: input)
        return ("net_pcap0,rx_pcap=\(input.path),tx_pcap=\(output.path)", output)
    }

    var exampleNF: String {
        URL(fileURLWithPath: Platform.binary).deletingLastPathComponent().appendingPathComponent("example-nf").path
    }

    func drops(_ stats: [String: Any]?) -> Int {
        ((stats?["services"] as? [[String: Any]]) ?? []).reduce(0) { sum, s in
            sum + ((s["dropped"] as? [String: Int]) ?? [:]).values.reduce(0, +)
        }
    }

    func steering(_ p: Platform) -> [String: Any] { p.stats?["steering"] as? [String: Any] ?? [:] }

    /// Three chains, chosen per packet by the flow table (a UDP port rule
    /// and an IPv6 /64 rule, whose prefix the tree sees only through its top
    /// 32 bits) or the port's default: each NF sees exactly its flows and
    /// every packet leaves once, unchanged.
    func testRulesPickChainsOverARealPortWithExactCounts() throws {
        let p = try Platform("rules")
        let inside = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5] as [UInt8]
        let outside = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5] as [UInt8]
        let plain = (0..<300).map { Pcap.udpFrame(sequence: UInt32($0)) }
        let dns = (0..<200).map { Pcap.udpFrame(sequence: UInt32(1000 + $0), port: 53) }
        let v6in = (0..<100).map { Pcap.udp6Frame(sequence: UInt32(2000 + $0), source: inside) }
        let v6out = (0..<50).map { Pcap.udp6Frame(sequence: UInt32(3000 + $0), source: outside) }
        var sent: [[UInt8]] = []
        for i in 0..<300 {
            sent.append(plain[i])
            if i < 200 { sent.append(dns[i]) }
            if i < 100 { sent.append(v6in[i]) }
            if i < 50 { sent.append(v6out[i]) }
        }
        let (port, output) = try pcapPort(p, sent)
        let config = try writeConfig(p, """
            ports:
              - \(port)
            chain: [1]
            chains:
              dns: [2]
              v6: [3]
            rules:
              - {proto: udp, dst_port: 53, to: "chain:dns"}
              - {src: "2001:db8:0:1::/64", to: "chain:v6"}
            wait_for_chain: true
            """)
        try p.startManager(["--config", config])
        for s in 1...3 { try p.startNF(["forward", "--service", "\(s)", "--to", "next"]) }
        XCTAssertTrue(waitFor(timeout: 30) { ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == sent.count },
                      "\(String(describing: p.stats))")
        XCTAssertEqual(p.nfStats(service: 1)?["rx"] as? Int, 350, "plain IPv4 and the IPv6 outside the /64: the default chain")
        XCTAssertEqual(p.nfStats(service: 2)?["rx"] as? Int, 200, "UDP to 53: chain dns")
        XCTAssertEqual(p.nfStats(service: 3)?["rx"] as? Int, 100, "IPv6 from 2001:db8:0:1::/64: chain v6")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        // Counted at the port, per rule and per chain entered.
        let hits = (p.stats?["ruleHits"] as? [[String: Any]] ?? []).map { [$0["id"] as? Int, $0["packets"] as? Int] }
        XCTAssertEqual(hits, [[1, 200], [2, 100]])
        let entries = Dictionary(uniqueKeysWithValues: (p.stats?["chainEntries"] as? [[String: Any]] ?? []).map {
            ($0["chain"] as? String ?? "?", $0["packets"] as? Int ?? -1)
        })
        XCTAssertEqual(entries, ["default": 350, "dns": 200, "v6": 100])
        let received = try Pcap.read(output)
        XCTAssertEqual(received.count, sent.count)
        XCTAssertEqual(Set(received), Set(sent))
        XCTAssertEqual(drops(p.stats), 0)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// The example NF sees the first packet of a flow whose payload starts
    /// with INSPECT, sends it to chain `inspect` and asks for a rule; once
    /// the manager says the rule is in, every later packet of the flow goes
    /// from the port to that chain without meeting the NF. Real kernel UDP
    /// from a namespace, over AF_PACKET.
    func testAnNFInstalledRuleTakesEffectForTheNextPacketOfItsFlow() throws {
        let t = try Topology(prefix: "sr")
        let p = try Platform("nfrule")
        let config = try writeConfig(p, """
            ports:
              - net_af_packet0,iface=\(t.ports[0])
              - net_af_packet1,iface=\(t.ports[1])
            chain: [2]
            exit_port: other
            chains:
              inspect: {steps: [3], exit: other}
            permissions: {2: {install_rules: true}}
            """)
        try p.startManager(["--config", config])
        let example = try p.startProgram(exampleNF, ["2", p.name])
        try p.startNF(["forward", "--service", "3", "--to", "next"])
        // A neighbour that does not exist: no ARP, the frames leave as sent.
        try t.run(host: 1, "ip neigh add 10.0.1.99 lladdr 02:00:00:00:00:99 dev \(t.prefix)n1")
        func send(_ n: Int) throws {
            let r = try t.run(host: 1, """
                python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\\"10.0.1.2\\", 40000)); [s.sendto(b\\"INSPECT-%d\\" % i, (\\"10.0.1.99\\", 7000)) for i in range(\(n))]"
                """)
            XCTAssertEqual(r.status, 0, r.output)
        }
        try send(1)
        XCTAssertTrue(waitFor(timeout: 20) { example.stderr.contains("installed (steering version") }, example.stderr + p.manager!.stderr)
        try send(20)
        XCTAssertTrue(waitFor(timeout: 20) { p.nfStats(service: 3)?["rx"] as? Int == 21 }, "\(String(describing: p.nfStats(service: 3)))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertTrue(example.stderr.contains("steered 1, rules installed 1, refused 0"), example.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// Without the permission the request is refused, the NF is told why,
    /// and nothing changes: every packet of the flow keeps coming to it.
    func testAnNFWithoutPermissionIsRefusedAndNothingChanges() throws {
        let p = try Platform("noperm")
        let sent = (0..<20).map { Pcap.udpFrame(sequence: UInt32($0), port: 7000, payload: Array("INSPECT".utf8)) }
        let (port, output) = try pcapPort(p, sent)
        let config = try writeConfig(p, """
            ports:
              - \(port)
            chain: [2]
            chains:
              inspect: [3]
            wait_for_chain: true
            """)
        try p.startManager(["--config", config])
        try p.startNF(["forward", "--service", "3", "--to", "next"])
        let example = try p.startProgram(exampleNF, ["2", p.name])
        XCTAssertTrue(waitFor(timeout: 20) { ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == 20 })
        XCTAssertTrue(waitFor(timeout: 20) { example.stderr.contains("rule refused: service 2 may not change rules") }, example.stderr)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertTrue(example.stderr.contains("steered 20, rules installed 0, refused 1"), example.stderr)
        XCTAssertEqual(steering(p)["rules"] as? Int, 0)
        XCTAssertEqual(Set(try Pcap.read(output)), Set(sent))
    }

    /// A closed loop through a real (loopback) port: 64 flows, classified
    /// on every round. Flows 0-31 go to chain a (service 2); a rule moves
    /// flows 32-63 between chains b1 and b2 (services 3 and 4) 1,000 times a
    /// second. Each chain's NF is a firewall that denies every flow but its
    /// own, so a misrouted packet is a counted drop; none may be dropped or
    /// misrouted, untouched or moved.
    func testRulesChangedAThousandTimesASecondLoseAndMisrouteNothing() throws {
        let p = try Platform("churn")
        let config = try writeConfig(p, """
            ports: [net_ring0]
            chains:
              a: [2, 1]
              b1: [3, 1]
              b2: [4, 1]
            rules:
              - {id: 1, src_port: 1024-1055, to: "chain:a"}
            permissions: {9: {install_rules: true, rules_per_second: 2000}}
            """)
        let own = p.dir.appendingPathComponent("a.rules"), moved = p.dir.appendingPathComponent("b.rules")
        try "allow udp any any 1024-1055 any\ndefault deny\n".write(to: own, atomically: true, encoding: .utf8)
        try "allow udp any any 1056-1087 any\ndefault deny\n".write(to: moved, atomically: true, encoding: .utf8)
        try p.startManager(["--config", config])
        let steer = try p.startNF(["steer", "--service", "9", "--rule", "{id: 7, src_port: 1056-1087, to: \"chain:b1\"}",
                                   "--flip", "7", "--targets", "chain:b1,chain:b2", "--rate", "1000"])
        XCTAssertTrue(waitFor(timeout: 20) { self.steering(p)["rules"] as? Int == 2 })
        try p.startNF(["firewall", "--service", "2", "--rules", own.path])
        try p.startNF(["firewall", "--service", "3", "--rules", moved.path])
        try p.startNF(["firewall", "--service", "4", "--rules", moved.path])
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "port:0", "--packets", "64"])
        let start = steering(p)["version"] as? Int ?? 0
        // 3,000 moves carried out (the manager publishes what one pass
        // changes as one version, so versions advance by fewer).
        XCTAssertTrue(waitFor(timeout: 60) { (p.nfStats(service: 9)?["steeringChanges"] as? Int ?? 0) >= 3000 },
                      "\(self.steering(p)) \(steer.stderr)")
        XCTAssertGreaterThan(steering(p)["version"] as? Int ?? 0, start + 100, "the table changed under the traffic")
        let live = p.stats
        XCTAssertEqual(drops(live), 0, "\(String(describing: live?["services"]))")
        for s in 2...4 {
            XCTAssertGreaterThan(p.nfStats(service: s)?["rx"] as? Int ?? 0, 0, "service \(s) saw traffic")
            XCTAssertEqual(p.nfStats(service: s)?["dropped"] as? Int, 0, "service \(s) got a flow not its own")
        }
        XCTAssertTrue(tester.stdout.contains("64 in flight"))
        XCTAssertEqual(steer.stderr.contains("refused:"), false, steer.stderr)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// Packets queued inside a chain (for its first step, stopped) when the
    /// chain is replaced go on from their position in the new definition.
    func testAPacketInsideAReplacedChainGoesOnByTheNewDefinition() throws {
        let p = try Platform("replace")
        let sent = (0..<50).map { Pcap.udpFrame(sequence: UInt32($0)) }
        let (port, output) = try pcapPort(p, sent)
        let config = try writeConfig(p, """
            ports:
              - \(port)
            chain: [2, 3]
            wait_for_chain: true
            permissions: {9: {change_chains: true}}
            """)
        try p.startManager(["--config", config])
        let first = try p.startNF(["forward", "--service", "2", "--to", "next"])
        first.signal(SIGSTOP)
        XCTAssertTrue(waitFor(timeout: 10) { first.isStopped })
        try p.startNF(["forward", "--service", "4", "--to", "next"])
        try p.startNF(["forward", "--service", "3", "--to", "next"])
        XCTAssertTrue(waitFor(timeout: 20) { p.nfStats(service: 2)?["rxRing"] as? Int == 50 }, "\(String(describing: p.nfStats(service: 2)))")
        let steer = try p.startNF(["steer", "--service", "9", "--chains", "{default: [2, 4]}"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 9)?["steeringChanges"] as? Int) == 1 }, steer.stderr)
        first.signal(SIGCONT)
        XCTAssertTrue(waitFor(timeout: 20) { ((p.stats?["ports"] as? [[String: Any]])?.first?["tx"] as? Int) == 50 })
        XCTAssertEqual(p.nfStats(service: 4)?["rx"] as? Int, 50, "the second step is the new definition's")
        XCTAssertEqual(p.nfStats(service: 3)?["rx"] as? Int, 0)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(Set(try Pcap.read(output)), Set(sent))
    }

    /// Three readers stopped inside a burst hold three versions; with the
    /// current one in the fourth slot, the next change must wait (nothing
    /// they may still read is rewritten), and it goes out as soon as one of
    /// them is killed (its announcement is cleared once its process is gone).
    func testAVersionIsRewrittenOnlyWhenNoReaderHoldsItNotEvenAKilledOne() throws {
        let p = try Platform("readers")
        let config = try writeConfig(p, """
            rules:
              - {id: 1, dst_port: 1, to: drop}
            permissions: {9: {install_rules: true}}
            """)
        try p.startManager(["--config", config])
        var holders: [Platform.Child] = []
        XCTAssertTrue(waitFor(timeout: 20) { self.steering(p)["version"] as? Int == 1 }, "the configuration is version 1")
        var version = 1
        for k in 0..<3 {
            let service = 2 + k
            let holder = try p.startNF(["forward", "--service", "\(service)", "--to", "drop"],
                                       environment: ["NFV_FAULT": "steering-entered:1"])
            try p.startNF(["speed-tester", "--service", "1", "--to", "service:\(service)", "--packets", "1"])
            XCTAssertTrue(waitFor(timeout: 20) { holder.isStopped }, holder.stderr)
            XCTAssertTrue(waitFor(timeout: 20) { p.nfStats(service: service)?["steeringVersion"] as? Int == version })
            holders.append(holder)
            try p.startNF(["steer", "--service", "9", "--rule", "{id: \(10 + k), dst_port: \(10 + k), to: drop}"])
            XCTAssertTrue(waitFor(timeout: 20) { self.steering(p)["version"] as? Int == version + 1 }, "\(self.steering(p))")
            version += 1
        }
        // Slots: three held by the stopped readers, the fourth current.
        try p.startNF(["steer", "--service", "9", "--rule", "{id: 20, dst_port: 20, to: drop}"])
        XCTAssertTrue(waitFor(timeout: 20) { p.manager!.stderr.contains("waits: every free version slot is held") }, p.manager!.stderr)
        XCTAssertTrue(waitFor(timeout: 20) { self.steering(p)["pending"] as? Bool == true }, "\(self.steering(p))")
        XCTAssertEqual(steering(p)["version"] as? Int, version, "nothing published over a held version")
        holders[1].signal(SIGKILL)
        XCTAssertTrue(waitFor(timeout: 20) {
            self.steering(p)["version"] as? Int == version + 1 && self.steering(p)["pending"] as? Bool == false
        }, "\(self.steering(p))")
        for h in [holders[0], holders[2]] { h.signal(SIGCONT) }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }
}
