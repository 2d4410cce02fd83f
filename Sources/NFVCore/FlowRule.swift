import NFVPacket

/// One rule of the flow table: which packets it matches, where they go, and
/// its place among the others (lower `priority` first; equal priorities:
/// the lower `id`). A packet entering from a port takes the first rule that
/// matches it; with none, its port's default chain.
public struct FlowRule: Sendable, Equatable {
    public var id: UInt32
    public var priority: Int32
    public var match: FlowMatch
    public var target: FlowTarget
    /// The NF instance that installed it; `nil`: the configuration.
    public var owner: InstanceID?

    public init(id: UInt32, priority: Int32 = 0, match: FlowMatch = FlowMatch(), target: FlowTarget, owner: InstanceID? = nil) {
        self.id = id
        self.priority = priority
        self.match = match
        self.target = target
        self.owner = owner
    }

    /// Whether it comes before `other` in the table.
    public func precedes(_ other: FlowRule) -> Bool {
        priority != other.priority ? priority < other.priority : id < other.id
    }
}

/// Where a flow rule sends what it matches.
public enum FlowTarget: Sendable, Equatable, CustomStringConvertible {
    /// The start of the named chain.
    case chain(String)
    /// An instance of a service (outside any chain but the packet's current one).
    case service(ServiceID)
    /// Straight out of a port.
    case port(PortID)
    case drop

    public var description: String {
        switch self {
        case .chain(let n): "chain \(n)"
        case .service(let s): "service \(s.rawValue)"
        case .port(let p): "port \(p.rawValue)"
        case .drop: "drop"
        }
    }
}

/// An IPv4 or IPv6 prefix in a rule.
public enum AddressPrefix: Sendable, Equatable, CustomStringConvertible {
    case ipv4(IPv4Prefix)
    case ipv6(IPv6Prefix)

    /// Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let p = IPv6Prefix(text) else { return nil }
            self = .ipv6(p)
        } else {
            guard let p = IPv4Prefix(text) else { return nil }
            self = .ipv4(p)
        }
    }

    public var isIPv6: Bool { if case .ipv6 = self { true } else { false } }
    public var length: Int {
        switch self {
        case .ipv4(let p): p.length
        case .ipv6(let p): p.length
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let p): p.description
        case .ipv6(let p): p.description
        }
    }
}

/// What a flow rule looks at; every field left `nil` matches anything.
/// Ports match only a TCP or UDP packet whose header is there (not a later
/// fragment) unless their range is the whole 0...65535.
public struct FlowMatch: Sendable, Equatable {
    public var inPort: PortID?
    /// The outer VLAN ID (a packet without a tag never matches one).
    public var vlan: UInt16?
    public var proto: UInt8?
    public var source: AddressPrefix?
    public var destination: AddressPrefix?
    public var sourcePorts: ClosedRange<UInt16> = 0...65535
    public var destinationPorts: ClosedRange<UInt16> = 0...65535

    public init(inPort: PortID? = nil, vlan: UInt16? = nil, proto: UInt8? = nil, source: AddressPrefix? = nil,
                destination: AddressPrefix? = nil, sourcePorts: ClosedRange<UInt16> = 0...65535,
                destinationPorts: ClosedRange<UInt16> = 0...65535) {
        self.inPort = inPort
        self.vlan = vlan
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
    }

    /// The address family it is limited to: 4, 6, or 0 (either).
    public var family: UInt8 {
        if source?.isIPv6 == true || destination?.isIPv6 == true { return 6 }
        return source != nil || destination != nil ? 4 : 0
    }

    /// What makes it impossible, if anything (IPv4 with IPv6, a VLAN ID
    /// beyond 4095).
    public var problem: String? {
        if let s = source, let d = destination, s.isIPv6 != d.isIPv6 {
            return "source \(s) and destination \(d) are of different address families"
        }
        if let v = vlan, v > 4095 { return "VLAN ID \(v) is beyond 4095" }
        return nil
    }
}
