import Foundation
import XCTest

/// Mistakes an operator makes are refused with what is wrong, and what a
/// manager leaves behind (failed, crashed or stopped) does not pile up.
final class ErrorMessageTests: XCTestCase {
    /// What a platform has on this machine: huge-page files and run-time folders.
    func leftovers(_ name: String) -> [String] {
        let fm = FileManager.default
        var found: [String] = []
        for dir in ["/var/run/dpdk/swiftnfv-\(name)", "/var/run/swiftnfv/\(name)"] where fm.fileExists(atPath: dir) { found.append(dir) }
        let pages = (try? fm.contentsOfDirectory(atPath: "/dev/hugepages")) ?? []
        found += pages.filter { $0.hasPrefix("swiftnfv-\(name)map_") }
        return found
    }

    func testAPortThatCannotBeCreatedSaysWhyAndLeavesNothing() throws {
        let p = try Platform("porterr")
        let missing = p.dir.appendingPathComponent("missing.pcap").path
        let cases: [(String, String)] = [
            ("net_nosuch0", "no DPDK driver 'net_nosuch'"),
            ("net_af_packet0,iface=nosuch0", "no network interface 'nosuch0'"),
            ("net_af_xdp0,iface=nosuch0", "no network interface 'nosuch0'"),
            ("net_pcap0,rx_pcap=\(missing)", "cannot read rx_pcap file '\(missing)': No such file or directory"),
            ("0000:7f:1f.7", "no PCI device 0000:7f:1f.7 on this machine"),
            ("net_null0,oops", "'oops' is not a KEY=VALUE option"),
        ]
        for (device, cause) in cases {
            let r = try p.run(["manager", "--name", p.name, "--quiet", "--port", device])
            XCTAssertNotEqual(r.status, 0, device)
            XCTAssertTrue(r.stderr.contains("port '\(device)': \(cause)"), "\(device): \(r.stderr)")
            XCTAssertEqual(leftovers(p.name), [], "a manager that failed to start left files")
        }
    }

    func testBadCommandLineValuesSayWhatIsWrong() throws {
        let p = try Platform("argerr")
        let cases: [([String], String)] = [
            (["nf", "forward", "--service", "1", "--to", "service:999"], "'service:999': a service is a number from 1 to 63"),
            (["nf", "forward", "--service", "-1"], "--service -1: a service is a number from 1 to 63"),
            (["nf", "forward", "--service", "1", "--to", "port:x"], "'port:x': a port is a number from 0 to 15"),
            (["nf", "forward", "--service", "2", "--instance-id", "65"], "--instance-id 65: an instance ID is a number from 1 to 64"),
            (["manager", "--name", p.name, "--chain", "1,,2"], "--chain '1,,2': an empty step"),
            (["manager", "--name", p.name, "--chain", "1,x"], "--chain '1,x': 'x' is not a service ID"),
        ]
        for (args, message) in cases {
            let r = try p.run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(leftovers(p.name), [])
    }

    func testAStoppedPlatformLeavesNothingButItsFinalStatistics() throws {
        let p = try Platform("leaves")
        try p.startManager(["--port", "net_null0", "--chain", "1"])
        try p.startNF(["forward", "--service", "1", "--to", "next"])
        XCTAssertTrue(waitFor(timeout: 20) { FileManager.default.fileExists(atPath: "/var/run/swiftnfv/\(p.name)/stats.json") })
        XCTAssertEqual(p.stop(), 0)
        XCTAssertEqual(leftovers(p.name), [])
        XCTAssertNotNil(p.stats?["ports"], "the final statistics are where --final-stats said")
        // A clean stop says nothing is wrong (the API's server, cancelled, used to log an error).
        let log = p.manager!.stderr
        XCTAssertFalse(log.split(separator: "\n").contains { $0.lowercased().contains("error") }, log)
    }

    func testCleanupRemovesWhatACrashedManagerLeftAndSparesARunningOne() throws {
        let p = try Platform("cleanup")
        let first = try p.startManager()
        XCTAssertTrue(waitFor(timeout: 20) { self.leftovers(p.name).contains("/var/run/swiftnfv/\(p.name)") })
        let running = try p.run(["cleanup", "--name", p.name])
        XCTAssertTrue(running.stdout.contains("platform '\(p.name)': its manager is running; left alone"), running.stdout)
        XCTAssertFalse(leftovers(p.name).isEmpty)
        let children = childProcesses(of: first.pid)
        first.signal(SIGKILL)
        first.wait()
        XCTAssertFalse(leftovers(p.name).isEmpty, "a crashed manager leaves its files")
        // Its standby (maybe still in DPDK's start-up) ends with it.
        XCTAssertTrue(waitFor(timeout: 20) { children.allSatisfy { kill($0, 0) != 0 } }, "\(children) outlived the manager")
        let r = try p.run(["cleanup"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("platform '\(p.name)': removed"), r.stdout)
        XCTAssertEqual(leftovers(p.name), [])
        let again = try p.run(["cleanup", "--name", p.name])
        XCTAssertTrue(again.stdout.contains("platform '\(p.name)': nothing to remove"), again.stdout)
    }

    /// A process that still holds a file of a dead platform open (as an NF
    /// in its DPDK start-up holds its log) keeps `nfv cleanup` away: removing
    /// the folders under it would let it make them again.
    func testCleanupLeavesAPlatformAloneWhileAProcessHoldsItsFilesOpen() throws {
        let p = try Platform("cleanheld")
        let manager = try p.startManager(["--no-standby"])
        manager.signal(SIGKILL)
        manager.wait()
        let held = "/var/run/swiftnfv/\(p.name)/held.log"
        let holder = try Platform.Child(args: ["-c", "exec 3>>\(held); exec sleep 600"], dir: p.dir, label: "holder", executable: "/bin/sh")
        XCTAssertTrue(waitFor(timeout: 20) { self.openFiles(of: holder.pid).contains { $0.hasSuffix("/\(p.name)/held.log") } })
        let refused = try p.run(["cleanup", "--name", p.name])
        XCTAssertTrue(refused.stdout.contains("platform '\(p.name)': processes \(holder.pid) still use"), refused.stdout)
        XCTAssertFalse(leftovers(p.name).isEmpty)
        holder.signal(SIGKILL)
        holder.wait()
        let r = try p.run(["cleanup", "--name", p.name])
        XCTAssertTrue(r.stdout.contains("platform '\(p.name)': removed"), r.stdout)
        XCTAssertEqual(leftovers(p.name), [])
    }

    /// The processes whose parent is `pid`.
    func childProcesses(of pid: Int32) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { child in
            guard let fields = processStat(child), fields.count > 1 else { return false }
            return Int32(fields[1]) == pid
        }
    }

    /// Where `pid`'s open descriptors point.
    func openFiles(of pid: Int32) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
    }
}
