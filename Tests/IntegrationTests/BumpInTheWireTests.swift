import Foundation
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
        XCTAssertEqual(Set(try Pcap.read(files[1].1)), Set(eastbound), "what came in on port 0 left by port 1")
        XCTAssertEqual(Set(try Pcap.read(files[0].1)), Set(westbound), "what came in on port 1 left by port 0")
    }
}
