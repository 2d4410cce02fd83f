import Foundation
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// A client of the control API: one HTTP/1.1 request per connection, over
/// the manager's Unix socket (root only) or loopback TCP with a bearer
/// token. Blocking, so that commands, tests and benchmarks read in order.
/// Every failure is a `ControlClient.Failure` that says what to do, or the
/// `APIError` the manager answered with.
public struct ControlClient: Sendable {
    public enum Endpoint: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int, token: String)
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        /// The manager is not there (no socket, nobody listening).
        public let notRunning: Bool
        init(_ description: String, notRunning: Bool = false) {
            self.description = description
            self.notRunning = notRunning
        }
    }

    public let endpoint: Endpoint
    /// The platform's name (for messages).
    public let platform: String
    /// How long a reply may take.
    public var timeoutSeconds = 30

    public init(endpoint: Endpoint, platform: String = "?") {
        self.endpoint = endpoint
        self.platform = platform
    }

    /// The client of platform `name` on its Unix socket.
    public init(platform name: String) {
        self.init(endpoint: .unix(path: "/var/run/swiftnfv/\(name)/api.sock"), platform: name)
    }

    // MARK: typed calls

    public func status() throws -> StatusInfo { try get("/v1/status") }
    public func ports() throws -> [PortInfo] { try get("/v1/ports") }
    public func nfs() throws -> [NFInfo] { try get("/v1/nfs") }
    public func nf(_ instance: Int) throws -> NFInfo { try get("/v1/nfs/\(instance)") }
    public func services() throws -> [ServiceInfo] { try get("/v1/services") }
    public func chains() throws -> [ChainInfo] { try get("/v1/chains") }
    public func rules() throws -> [RuleInfo] { try get("/v1/rules") }
    public func stats() throws -> PlatformStats { try get("/v1/stats") }
    public func events(after seq: UInt64 = 0) throws -> [PlatformEvent] { try get("/v1/events?since=\(seq)") }

    public func launch(_ spec: NFLaunchSpec) throws -> NFInfo { try send("POST", "/v1/nfs", json: spec) }
    public func groups() throws -> [GroupInfo] { try get("/v1/groups") }
    /// Stops a supervised group, every member.
    @discardableResult public func stopGroup(_ name: String) throws -> GroupInfo { try send("DELETE", "/v1/groups/\(name)") }
    /// Launches an NF group; its members, in its order.
    public func launchGroup(_ spec: NFGroupSpec) throws -> [NFInfo] { try send("POST", "/v1/groups", json: spec) }
    @discardableResult public func stop(_ instance: Int) throws -> NFInfo { try send("DELETE", "/v1/nfs/\(instance)") }
    /// Changes a supervised instance's CPU weight and cap (`cap` 0 removes it).
    @discardableResult public func setCPU(_ instance: Int, weight: Int? = nil, cap: Int? = nil) throws -> NFInfo {
        let fields = [weight.map { "\"cpuWeight\": \($0)" }, cap.map { "\"cpuCap\": \($0)" }].compactMap { $0 }
        return try send("PATCH", "/v1/nfs/\(instance)", body: Data("{\(fields.joined(separator: ", "))}".utf8))
    }
    @discardableResult public func reload(_ instance: Int) throws -> NFInfo { try send("POST", "/v1/nfs/\(instance)/reload") }
    @discardableResult public func scale(service: Int, to instances: Int) throws -> ScaleResult {
        try send("POST", "/v1/services/\(service)/scale", body: Data("{\"instances\": \(instances)}".utf8))
    }
    /// Adds a rule written as in the configuration's `rules:` (JSON or YAML flow syntax).
    @discardableResult public func addRule(_ rule: String) throws -> SteeringChange { try send("POST", "/v1/rules", body: Data(rule.utf8)) }
    @discardableResult public func removeRule(_ id: UInt32) throws -> SteeringChange { try send("DELETE", "/v1/rules/\(id)") }
    /// Sets chain `name` to `body`, as in `chains:` (`{"steps": [1, 2], "exit": "other"}`).
    @discardableResult public func setChain(_ name: String, _ body: String) throws -> SteeringChange {
        try send("PUT", "/v1/chains/\(name)", body: Data(body.utf8))
    }
    @discardableResult public func removeChain(_ name: String) throws -> SteeringChange { try send("DELETE", "/v1/chains/\(name)") }
    @discardableResult public func shutdown() throws -> StatusInfo { try send("POST", "/v1/shutdown") }

    public func get<T: Decodable>(_ path: String) throws -> T { try send("GET", path) }

    /// Sends a request; decodes a 2xx reply as `T`, throws the `APIError` of any other.
    public func send<T: Decodable>(_ method: String, _ path: String, body: Data? = nil) throws -> T {
        let (status, data) = try request(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw (try? JSONDecoder().decode(APIError.self, from: data))
                ?? APIError(status: status, message: String(decoding: data, as: UTF8.self))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw Failure("the manager's reply to \(method) \(path) is not what this client expects: \(error)")
        }
    }

    public func send<T: Decodable, B: Encodable>(_ method: String, _ path: String, json: B) throws -> T {
        try send(method, path, body: try JSONEncoder().encode(json))
    }

    // MARK: HTTP

    /// One request; returns the status and the whole body.
    public func request(_ method: String, _ path: String, body: Data? = nil, accept: String = "application/json") throws -> (status: Int, body: Data) {
        let c = try HTTPConnection(endpoint, platform: platform, timeoutSeconds: timeoutSeconds)
        defer { c.close() }
        try c.send(method: method, path: path, body: body, accept: accept, token: token)
        return try c.readResponse()
    }

    /// Follows the event stream (Server-Sent Events) from after `seq`,
    /// handing each event to `onEvent` until it returns `false` or the
    /// manager closes the stream.
    public func followEvents(after seq: UInt64 = 0, _ onEvent: (PlatformEvent) -> Bool) throws {
        let c = try HTTPConnection(endpoint, platform: platform, timeoutSeconds: 0)
        defer { c.close() }
        try c.send(method: "GET", path: "/v1/events/stream?since=\(seq)", body: nil, accept: "text/event-stream", token: token)
        let head = try c.readHead()
        guard head.status == 200 else { throw APIError(status: head.status, message: "the event stream was refused") }
        var pending = ""
        let decoder = JSONDecoder()
        try c.readBody(head) { chunk in
            pending += String(decoding: chunk, as: UTF8.self)
            while let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                for line in block.split(separator: "\n") where line.hasPrefix("data: ") {
                    guard let e = try? decoder.decode(PlatformEvent.self, from: Data(line.dropFirst(6).utf8)) else { continue }
                    if !onEvent(e) { return false }
                }
            }
            return true
        }
    }

    private var token: String? {
        if case .tcp(_, _, let t) = endpoint { return t }
        return nil
    }
}
