import Foundation
import XCTest

/// What happens when things go wrong: no manager, a crashed manager, a
/// killed NF, a clash, a bad configuration, no huge pages.
final class FailureTests: XCTestCase {
    func testNFWithoutManagerSaysHowToStartOne() throws {
        let p = try Platform("nomanager")
        let r = try p.run(["nf", "forward", "--service", "1", "--manager", p.name])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("no manager is running for platform '\(p.name)'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nfv manager --name \(p.name)"), r.stderr)
    }

    func testManagerStartsAfterACrashedOne() throws {
        let p = try Platform("crash")
        let first = try p.startManager()
        first.signal(SIGKILL)
        first.wait()
        let second = try p.startManager()
        XCTAssertTrue(second.stderr.contains("did not stop cleanly"), second.stderr)
        try p.startNF(["forward", "--service", "1"])
        XCTAssertEqual(p.stop(), 0, second.stderr)
    }

    func testSecondManagerWithTheSameNameIsRefused() throws {
        let p = try Platform("twice")
        try p.startManager()
        let r = try p.run(["manager", "--name", p.name, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("already running"), r.stderr)
        XCTAssertEqual(p.stop(), 0)
    }

    func testKilledNFStopsNothingElseAndItsBuffersComeBack() throws {
        let p = try Platform("kill")
        try p.startManager()
        try p.startNF(["forward", "--service", "3", "--to", "service:1"])
        let victim = try p.startNF(["forward", "--service", "2", "--to", "service:3"])
        let tester = try p.startNF(["speed-tester", "--service", "1", "--to", "service:2", "--packets", "512"])
        XCTAssertTrue(waitFor(timeout: 20) { (p.nfStats(service: 2)?["rx"] as? Int ?? 0) > 10_000 })
        victim.signal(SIGKILL)
        victim.wait()
        XCTAssertTrue(waitFor(timeout: 10) { p.manager!.stderr.contains("buffers returned to the pool") }, p.manager!.stderr)
        XCTAssertTrue(p.manager!.isRunning)
        XCTAssertTrue(p.nfs[0].isRunning)
        XCTAssertTrue(tester.isRunning)
        // The service is gone: what the tester still sends is dropped and freed by it.
        XCTAssertTrue(waitFor(timeout: 10) { (p.stats?["poolInUse"] as? Int) == 0 }, "\(String(describing: p.stats))")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertTrue(p.manager!.stderr.contains("all 32767 buffers are back in the pool"), p.manager!.stderr)
        XCTAssertFalse(p.manager!.stderr.contains("still held by NFs"), p.manager!.stderr)
    }

    func testInstanceClashIsRefused() throws {
        let p = try Platform("clash")
        try p.startManager()
        try p.startNF(["forward", "--service", "1", "--instance-id", "7"])
        let r = try p.run(["nf", "forward", "--service", "2", "--instance-id", "7", "--manager", p.name])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("instance 7 is already in use"), r.stderr)
        XCTAssertEqual(p.stop(), 0)
    }

    func testBadConfigNamesFileLineAndProblem() throws {
        let p = try Platform("badconfig")
        let file = p.dir.appendingPathComponent("bad.yaml")
        try "name: x\nports: []\nchain: [1, 2, 99]\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try p.run(["manager", "--config", file.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("\(file.path):3: chain: '99' is not a service ID"), r.stderr)
    }

    func testMissingHugePagesSaysHowToFixIt() throws {
        let p = try Platform("nohuge")
        // A private mount namespace without the hugetlbfs mount.
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        let points = mounts.split(separator: "\n").compactMap { l -> String? in
            let f = l.split(separator: " ")
            return f.count > 2 && f[2] == "hugetlbfs" ? String(f[1]) : nil
        }
        let script = points.map { "umount \($0) && " }.joined() + "exec \(Platform.binary) manager --name \(p.name) --quiet --duration 1"
        let c = Process()
        c.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        c.arguments = ["-m", "--propagation", "private", "sh", "-c", script]
        let err = Pipe()
        c.standardError = err
        try c.run()
        c.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertNotEqual(c.terminationStatus, 0)
        XCTAssertTrue(text.contains("mount -t hugetlbfs nodev /dev/hugepages"), text)
    }
}
