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

/// An NF group in a deployment file: its members run as one process, are
/// restarted as one when it is killed, and stop as one.
final class SupervisedGroupTests: XCTestCase {
    func testUpRunsAGroupAsOneProcessAndRestartsItAsOne() throws {
        let p = try Platform("up-group")
        let file = p.dir.appendingPathComponent("group.yaml")
        try """
            name: \(p.name)
            ports:
              - net_null0
            chain: [1, 2, 3]
            wait_for_chain: true
            nfs:
              - {kind: forward, service: 1, args: [--to, next]}
              - group: edge
                restart: always
                members:
                  - {kind: monitor, service: 2, args: [--to, next, --sample-every, "0"]}
                  - {kind: forward, service: 3, args: [--to, next]}
            """.write(to: file, atomically: true, encoding: .utf8)
        let up = try p.run(["up", file.path, "--detach"], timeout: 90)
        XCTAssertEqual(up.status, 0, up.stderr)
        let api = p.control.client
        func members() throws -> [NFInfo] { try api.nfs().filter { $0.launch?.group == "edge" }.sorted { $0.service < $1.service } }
        let before = try members()
        XCTAssertEqual(before.map(\.service), [2, 3], "\(before)")
        XCTAssertEqual(Set(before.map(\.pid)).count, 1, "one process for the group: \(before)")
        let single = try api.nfs().first { $0.service == 1 }
        XCTAssertNotEqual(single?.pid, before[0].pid, "the NF outside the group runs on its own")
        // Traffic goes through both members (service 3 is the group's second).
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.services().first { $0.service == 3 }?.rx) ?? 0) > 1000 })

        // A kill of the process is every member's exit: both restart, in one new process.
        XCTAssertEqual(kill(before[0].pid, SIGKILL), 0)
        XCTAssertTrue(waitFor(timeout: 30) {
            let now = (try? members()) ?? []
            return now.count == 2 && now.allSatisfy { $0.state == "running" && $0.restarts == 1 && $0.pid != before[0].pid }
                && Set(now.map(\.pid)).count == 1
        }, "\((try? members()) ?? [])")
        XCTAssertEqual(try members().map { $0.history.last?.how }, ["signal 9", "signal 9"])
        let restarted = try api.services().first { $0.service == 3 }?.rx ?? 0
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.services().first { $0.service == 3 }?.rx) ?? 0) > restarted + 1000 },
                      "traffic goes through the restarted group")

        // Stopping one member stops the group: both stop, none restarts.
        let pid = try members()[0].pid
        try api.stop(try members()[1].instance)
        XCTAssertTrue(waitFor(timeout: 20) { ((try? members()) ?? []).allSatisfy { $0.state == "stopped" } }, "\((try? members()) ?? [])")
        XCTAssertFalse(ProcessWatchProbe.isAlive(pid))
        XCTAssertEqual(try api.nfs().first { $0.service == 1 }?.state, "running", "the NF outside the group goes on")

        let down = try p.run(["down", "--name", p.name], timeout: 60)
        XCTAssertEqual(down.status, 0, down.stderr)
        let log = try String(contentsOfFile: "/var/run/swiftnfv/\(p.name).manager.log", encoding: .utf8)
        XCTAssertTrue(log.contains("buffers are back in the pool"), log)
    }

    /// `nfv ctl launch-group` starts a group through the API; scaling a
    /// service down would stop a group's other services, so it is refused;
    /// a bad member is refused naming it, and nothing starts; `nfv ctl
    /// groups` lists it and `nfv ctl stop-group` stops every member.
    func testTheAPILaunchesAGroupAndRefusesWhatWouldBreakIt() throws {
        let p = try Platform("api-group")
        try p.startManager(["--port", "net_null0", "--chain", "1,2"])
        let api = p.control.client
        // The manager keeps a standby process attached: the group's launch becomes it.
        XCTAssertTrue(waitFor(timeout: 30) { (try? api.status().standbyReady) == true })
        let launch = try p.run(["ctl", "launch-group", "pair", "--name", p.name, "--wait", "--json",
                                "--member", "forward --service 1 --to next", "--member", "forward --service 2 --to next"], timeout: 60)
        XCTAssertEqual(launch.status, 0, launch.stderr)
        let nfs = try JSONDecoder().decode([NFInfo].self, from: Data(launch.stdout.utf8))
        XCTAssertEqual(nfs.map(\.service), [1, 2])
        XCTAssertEqual(Set(nfs.map(\.pid)).count, 1, "\(nfs)")
        XCTAssertTrue(nfs.allSatisfy { $0.state == "running" }, "\(nfs)")
        let argv = try String(contentsOfFile: "/proc/\(nfs[0].pid)/cmdline", encoding: .utf8).split(separator: "\0")
        XCTAssertTrue(argv.contains("standby"), "handed over to the standby: \(argv)")
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.services().first { $0.service == 2 }?.rx) ?? 0) > 1000 })

        XCTAssertThrowsError(try api.scale(service: 1, to: 0)) { e in
            XCTAssertTrue("\(e)".contains("stop with their group only"), "\(e)")
        }
        XCTAssertThrowsError(try api.launchGroup(NFGroupSpec(name: "pair", members: [NFLaunchSpec(kind: "forward", service: 3)]))) { e in
            XCTAssertTrue("\(e)".contains("group 'pair' is already supervised"), "\(e)")
        }
        XCTAssertThrowsError(try api.launchGroup(NFGroupSpec(name: "other", members: [
            NFLaunchSpec(kind: "forward", service: 3), NFLaunchSpec(kind: "forwrd", service: 4)]))) { e in
            XCTAssertTrue("\(e)".contains("group 'other', member 2 (forwrd): kind 'forwrd' is not a built-in NF"), "\(e)")
        }
        XCTAssertEqual(try api.nfs().count, 2, "nothing else started")
        // Scaling up copies a member as a process of its own.
        let scaled = try api.scale(service: 1, to: 2)
        XCTAssertEqual(scaled.launched.count, 1)
        XCTAssertTrue(waitFor(timeout: 30) { (try? api.nf(scaled.launched[0]).state) == "running" })
        let copy = try api.nf(scaled.launched[0])
        XCTAssertNil(copy.launch?.group)
        XCTAssertNotEqual(copy.pid, nfs[0].pid)

        // The group as a whole: listed, then stopped by name (every member, the copy goes on).
        let groups = try p.run(["ctl", "groups", "--name", p.name, "--json"])
        XCTAssertEqual(groups.status, 0, groups.stderr)
        let listed = try JSONDecoder().decode([GroupInfo].self, from: Data(groups.stdout.utf8))
        XCTAssertEqual(listed.map(\.name), ["pair"])
        XCTAssertEqual(listed.first?.members, nfs.map(\.instance))
        XCTAssertEqual(listed.first?.pid, nfs[0].pid)
        XCTAssertEqual(listed.first?.state, "running")
        let stop = try p.run(["ctl", "stop-group", "pair", "--name", p.name])
        XCTAssertEqual(stop.status, 0, stop.stderr)
        XCTAssertTrue(waitFor(timeout: 20) { (try? api.groups().first?.state) == "stopped" }, "\((try? api.groups()) ?? [])")
        XCTAssertEqual(try nfs.map { try api.nf($0.instance).state }, ["stopped", "stopped"])
        XCTAssertFalse(ProcessWatchProbe.isAlive(nfs[0].pid))
        XCTAssertEqual(try api.nf(copy.instance).state, "running")
        XCTAssertThrowsError(try api.stopGroup("nosuch")) { e in XCTAssertTrue("\(e)".contains("no group 'nosuch'"), "\(e)") }

        // A stopped group's name can be launched again, as a new process.
        let again = try api.launchGroup(NFGroupSpec(name: "pair", members: [NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "next"]),
                                                                            NFLaunchSpec(kind: "forward", service: 2, args: ["--to", "next"])]))
        XCTAssertEqual(again.map(\.service), [1, 2])
        XCTAssertTrue(waitFor(timeout: 30) { (try? api.groups().first?.state) == "running" }, "\((try? api.groups()) ?? [])")
        XCTAssertNotEqual(try api.groups().first?.pid, nfs[0].pid)
    }
}
