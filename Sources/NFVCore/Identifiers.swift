/// A service: a kind of network function (a firewall, a forwarder). Packets
/// are addressed to services; the platform picks one of its instances.
/// Valid IDs are `1..<Limits.maxServices`.
public struct ServiceID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt16) { self.rawValue = value }
    public var isValid: Bool { rawValue >= 1 && Int(rawValue) < Limits.maxServices }
    public var description: String { "service \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One running NF process. Valid IDs are `1...Limits.maxNFs`; 0 stands for
/// "nobody" (the manager, a port or the free pool).
public struct InstanceID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt16) { self.rawValue = value }
    public var isValid: Bool { rawValue >= 1 && Int(rawValue) <= Limits.maxNFs }
    public var description: String { "instance \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A port of the manager, numbered in the order the configuration lists them.
public struct PortID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt16) { self.rawValue = value }
    public var description: String { "port \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A named chain's index in the steering table (`0..<Limits.maxChains`);
/// what a packet carries to say which chain it follows. Chain 0 is the one
/// named `default`.
public struct ChainID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt16) { self.rawValue = value }
    public var isValid: Bool { Int(rawValue) < Limits.maxChains }
    public var description: String { "chain \(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The platform's fixed capacities. They mirror the layout of the shared
/// table (`CDPDK/shim.h`); NFVShared checks at start-up that both agree.
public enum Limits {
    public static let maxPorts = 16
    public static let maxServices = 64
    public static let maxInstancesPerService = 16
    public static let maxNFs = 64
    public static let maxChainLength = 16
    /// Most members of one NF group (one process, one thread).
    public static let maxGroupMembers = 16
    /// Named chains at once.
    public static let maxChains = 64
    /// Flow rules at once.
    public static let maxRules = 4096
    public static let maxNameLength = 31
    /// Entries of a service's consistent-hashing table (a prime).
    public static let lookupTableSize = 2039
}
