import NFVKit

/// Filters IPv4 and IPv6 traffic by a rules file (see `FirewallRules`),
/// counts the packets each rule decided, and re-reads the file on SIGHUP
/// between two bursts: traffic keeps flowing, and a file with a bad line is
/// refused (its line named) while the old rules stay in force.
///
/// What it cannot read (see `FirewallRules`: a frame that is not ARP, IPv4
/// or IPv6 after two VLAN tags, a malformed or cut IP header, TCP or UDP
/// without its ports) meets the `unparsed` policy (deny unless the rules
/// say otherwise) and is counted as unparsed; ARP passes.
public struct Firewall: NetworkFunction {
    public let path: String
    public let destination: Action
    var classifier: PacketClassifier
    var classifier6: IPv6Classifier
    /// Packets decided by each rule; the last entry counts the default policy.
    var counts: ContiguousArray<UInt64>
    /// Frames the firewall could not read (the `unparsed` policy decided).
    public private(set) var unparsed: UInt64 = 0
    /// ARP frames (they pass).
    public private(set) var arp: UInt64 = 0
    var reloadsSeen = 0

    /// Reads the rules; throws `ConfigError` naming the bad line.
    public init(rulesFile path: String, to destination: Action = .next, text: String) throws(ConfigError) {
        self.path = path
        self.destination = destination
        let rules = try FirewallRules.parse(text, file: path)
        classifier = PacketClassifier(rules)
        classifier6 = IPv6Classifier(rules)
        counts = ContiguousArray(repeating: 0, count: rules.rules.count + 1)
    }

    public mutating func setup(context: NFContext) throws {
        reloadsSeen = context.reloadRequests
        context.log("\(classifier.rules.rules.count) rules from \(path), default \(classifier.rules.defaultAllow ? "allow" : "deny")")
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        allows(packet) ? destination : .drop
    }

    /// Whether the firewall lets `packet` through (and counts the decision).
    public mutating func allows<P: PacketBytes>(_ packet: P) -> Bool {
        guard let l = Layout.parse(packet) else { return unreadable() }
        // TCP and UDP rules need the ports: without them the packet cannot be judged.
        if let proto = l.ipProtocol, proto == 6 || proto == 17, l.l4 == nil { return unreadable() }
        let rule: Int?
        switch l.network {
        case .arp:
            arp &+= 1
            return true
        case .ipv4:
            guard let t = FiveTuple(packet, l) else { return unreadable() }
            rule = classifier.match(t)
        case .ipv6:
            guard let t = FiveTuple6(packet, l) else { return unreadable() }
            rule = classifier6.match(t)
        case .other:
            return unreadable()
        }
        counts[rule ?? counts.count - 1] &+= 1
        return rule.map { classifier.rules.rules[$0].allow } ?? classifier.rules.defaultAllow
    }

    mutating func unreadable() -> Bool {
        unparsed &+= 1
        return classifier.rules.unparsedAllow
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
            classifier6 = IPv6Classifier(rules)
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
        context.log("default (\(classifier.rules.defaultAllow ? "allow" : "deny")): \(counts[counts.count - 1]) packets; "
                    + "unparsed (\(classifier.rules.unparsedAllow ? "allow" : "deny")): \(unparsed); arp: \(arp)")
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
