import Foundation
import XCTest

/// Real kernel traffic between two test hosts (network namespaces made here)
/// through the platform: ARP responder -> firewall -> router, over
/// `net_af_packet` and over `net_af_xdp` ports on veth pairs.
final class RealTrafficTests: XCTestCase {
    func testKernelTCPThroughAFPacketPorts() throws { try kernelTrafficCrossesFirewallAndRouter(driver: "net_af_packet") }
    func testKernelTCPThroughAFXDPPorts() throws { try kernelTrafficCrossesFirewallAndRouter(driver: "net_af_xdp") }

    func writeFile(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    /// HTTP over kernel TCP arrives whole; UDP to a blocked port does not.
    func kernelTrafficCrossesFirewallAndRouter(driver: String) throws {
        let topo = try Topology(prefix: "nt\(getpid() % 10000)")
        defer { topo.tearDown() }
        let p = try Platform("l3")
        let rules = try writeFile(p.dir, "fw.rules", """
            allow tcp 10.0.1.0/24 10.0.2.0/24 any 8080
            allow tcp 10.0.2.0/24 10.0.1.0/24 8080 any
            deny  udp any any any 9999
            allow udp any any
            default deny
            """)
        let routes = try writeFile(p.dir, "router.conf", "interface 0 10.0.1.1/24\ninterface 1 10.0.2.1/24\n")
        try p.startManager(["--port", "\(driver)0,iface=\(topo.ports[0])", "--port", "\(driver)1,iface=\(topo.ports[1])",
                            "--chain", "1,2,3"])
        try p.startNF(["arp-responder", "--service", "1", "--ip", "0:10.0.1.1", "--ip", "1:10.0.2.1"])
        let firewall = try p.startNF(["firewall", "--service", "2", "--rules", rules])
        let router = try p.startNF(["router", "--service", "3", "--routes", routes])

        // HTTP over kernel TCP, host 1 -> host 2.
        let www = p.dir.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        let body = (0..<2000).map { "line \($0) of a file served through SwiftNFV\n" }.joined()
        _ = try writeFile(www, "data.txt", body)
        let server = try topo.spawn(host: 2, "exec python3 -m http.server 8080 --bind 10.0.2.2 --directory \(www.path)")
        defer { server.terminate() }
        let fetched = p.dir.appendingPathComponent("fetched.txt")
        let client = """
            python3 -c "
            import time, urllib.request
            for i in range(20):
                try:
                    open(\\"\(fetched.path)\\", \\"wb\\").write(urllib.request.urlopen(\\"http://10.0.2.2:8080/data.txt\\", timeout=5).read()); break
                except Exception as e:
                    time.sleep(0.5)
            "
            """
        try topo.run(host: 1, client.replacingOccurrences(of: "'", with: "'\\''"), timeout: 60)
        XCTAssertEqual(try? String(contentsOf: fetched, encoding: .utf8), body, "the file did not arrive whole through the platform")

        // UDP: port 9998 passes, port 9999 is blocked by the firewall.
        let got = p.dir.appendingPathComponent("udp.txt")
        let receiver = try topo.spawn(host: 2, """
            exec python3 -c "
            import socket, select
            s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
            s[0].bind((\\"10.0.2.2\\", 9998)); s[1].bind((\\"10.0.2.2\\", 9999))
            out = open(\\"\(got.path)\\", \\"w\\")
            while True:
                r, _, _ = select.select(s, [], [], 30)
                for x in r:
                    d, a = x.recvfrom(2048); out.write(\\"%d %s\\\\n\\" % (x.getsockname()[1], d.decode())); out.flush()
            "
            """)
        defer { receiver.terminate() }
        usleep(500_000)
        try topo.run(host: 1, """
            python3 -c "
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(5):
                s.sendto(b\\"blocked\\", (\\"10.0.2.2\\", 9999)); s.sendto(b\\"passed\\", (\\"10.0.2.2\\", 9998)); time.sleep(0.1)
            "
            """.replacingOccurrences(of: "'", with: "'\\''"))
        XCTAssertTrue(waitFor(timeout: 10) { ((try? String(contentsOf: got, encoding: .utf8)) ?? "").components(separatedBy: "9998 passed").count >= 5 },
                      (try? String(contentsOf: got, encoding: .utf8)) ?? "nothing received")
        // The allowed datagrams were sent after the blocked ones; none of those arrived.
        XCTAssertFalse(((try? String(contentsOf: got, encoding: .utf8)) ?? "").contains("9999"), "a blocked datagram arrived")

        XCTAssertEqual(p.stop(), 0, p.manager?.stderr ?? "")
        XCTAssertTrue(firewall.stderr.contains("(deny): 5 packets"), firewall.stderr)
        XCTAssertTrue(router.stderr.contains("neighbours learned 2"), router.stderr)
        if driver == "net_af_xdp" {
            // The AF_XDP driver keeps the buffers of its fill ring after it closes.
            XCTAssertTrue(p.manager!.stderr.contains("all buffers are back in the pool but the"), p.manager!.stderr)
        } else {
            XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
        }
    }
}
