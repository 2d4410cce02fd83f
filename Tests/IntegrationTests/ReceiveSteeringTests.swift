import Foundation
import XCTest

/// The manager turns the kernel's receive packet steering (RPS) off on its
/// AF_PACKET ports' interfaces while they are open, so that the kernel's
/// receive work for them stays off the CPUs the platform polls on, and puts
/// the masks back when it stops; `--keep-rps` leaves them as they are.
final class ReceiveSteeringTests: XCTestCase {
    func testRPSIsOffWhileAnAFPacketPortIsOpenAndRestoredAfter() throws {
        let topo = try Topology(prefix: "rs\(getpid() % 10000)")
        defer { topo.tearDown() }
        let masks = topo.ports.map { "/sys/class/net/\($0)/queues/rx-0/rps_cpus" }
        for m in masks { try "1".write(toFile: m, atomically: false, encoding: .utf8) }
        let ports = topo.ports.enumerated().flatMap { ["--port", "net_af_packet\($0),iface=\($1)"] }

        let p = try Platform("rps")
        try p.startManager(ports)
        XCTAssertEqual(masks.map(cpus), [0, 0], "RPS still steers the ports' receive work while the manager runs")
        XCTAssertEqual(p.managerLines("RPS sent its receive work to CPUs"), 2, p.manager?.stderr ?? "")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(masks.map(cpus), [1, 1], "the manager did not put the RPS masks back")

        let kept = try Platform("rpskeep")
        try kept.startManager(ports + ["--keep-rps"])
        XCTAssertEqual(masks.map(cpus), [1, 1], "--keep-rps changed the masks")
        XCTAssertEqual(kept.stop(), 0)
    }

    /// A manager killed with its ports open cannot put the masks back: the
    /// next manager of its name does, before it turns them off again.
    func testTheNextManagerPutsBackWhatAKilledOneLeftOff() throws {
        let topo = try Topology(prefix: "rk\(getpid() % 10000)")
        defer { topo.tearDown() }
        let masks = topo.ports.map { "/sys/class/net/\($0)/queues/rx-0/rps_cpus" }
        for m in masks { try "1".write(toFile: m, atomically: false, encoding: .utf8) }
        let ports = topo.ports.enumerated().flatMap { ["--port", "net_af_packet\($0),iface=\($1)"] }

        let p = try Platform("rpskill")
        let first = try p.startManager(ports)
        XCTAssertEqual(masks.map(cpus), [0, 0])
        first.signal(SIGKILL)
        XCTAssertNotNil(first.wait())
        XCTAssertEqual(masks.map(cpus), [0, 0], "a killed manager cannot put the masks back")
        try p.startManager(ports)
        XCTAssertEqual(p.managerLines("left off by a manager of this name that did not stop"), 2, p.manager?.stderr ?? "")
        XCTAssertEqual(masks.map(cpus), [0, 0], "off again while this manager runs")
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(masks.map(cpus), [1, 1], "the original masks, not the 0 the killed manager left")
    }

    /// The CPUs in a sysfs mask (hex words, comma-separated), as a number.
    func cpus(_ path: String) -> Int? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ",", with: ""), radix: 16)
        }
    }
}
