import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// The DoS case study's mechanism: the detector NF, launched through the
/// API, sees a heavy source among light ones on a real port and raises one
/// alarm naming it, which the event stream carries; a rule installed
/// through the API then steers that source away while the others go on.
final class DoSTests: XCTestCase {
    func frame(from src: [UInt8], sequence: UInt32) -> [UInt8] {
        var f = Pcap.udpFrame(sequence: sequence)
        f[26..<30] = src[...]
        return f
    }

    func testTheDetectorRaisesOneAlarmForTheHeavySourceOnly() throws {
        let p = try Platform("dos")
        // 3,000 packets from 10.0.0.66 and 30 from 10.0.0.1, interleaved, replayed at once.
        var frames: [[UInt8]] = []
        for i in 0..<3000 {
            frames.append(frame(from: [10, 0, 0, 66], sequence: UInt32(i)))
            if i % 100 == 0 { frames.append(frame(from: [10, 0, 0, 1], sequence: UInt32(i))) }
        }
        let input = p.dir.appendingPathComponent("in.pcap"), output = p.dir.appendingPathComponent("out.pcap")
        try Pcap.write(frames, to: input)
        try p.startManager(["--port", "net_pcap0,rx_pcap=\(input.path),tx_pcap=\(output.path)", "--chain", "1",
                            "--wait-for-chain", "true"])
        let api = p.control.client
        let detector = try api.launch(NFLaunchSpec(kind: "detector", service: 1, args: ["--threshold-pps", "5000"]))
        try p.control.waitUntilRegistered(detector.instance, timeout: 30)
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.events()) ?? []).contains { $0.kind == .alarm } })
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.nf(detector.instance).rx) ?? 0) == 3030 })
        let alarms = try api.events().filter { $0.kind == .alarm }
        XCTAssertEqual(alarms.count, 1, "\(alarms)")
        XCTAssertTrue(alarms.first?.message.hasPrefix("volume src=10.0.0.66 ") == true, "\(alarms)")
        XCTAssertEqual(alarms.first?.instance, detector.instance)
        XCTAssertEqual(alarms.first?.service, 1)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(try Pcap.read(output).count, 3030, "the detector passes every packet on")
    }
}
