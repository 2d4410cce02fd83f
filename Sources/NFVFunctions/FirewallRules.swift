import NFVKit

/// A firewall's rules, read from a file: one rule a line, first match wins,
/// and a default policy for packets no rule matches.
///
/// ```text
/// # action  proto  source          destination     [sport]  [dport]
/// allow     tcp    10.0.1.0/24     10.0.2.0/24     any      80,8000-8080
/// deny      udp    any             any             any      53
/// allow     icmp   any             any
/// default   deny
/// ```
///
/// `proto` is `any`, `tcp`, `udp`, `icmp` or a number; addresses are
/// `any`, an address or a CIDR prefix; ports are `any`, a port, a range
/// `a-b`, or a comma-separated list of those. Only IPv4 is filtered: other
/// traffic (ARP, IPv6) passes, so neighbours can still be resolved.
public struct FirewallRules: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var allow: Bool
        public var proto: UInt8?
        public var source: IPv4Prefix
        public var destination: IPv4Prefix
        public var sourcePorts: [ClosedRange<UInt16>]
        public var destinationPorts: [ClosedRange<UInt16>]
        /// The line it came from (for counters and messages).
        public var line: Int
    }

    public var rules: [Rule]
    public var defaultAllow: Bool

    public init(rules: [Rule], defaultAllow: Bool) {
        self.rules = rules
        self.defaultAllow = defaultAllow
    }

    /// Parses rules; a bad line is named with its problem.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> FirewallRules {
        var rules: [Rule] = []
        var defaultAllow: Bool?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = i + 1
            let fields = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !fields.isEmpty else { continue }
            func fail(_ problem: String) -> ConfigError { ConfigError(file: file, line: line, problem: problem) }
            if fields[0] == "default" {
                guard fields.count == 2, let a = action(fields[1]) else { throw fail("expected 'default allow' or 'default deny'") }
                guard defaultAllow == nil else { throw fail("a second default policy") }
                defaultAllow = a
                continue
            }
            guard let allow = action(fields[0]) else { throw fail("'\(fields[0])' is not an action: use allow, deny or default") }
            guard (4...6).contains(fields.count) else {
                throw fail("expected: action proto source destination [sport] [dport], got \(fields.count) fields")
            }
            let proto: UInt8?
            switch fields[1] {
            case "any": proto = nil
            case "tcp": proto = 6
            case "udp": proto = 17
            case "icmp": proto = 1
            default:
                guard let n = UInt8(fields[1]) else { throw fail("'\(fields[1])' is not a protocol: use any, tcp, udp, icmp or a number") }
                proto = n
            }
            guard let src = IPv4Prefix(fields[2]) else { throw fail("'\(fields[2])' is not an address, a prefix or any") }
            guard let dst = IPv4Prefix(fields[3]) else { throw fail("'\(fields[3])' is not an address, a prefix or any") }
            let sp = try ports(fields.count > 4 ? fields[4] : "any", fail)
            let dp = try ports(fields.count > 5 ? fields[5] : "any", fail)
            if proto != 6 && proto != 17 && proto != nil && (sp != [0...65535] || dp != [0...65535]) {
                throw fail("ports only apply to tcp and udp")
            }
            rules.append(Rule(allow: allow, proto: proto, source: src, destination: dst, sourcePorts: sp, destinationPorts: dp, line: line))
        }
        return FirewallRules(rules: rules, defaultAllow: defaultAllow ?? false)
    }

    static func action(_ s: String) -> Bool? { s == "allow" ? true : s == "deny" ? false : nil }

    static func ports(_ s: String, _ fail: (String) -> ConfigError) throws(ConfigError) -> [ClosedRange<UInt16>] {
        if s == "any" { return [0...65535] }
        var out: [ClosedRange<UInt16>] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let lo = UInt16(ends[0]), let hi = UInt16(ends.last!), lo <= hi else {
                throw fail("'\(part)' is not a port or a range a-b")
            }
            out.append(lo...hi)
        }
        return out
    }
}
