import NFVKit

/// Filters IPv4 traffic by a rules file (see `FirewallRules`), counts the
/// packets each rule decided, and re-reads the file on SIGHUP between two
/// bursts: traffic keeps flowing, and a file with a bad line is refused
/// (its line named) while the old rules stay in force.
public struct Firewall: NetworkFunction {
    public let path: String
    public let destination: Action
    var classifier: PacketClassifier
    /// Packets decided by each rule; the last entry counts the default policy.
    var counts: ContiguousArray<UInt64>
    var malformed: UInt64 = 0
    var reloadsSeen = 0

    /// Reads the rules; throws `ConfigError` naming the bad line.
    public init(rulesFile path: String, to destination: Action = .next, text: String) throws(ConfigError) {
        self.path = path
        self.destination = destination
        let rules = try FirewallRules.parse(text, file: path)
        classifier = PacketClassifier(rules)
        counts = ContiguousArray(repeating: 0, count: rules.rules.count + 1)
    }

    public mutating func setup(context: NFContext) throws {
        reloadsSeen = context.reloadRequests
        context.log("\(classifier.rules.rules.count) rules from \(path), default \(classifier.rules.defaultAllow ? "allow" : "deny")")
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        guard let l = Layout.parse(packet), let t = FiveTuple(packet, l) else {
            // IPv4 that does not parse is dropped; anything else is not ours to filter.
            if packet.load(UInt16.self, bigEndianAt: 12) == 0x0800 { malformed &+= 1; return .drop }
            return destination
        }
        let rule = classifier.match(t)
        let allow = rule.map { classifier.rules.rules[$0].allow } ?? classifier.rules.defaultAllow
        counts[rule ?? counts.count - 1] &+= 1
        return allow ? destination : .drop
    }

    public var tickInterval: Duration? { .milliseconds(200) }

    public mutating func tick(context: NFContext) {
        guard context.reloadRequests != reloadsSeen else { return }
        reloadsSeen = context.reloadRequests
        report(context)
        do {
            let text = try readTextFile(path)
            let rules = try FirewallRules.parse(text, file: path)
            classifier = PacketClassifier(rules)
            counts = ContiguousArray(repeating: 0, count: rules.rules.count + 1)
            context.log("reloaded \(rules.rules.count) rules from \(path)")
        } catch {
            context.log("reload refused, the old rules stay: \(error)")
        }
    }

    public func finish(context: NFContext) { report(context) }

    func report(_ context: NFContext) {
        for (i, r) in classifier.rules.rules.enumerated() {
            context.log("rule line \(r.line) (\(r.allow ? "allow" : "deny")): \(counts[i]) packets")
        }
        context.log("default (\(classifier.rules.defaultAllow ? "allow" : "deny")): \(counts[counts.count - 1]) packets; malformed: \(malformed)")
    }
}

/// Reads a whole text file, or throws a `ConfigError` naming it.
func readTextFile(_ path: String) throws(ConfigError) -> String {
    guard let f = fopen(path, "r") else { throw ConfigError(file: path, problem: "cannot be read") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif
