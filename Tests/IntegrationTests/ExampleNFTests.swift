import Foundation
import NFVCore
import XCTest

/// The example NF, built outside the built-ins, runs against a real manager.
final class ExampleNFTests: XCTestCase {
    func testExampleNFBlocksUDPToPort9() throws {
        let p = try Platform("example")
        try p.startManager(["--chain", "2,1"])
        let example = URL(fileURLWithPath: Platform.binary).deletingLastPathComponent().appendingPathComponent("example-nf").path
        let nf = Process()
        nf.executableURL = URL(fileURLWithPath: example)
        nf.arguments = ["2", p.name]
        let out = Pipe()
        nf.standardOutput = out
        nf.standardError = out
        try nf.run()
        XCTAssertNotNil(p.control.waitUntilRegistered(pid: nf.processIdentifier, timeout: 20, isAlive: { nf.isRunning }))
        // The speed tester's packets are UDP to port 9: all blocked, none come back.
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "64"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 2)?["rx"] as? Int) == 64 })
        XCTAssertTrue(waitFor(timeout: 20) { tester.stdout.contains("0.000 Mpps") })
        kill(nf.processIdentifier, SIGTERM)
        nf.waitUntilExit()
        XCTAssertEqual(nf.terminationStatus, 0)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(text.contains("done: passed 0, blocked 64"), text)
        XCTAssertTrue(text.contains("stopped: stopped by signal, received 64"), text)
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    /// An NF program outside the built-ins, launched and supervised by the
    /// manager (kind `program`), gets the manager's options and registers.
    func testTheExampleNFLaunchedThroughTheAPI() throws {
        let p = try Platform("example-api")
        try p.startManager(["--chain", "2,1"])
        let example = URL(fileURLWithPath: Platform.binary).deletingLastPathComponent().appendingPathComponent("example-nf").path
        let api = p.control.client
        let nf = try api.launch(NFLaunchSpec(kind: "program", program: example, service: 2, restart: .never))
        let running = try p.control.waitUntilRegistered(nf.instance, timeout: 30)
        XCTAssertEqual(running.name, "payload-steering")
        XCTAssertEqual(running.service, 2)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}
