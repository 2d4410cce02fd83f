import Foundation
import NFVOrchestration
import XCTest

/// The most common deployment: port 0 in, the chain, port 1 out, and the
/// other way back, configured by one line (`exit_port: other`).
final class BumpInTheWireTests: XCTestCase {
    func testEachDirectionLeavesByTheOtherPort() throws {
        let p = try Platform("bump")
        let eastbound = (0..<30).map { Pcap.udpFrame(sequence: UInt32($0)) }
        let westbound = (100..<120).map { Pcap.udpFrame(sequence: UInt32($0)) }
        let files = (0..<2).map { (p.dir.appendingPathComponent("in\($0).pcap"), p.dir.appendingPathComponent("out\($0).pcap")) }
        try Pcap.write(eastbound, to: files[0].0)
        try Pcap.write(westbound, to: files[1].0)
        let config = p.dir.appendingPathComponent("bump.yaml")
        try """
            ports:
              - net_pcap0,rx_pcap=\(files[0].0.path),tx_pcap=\(files[0].1.path)
              - net_pcap1,rx_pcap=\(files[1].0.path),tx_pcap=\(files[1].1.path)
            chain: [1, 2]
            exit_port: other
            wait_for_chain: true
            """.write(to: config, atomically: true, encoding: .utf8)
        try p.startManager(["--config", config.path])
        try p.startNF(["forward", "--service", "1", "--to", "next"])
        try p.startNF(["monitor", "--service", "2", "--to", "next", "--sample-every", "0"])
        XCTAssertTrue(waitFor(timeout: 20) {
            let ports = p.stats?["ports"] as? [[String: Any]] ?? []
            return ports.count == 2 && ports[0]["tx"] as? Int == 20 && ports[1]["tx"] as? Int == 30
        }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        // Bytes counted as they crossed the ports (frames of 80 bytes).
        let ports = p.stats?["ports"] as? [[String: Any]] ?? []
        XCTAssertEqual(ports.map { $0["rxBytes"] as? Int }, [30 * 80, 20 * 80])
        XCTAssertEqual(ports.map { $0["txBytes"] as? Int }, [20 * 80, 30 * 80])
        XCTAssertEqual(Set(try Pcap.read(files[1].1)), Set(eastbound), "what came in on port 0 left by port 1")
        XCTAssertEqual(Set(try Pcap.read(files[0].1)), Set(westbound), "what came in on port 1 left by port 0")
    }

    /// The shipped deployment (`config/bump-in-the-wire.yaml`) as a new user
    /// runs it: the script's two hosts on veth0 and veth1, `nfv up`, kernel
    /// TCP (HTTP) and ICMP between the hosts through ARP responder,
    /// firewall, router and monitor, then `nfv down`.
    func testTheShippedDeploymentCarriesTCPBetweenTwoHosts() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let hosts = root.appendingPathComponent("scripts/bitw-hosts.sh").path
        try sh("\(hosts) up")
        defer { _ = try? sh("\(hosts) down") }
        let p = try Platform("bitw-shipped")
        defer { _ = try? p.run(["down", "--name", "bitw"]) }
        let up = try p.run(["up", root.appendingPathComponent("config/bump-in-the-wire.yaml").path, "--detach"], timeout: 90)
        XCTAssertEqual(up.status, 0, up.stderr)
        let api = PlatformControl(platform: "bitw").client
        XCTAssertEqual(try api.nfs().filter { $0.state == "running" }.map(\.name).sorted(), ["arp-responder", "firewall", "monitor", "router"])

        let www = p.dir.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        let body = (0..<500).map { "line \($0) through the bump in the wire\n" }.joined()
        try body.write(to: www.appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        server.arguments = ["netns", "exec", "bitw2", "python3", "-m", "http.server", "8080", "--bind", "10.0.2.2", "--directory", www.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var fetched = ""
        XCTAssertTrue(waitFor(timeout: 30) {
            fetched = (try? sh("ip netns exec bitw1 curl -s --max-time 3 http://10.0.2.2:8080/data.txt", check: false).output) ?? ""
            return fetched == body
        }, "got \(fetched.count) of \(body.count) bytes")
        let ping = try sh("ip netns exec bitw1 ping -c 2 -W 2 10.0.2.2", check: false)
        XCTAssertEqual(ping.status, 0, ping.output)
        let monitor = try api.nfs().first { $0.name == "monitor" }
        XCTAssertGreaterThan(monitor?.rx ?? 0, 10, "the monitor, last in the chain, saw the traffic")
        let down = try p.run(["down", "--name", "bitw"], timeout: 60)
        XCTAssertEqual(down.status, 0, down.stderr)
        try? FileManager.default.removeItem(atPath: "/var/run/swiftnfv/bitw.manager.log")
    }
}
