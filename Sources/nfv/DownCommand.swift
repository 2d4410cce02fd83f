import ArgumentParser
import Foundation
import NFVOrchestration
#if canImport(Glibc)
import Glibc
#endif

/// `nfv down`: stops a platform through its API (every NF, then the
/// manager) and waits until it has gone.
struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop a platform started by nfv up (or any manager).")

    @Option(help: "The platform's name.") var name = "default"
    @Option(help: "Seconds to wait for it to stop.") var timeout = 30.0

    func run() throws {
        let control = PlatformControl(platform: name)
        let pid: Int32
        do { pid = try control.client.status().pid } catch let f as ControlClient.Failure {
            throw ValidationError(f.description)
        }
        try Self.takeDown(control, pid: pid, timeout: timeout)
    }

    /// Asks for shutdown and waits until process `pid` has gone.
    static func takeDown(_ control: PlatformControl, pid: Int32, timeout: Double = 30) throws {
        do { try control.client.shutdown() } catch let f as ControlClient.Failure where f.notRunning {
            Terminal.log("'\(control.client.platform)' is already down")
            return
        }
        Terminal.log("stopping '\(control.client.platform)' (pid \(pid))")
        let deadline = Date().addingTimeInterval(timeout)
        while kill(pid, 0) == 0 || errno != ESRCH {
            // Our own child (nfv up without --detach) must be reaped to go.
            var s: Int32 = 0
            if waitpid(pid, &s, WNOHANG) == pid { break }
            guard Date() < deadline else { throw ValidationError("'\(control.client.platform)' (pid \(pid)) did not stop within \(Int(timeout)) s") }
            usleep(10_000)
        }
        Terminal.log("'\(control.client.platform)' is down")
    }
}
