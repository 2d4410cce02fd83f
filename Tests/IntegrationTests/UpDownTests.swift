import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// `nfv up FILE` starts a manager and every NF the file declares, returns
/// once the API shows them all running (`--detach`), and `nfv down` stops
/// it all; a bad file is refused naming its line.
final class UpDownTests: XCTestCase {
    func testUpStartsEverythingInTheFileAndDownStopsIt() throws {
        let p = try Platform("up")
        let file = p.dir.appendingPathComponent("deploy.yaml")
        try """
            name: \(p.name)
            ports:
              - net_null0
            chain: [1, 2]
            wait_for_chain: true
            nfs:
              - {kind: forward, service: 1, args: [--to, next], restart: always}
              - kind: monitor
                service: 2
                instances: 2
                args: [--to, drop, --sample-every, "0"]
            """.write(to: file, atomically: true, encoding: .utf8)

        let up = try p.run(["up", file.path, "--detach"], timeout: 90)
        XCTAssertEqual(up.status, 0, up.stderr)
        let nfs = try p.control.client.nfs()
        XCTAssertEqual(nfs.filter { $0.state == "running" }.map(\.service).sorted(), [1, 2, 2], "\(nfs)")
        XCTAssertTrue(nfs.allSatisfy(\.supervised))
        XCTAssertEqual(nfs.first { $0.service == 1 }?.launch?.restart, .always)
        // Traffic flows through the chain the file declared.
        XCTAssertTrue(waitFor(timeout: 20) { ((try? p.control.client.services().first { $0.service == 2 }?.rx) ?? 0) > 1000 })
        let ctl = try p.run(["ctl", "nfs", "--name", p.name, "--json"])
        XCTAssertEqual(ctl.status, 0, ctl.stderr)
        XCTAssertEqual(try JSONDecoder().decode([NFInfo].self, from: Data(ctl.stdout.utf8)).count, 3)

        let pid = try p.control.client.status().pid
        let down = try p.run(["down", "--name", p.name], timeout: 60)
        XCTAssertEqual(down.status, 0, down.stderr)
        XCTAssertFalse(ProcessWatchProbe.isAlive(pid), "the manager is gone")
        XCTAssertThrowsError(try p.control.client.status()) { e in
            XCTAssertEqual((e as? ControlClient.Failure)?.notRunning, true, "\(e)")
        }
        let log = try String(contentsOfFile: "/var/run/swiftnfv/\(p.name).manager.log", encoding: .utf8)
        XCTAssertTrue(log.contains("buffers are back in the pool"), log)
    }

    func testABadDeploymentFileIsRefusedNamingItsLine() throws {
        let p = try Platform("up-bad")
        let file = p.dir.appendingPathComponent("bad.yaml")
        try """
            name: \(p.name)
            nfs:
              - {kind: forward, service: 1}
              - {kind: forwrd, service: 2}
            """.write(to: file, atomically: true, encoding: .utf8)
        let up = try p.run(["up", file.path, "--detach"])
        XCTAssertNotEqual(up.status, 0)
        XCTAssertTrue(up.stderr.contains("\(file.path):4"), up.stderr)
        XCTAssertTrue(up.stderr.contains("kind 'forwrd' is not a built-in NF"), up.stderr)
        XCTAssertThrowsError(try p.control.client.status(), "nothing was started")
    }
}

/// Whether a process exists (the test's own check, independent of the platform).
enum ProcessWatchProbe {
    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }
}
