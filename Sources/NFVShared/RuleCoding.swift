@preconcurrency import CDPDK
import NFVCore
import NFVPacket

/// A flow rule in its shared-memory form (`nfv_rule_t`), both ways: the
/// steering table stores rules so, and NFs send them so. Decoding checks
/// every field, since the bytes come from another process.
enum RuleCoding {
    static func encode(_ r: FlowRule, chainIndex: (String) -> UInt16?, into e: inout nfv_rule_t) {
        e = nfv_rule_t()
        e.id = r.id
        e.priority = r.priority
        e.in_port = r.match.inPort?.rawValue ?? UInt16(NFV_ANY16)
        e.vlan = r.match.vlan ?? UInt16(NFV_ANY16)
        e.family = r.match.family
        e.has_proto = r.match.proto == nil ? 0 : 1
        e.proto = r.match.proto ?? 0
        e.sport_low = r.match.sourcePorts.lowerBound
        e.sport_high = r.match.sourcePorts.upperBound
        e.dport_low = r.match.destinationPorts.lowerBound
        e.dport_high = r.match.destinationPorts.upperBound
        e.owner = r.owner?.rawValue ?? 0
        e.src_len = put(r.match.source, &e.src)
        e.dst_len = put(r.match.destination, &e.dst)
        switch r.target {
        case .chain(let name): e.target_kind = UInt8(NFV_TARGET_CHAIN); e.target = chainIndex(name) ?? 0
        case .service(let s): e.target_kind = UInt8(NFV_TARGET_SERVICE); e.target = s.rawValue
        case .port(let port): e.target_kind = UInt8(NFV_TARGET_PORT); e.target = port.rawValue
        case .drop: e.target_kind = UInt8(NFV_TARGET_DROP)
        }
    }

    typealias Bytes16 = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    static func put(_ prefix: AddressPrefix?, _ bytes: inout Bytes16) -> UInt8 {
        withUnsafeMutableBytes(of: &bytes) { b in
            switch prefix {
            case .ipv4(let a)?: for i in 0..<4 { b[i] = UInt8(truncatingIfNeeded: a.address.value >> (24 - 8 * i)) }
            case .ipv6(let a)?:
                for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: a.address.high >> (56 - 8 * i)) }
                for i in 0..<8 { b[8 + i] = UInt8(truncatingIfNeeded: a.address.low >> (56 - 8 * i)) }
            case nil: break
            }
        }
        return UInt8(prefix?.length ?? 0)
    }

    /// The rule `e` stands for, or what is wrong with it. `chainName` names
    /// the chain of a chain target (by its index, or from the message).
    static func decode(_ e: nfv_rule_t, chainName: (UInt16) -> String?) -> Result<FlowRule, SteeringSpec.Refusal> {
        var m = FlowMatch()
        if e.in_port != UInt16(NFV_ANY16) {
            guard Int(e.in_port) < Limits.maxPorts else { return .failure(.init("input port \(e.in_port) is out of range")) }
            m.inPort = PortID(e.in_port)
        }
        if e.vlan != UInt16(NFV_ANY16) { m.vlan = e.vlan }
        if e.has_proto != 0 { m.proto = e.proto }
        guard e.sport_low <= e.sport_high, e.dport_low <= e.dport_high else { return .failure(.init("a port range runs backwards")) }
        m.sourcePorts = e.sport_low...e.sport_high
        m.destinationPorts = e.dport_low...e.dport_high
        func prefix(_ bytes: Bytes16, _ length: UInt8, _ present: Bool) -> Result<AddressPrefix?, SteeringSpec.Refusal> {
            guard present else { return .success(nil) }
            return withUnsafeBytes(of: bytes) { b in
                switch e.family {
                case 4:
                    guard length <= 32 else { return .failure(.init("an IPv4 prefix of length \(length)")) }
                    let v = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(b[$1]) }
                    return .success(.ipv4(IPv4Prefix(IPv4Address(v), length: Int(length))))
                case 6:
                    guard length <= 128 else { return .failure(.init("an IPv6 prefix of length \(length)")) }
                    let high = (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(b[$1]) }
                    let low = (8..<16).reduce(UInt64(0)) { $0 << 8 | UInt64(b[$1]) }
                    return .success(.ipv6(IPv6Prefix(IPv6Address(high: high, low: low), length: Int(length))))
                default:
                    return .failure(.init("address family \(e.family) (4 or 6)"))
                }
            }
        }
        // A family with a zero-length prefix is "any address of that family".
        switch (prefix(e.src, e.src_len, e.family != 0), prefix(e.dst, e.dst_len, e.family != 0)) {
        case (.success(let s), .success(let d)):
            m.source = s
            m.destination = d
        case (.failure(let f), _), (_, .failure(let f)):
            return .failure(f)
        }
        let target: FlowTarget
        switch Int(e.target_kind) {
        case NFV_TARGET_CHAIN:
            guard let name = chainName(e.target), ManagerConfig.isValidName(name) else { return .failure(.init("the target chain has no valid name")) }
            target = .chain(name)
        case NFV_TARGET_SERVICE:
            guard ServiceID(e.target).isValid else { return .failure(.init("service \(e.target) is out of range")) }
            target = .service(ServiceID(e.target))
        case NFV_TARGET_PORT:
            guard Int(e.target) < Limits.maxPorts else { return .failure(.init("port \(e.target) is out of range")) }
            target = .port(PortID(e.target))
        case NFV_TARGET_DROP: target = .drop
        default: return .failure(.init("target kind \(e.target_kind) is unknown"))
        }
        return .success(FlowRule(id: e.id, priority: e.priority, match: m, target: target,
                                 owner: e.owner == 0 ? nil : InstanceID(e.owner)))
    }
}
