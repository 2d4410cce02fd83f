import NFVKit

/// A firewall's rules, read from a file: one rule a line, first match wins,
/// and a default policy for packets no rule matches.
///
/// ```text
/// # action  proto  source          destination     [sport]  [dport]
/// allow     tcp    10.0.1.0/24     10.0.2.0/24     any      80,8000-8080
/// deny      udp    any             any             any      53
/// allow     icmp   any             any
/// deny      tcp    2001:db8::/32   any             any      22
/// default   deny
/// unparsed  deny
/// ```
///
/// `proto` is `any`, `tcp`, `udp`, `icmp`, `icmpv6` or a number; addresses
/// are `any`, an IPv4 or IPv6 address or prefix (a rule with an IPv4 prefix
/// applies to IPv4 only, one with an IPv6 prefix to IPv6 only, one with
/// `any` on both sides to both); ports are `any`, a port, a range `a-b`, or a
/// comma-separated list of those.
///
/// What the firewall cannot read does not pass by default: a frame that is
/// neither ARP, IPv4 nor IPv6 after at most two VLAN tags (a third tag, an
/// unknown type), an IP header that is malformed or cut short, or TCP or UDP
/// whose ports are not there (a cut header, a later fragment) meets the
/// `unparsed` policy: `deny` (when the line is absent, whatever the default
/// policy: a frame the firewall cannot read might be one a rule denies),
/// `allow`, or `default` (the default policy). ARP always passes, so
/// neighbours can resolve.
public struct FirewallRules: Sendable, Equatable {
    /// Which IP version a rule applies to.
    public enum Family: Sendable, Equatable { case any, ipv4, ipv6 }

    public struct Rule: Sendable, Equatable {
        public var allow: Bool
        public var proto: UInt8?
        public var family: Family
        /// IPv4 prefixes (`any` for IPv6 rules).
        public var source: IPv4Prefix
        public var destination: IPv4Prefix
        /// IPv6 prefixes (`any` for IPv4 rules).
        public var source6: IPv6Prefix
        public var destination6: IPv6Prefix
        public var sourcePorts: [ClosedRange<UInt16>]
        public var destinationPorts: [ClosedRange<UInt16>]
        /// The line it came from (for counters and messages).
        public var line: Int
    }

    public var rules: [Rule]
    public var defaultAllow: Bool
    /// Whether what the firewall cannot read passes (the `unparsed` policy).
    public var unparsedAllow: Bool

    public init(rules: [Rule], defaultAllow: Bool, unparsedAllow: Bool = false) {
        self.rules = rules
        self.defaultAllow = defaultAllow
        self.unparsedAllow = unparsedAllow
    }

    /// Parses rules; a bad line is named with its problem.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> FirewallRules {
        var rules: [Rule] = []
        var defaultAllow: Bool?
        var unparsed: Bool??
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
            if fields[0] == "unparsed" {
                guard fields.count == 2, fields[1] == "default" || action(fields[1]) != nil else {
                    throw fail("expected 'unparsed allow', 'unparsed deny' or 'unparsed default'")
                }
                guard unparsed == nil else { throw fail("a second unparsed policy") }
                unparsed = .some(fields[1] == "default" ? nil : action(fields[1]))
                continue
            }
            guard let allow = action(fields[0]) else {
                throw fail("'\(fields[0])' is not an action: use allow, deny, default or unparsed")
            }
            guard (4...6).contains(fields.count) else {
                throw fail("expected: action proto source destination [sport] [dport], got \(fields.count) fields")
            }
            let proto: UInt8?
            switch fields[1] {
            case "any": proto = nil
            case "tcp": proto = 6
            case "udp": proto = 17
            case "icmp": proto = 1
            case "icmpv6": proto = 58
            default:
                guard let n = UInt8(fields[1]) else {
                    throw fail("'\(fields[1])' is not a protocol: use any, tcp, udp, icmp, icmpv6 or a number")
                }
                proto = n
            }
            let (src, dst) = (try address(fields[2], fail), try address(fields[3], fail))
            let family: Family
            switch (src.family, dst.family) {
            case (.any, let f), (let f, .any): family = f
            case (let a, let b) where a == b: family = a
            default: throw fail("'\(fields[2])' and '\(fields[3])' are not of the same IP version")
            }
            let sp = try ports(fields.count > 4 ? fields[4] : "any", fail)
            let dp = try ports(fields.count > 5 ? fields[5] : "any", fail)
            if proto != 6 && proto != 17 && proto != nil && (sp != [0...65535] || dp != [0...65535]) {
                throw fail("ports only apply to tcp and udp")
            }
            rules.append(Rule(allow: allow, proto: proto, family: family, source: src.v4, destination: dst.v4,
                              source6: src.v6, destination6: dst.v6, sourcePorts: sp, destinationPorts: dp, line: line))
        }
        let defaultPolicy = defaultAllow ?? false
        let unparsedPolicy = unparsed.map { $0 ?? defaultPolicy } ?? false
        return FirewallRules(rules: rules, defaultAllow: defaultPolicy, unparsedAllow: unparsedPolicy)
    }

    /// An address field: `any`, or an IPv4 or IPv6 address or prefix.
    static func address(_ s: String, _ fail: (String) -> ConfigError) throws(ConfigError)
        -> (family: Family, v4: IPv4Prefix, v6: IPv6Prefix) {
        let any4 = IPv4Prefix("any")!, any6 = IPv6Prefix("any")!
        if s == "any" { return (.any, any4, any6) }
        if let p = IPv4Prefix(s) { return (.ipv4, p, any6) }
        if let p = IPv6Prefix(s) { return (.ipv6, any4, p) }
        throw fail("'\(s)' is not an address, a prefix or any")
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
