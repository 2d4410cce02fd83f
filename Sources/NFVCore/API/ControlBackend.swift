import Foundation

/// What the control API asks of the manager. Each runs on the manager's
/// control thread (never on the packet path), one at a time, in order.
public enum ControlCommand: Sendable, Equatable {
    case status
    case ports
    case nfs
    case nf(instance: Int)
    /// Start an NF under the manager's supervision.
    case launch(NFLaunchSpec)
    /// Start an NF group (one process for its members) under supervision.
    case launchGroup(NFGroupSpec)
    case groups
    /// Stop a supervised group (every member) for good.
    case stopGroup(name: String)
    /// Stop an instance (and, for a supervised one, do not restart it).
    case stop(instance: Int)
    /// Ask an instance to reload its configuration (a typed message, not SIGHUP).
    case reload(instance: Int)
    /// Change a supervised instance's CPU weight and cap (`nil`: leave as is;
    /// a cap of 0 removes it), at once and for its restarts.
    case setCPU(instance: Int, weight: Int?, cap: Int?)
    case services
    /// Start or stop supervised instances until `service` has `instances`.
    case scale(service: Int, instances: Int)
    case chains
    /// Add or replace a chain (the body is the JSON of `chains:` entry).
    case setChain(name: String, body: String)
    case removeChain(name: String)
    case rules
    /// Add a rule (the body is a rule as in `rules:`); with `id`, replace that rule.
    case addRule(body: String, id: UInt32?)
    case removeRule(id: UInt32)
    case stats
    /// Stop the platform: every NF, then the manager.
    case shutdown
}

/// The manager's answer to a `ControlCommand`: an HTTP status and a JSON body
/// (for an error, an `APIError`).
public struct ControlReply: Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    /// `value` as JSON (keys sorted, so that replies are stable).
    public static func json<T: Encodable>(_ value: T, status: Int = 200) -> ControlReply {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        do { return ControlReply(status: status, body: try e.encode(value)) } catch {
            return .error(500, "the reply could not be encoded: \(error)")
        }
    }

    public static func error(_ status: Int, _ message: String) -> ControlReply {
        json(APIError(status: status, message: message), status: status)
    }
}

/// Every error the API answers with: its status and what was wrong.
public struct APIError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var status: Int
    public var message: String
    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { "\(status): \(message)" }
}

/// The manager as the control API sees it.
public protocol ControlBackend: Sendable {
    /// Carries out `command` on the manager's control thread and returns its reply.
    func perform(_ command: ControlCommand) async -> ControlReply
}

/// Where the manager reports what happens (NFs coming and going, steering
/// changes, alarms). Called on the control thread; must not block.
public protocol EventSink: Sendable {
    func publish(_ kind: PlatformEvent.Kind, instance: Int?, service: Int?, message: String)
}

/// Drops every event (a manager without a control API).
public struct NoEvents: EventSink {
    public init() {}
    public func publish(_ kind: PlatformEvent.Kind, instance: Int?, service: Int?, message: String) {}
}
