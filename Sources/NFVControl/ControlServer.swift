import Foundation
import Hummingbird
import Logging
import NFVCore
import ServiceLifecycle
import Synchronization

/// The control API's HTTP servers, on their own threads (SwiftNIO's event
/// loops), never on the packet path: one on a Unix socket that only root
/// can connect to, and optionally one on loopback TCP that asks for a
/// bearer token. Both serve the same routes (`APIRoutes`).
public final class ControlServer: Sendable {
    public struct Options: Sendable {
        public var socketPath: String
        /// Loopback host and port for TCP (`nil`: the Unix socket only).
        public var tcp: (host: String, port: Int)?
        /// What TCP clients must send as `Authorization: Bearer TOKEN`.
        public var token: String?
        public init(socketPath: String, tcp: (host: String, port: Int)? = nil, token: String? = nil) {
            self.socketPath = socketPath
            self.tcp = tcp
            self.token = token
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let options: Options
    let routes: APIRoutes
    /// Each listener's service group, which runs its server.
    private let groups = Mutex<[ServiceGroup]>([])

    public init(backend: any ControlBackend, events: EventHub, options: Options) {
        self.options = options
        routes = APIRoutes(backend: backend, events: events)
    }

    /// Reads a token file: its first line, which must not be empty.
    public static func token(fromFile path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "cannot read the API token file '\(path)'")
        }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard token.count >= 16 else { throw Failure(description: "the API token in '\(path)' must be at least 16 characters") }
        return token
    }

    /// Binds and starts serving; returns once every listener is bound, or
    /// throws what stopped one from binding.
    public func start() throws {
        // A socket left by a manager that did not stop cleanly (this one
        // holds the platform's lock, so nobody else serves on it).
        unlink(options.socketPath)
        var listeners: [(BindAddress, String?)] = [(.unixDomainSocket(path: options.socketPath), nil)]
        if let tcp = options.tcp { listeners.append((.hostname(tcp.host, port: tcp.port), options.token)) }
        let startup = Startup()
        for (address, token) in listeners {
            let routes = self.routes
            let socketPath = options.socketPath
            let isUnix = token == nil
            let app = Application(router: routes.router(token: token), configuration: .init(address: address, serverName: "swiftnfv"),
                                  onServerRunning: { _ in
                                      if isUnix { chmod(socketPath, 0o600) }
                                      startup.report(nil)
                                  }, logger: Self.quietLogger)
            // No signals: the manager stops it (`stop`).
            let group = ServiceGroup(configuration: .init(services: [app], logger: Self.quietLogger))
            groups.withLock { $0.append(group) }
            Task {
                do { try await group.run() } catch {
                    startup.report(Failure(description: "the control API cannot listen on \(address): \(error)"))
                }
            }
        }
        for _ in listeners {
            if let f = startup.next() { stop(); throw f }
        }
    }

    /// What each listener reported when it started: bound, or why not.
    private final class Startup: Sendable {
        private let results = Mutex<[Failure?]>([])
        private let reported = DispatchSemaphore(value: 0)
        func report(_ f: Failure?) {
            results.withLock { $0.append(f) }
            reported.signal()
        }
        /// Waits for the next report.
        func next() -> Failure? {
            reported.wait()
            return results.withLock { $0.removeFirst() }
        }
    }

    /// Ends the event streams and shuts the listeners down gracefully:
    /// they stop accepting, and requests in progress get their answers.
    /// Returns at once; the servers finish on their own threads.
    public func stop() {
        routes.events.finishAll()
        let all = groups.withLock { g in
            let a = g
            g.removeAll()
            return a
        }
        for group in all { Task { await group.triggerGracefulShutdown() } }
        unlink(options.socketPath)
    }

    static var quietLogger: Logger {
        var l = Logger(label: "swiftnfv.api")
        l.logLevel = .error
        return l
    }
}
