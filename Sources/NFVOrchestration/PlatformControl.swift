import Foundation
import NFVCore

/// Orchestration over the control API, shared by `nfv up`, `nfv demo`,
/// `nfv bench` and the integration tests: wait until a manager answers,
/// until NFs have registered, until it has gone. Every wait polls the API
/// for the condition itself (no log reading, no fixed sleeps) and gives up
/// with a clear failure at its timeout, or as soon as the process it waits
/// for has exited (`isAlive`).
public struct PlatformControl: Sendable {
    public let client: ControlClient

    public init(client: ControlClient) { self.client = client }
    public init(platform: String) { client = ControlClient(platform: platform) }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Waits until the manager's API answers `status` with `running`.
    @discardableResult
    public func waitUntilReady(timeout: Double, isAlive: () -> Bool = { true }) throws -> StatusInfo {
        var last = "no answer"
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            do {
                let s = try client.status()
                if s.state == "running" { return s }
                last = "state \(s.state)"
            } catch let f as ControlClient.Failure {
                last = f.description
            } catch {
                last = "\(error)"
            }
            guard isAlive() else { throw Failure("the manager '\(client.platform)' exited before its API answered (\(last))") }
            usleep(5_000)
        }
        throw Failure("the manager '\(client.platform)' did not answer within \(Int(timeout)) s: \(last)")
    }

    /// Waits until instance `instance` is registered (`running`); fails at
    /// once if it is a supervised NF that failed.
    @discardableResult
    public func waitUntilRegistered(_ instance: Int, timeout: Double) throws -> NFInfo {
        let deadline = Date().addingTimeInterval(timeout)
        var last: NFInfo?
        while Date() < deadline {
            if let nf = try? client.nf(instance) {
                last = nf
                if nf.state == "running" { return nf }
                if nf.state == "failed" || (nf.state == "stopped" && !nf.history.isEmpty) {
                    throw Failure("instance \(instance) (\(nf.name)) \(nf.state): \(nf.history.last?.how ?? "")\(Self.tail(nf.logFile))")
                }
            }
            usleep(2_000)
        }
        throw Failure("instance \(instance) did not register within \(Int(timeout)) s (state \(last?.state ?? "unknown"))\(Self.tail(last?.logFile))")
    }

    /// Waits until the manager lists process `pid` (an NF started by hand,
    /// not supervised) as `count` running instances (more than one: an NF
    /// group); returns the first, or `nil` at the timeout or once the
    /// process has exited (`isAlive`).
    public func waitUntilRegistered(pid: Int32, count: Int = 1, timeout: Double, isAlive: () -> Bool) -> NFInfo? {
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive() && Date() < deadline {
            let mine = ((try? client.nfs()) ?? []).filter { $0.pid == pid && $0.state == "running" }
            if mine.count >= count, let nf = mine.first { return nf }
            usleep(2_000)
        }
        return nil
    }

    /// Waits until the manager's standby NF process is attached (the next
    /// launch of a built-in NF is a hand-over).
    public func waitUntilStandbyReady(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !(try client.status()).standbyReady {
            guard Date() < deadline else { throw Failure("the manager's standby did not attach within \(Int(timeout)) s") }
            usleep(1_000)
        }
    }

    /// Waits until `count` instances are running, supervised ones that
    /// failed making it fail at once; returns them.
    @discardableResult
    public func waitUntilRunning(count: Int, timeout: Double, isAlive: () -> Bool = { true }) throws -> [NFInfo] {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [NFInfo] = []
        while Date() < deadline {
            seen = (try? client.nfs()) ?? seen
            if let bad = seen.first(where: { $0.state == "failed" }) {
                throw Failure("instance \(bad.instance) (\(bad.name)) failed: \(bad.history.last?.how ?? "")\(Self.tail(bad.logFile))")
            }
            let running = seen.filter { $0.state == "running" }
            if running.count >= count { return running }
            guard isAlive() else { throw Failure("the manager '\(client.platform)' exited") }
            usleep(2_000)
        }
        throw Failure("\(seen.filter { $0.state == "running" }.count) of \(count) NFs running after \(Int(timeout)) s: "
                      + seen.map { "\($0.instance) \($0.name) \($0.state)" }.joined(separator: ", "))
    }

    /// The last lines of an NF's output file, to show why it failed.
    static func tail(_ path: String?) -> String {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty else { return "" }
        return "; its output (\(path)) ends:\n" + text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}
