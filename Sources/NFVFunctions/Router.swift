import NFVKit

/// An IPv4 router: longest-prefix match on a routes file, TTL decrement
/// with an incremental checksum update, the next hop's Ethernet address
/// from a neighbour table learned from ARP (asked for when unknown), and
/// ICMP time exceeded back to the sender when the TTL runs out. Malformed
/// IPv4 (a header length under 20 bytes, a version other than 4, a total
/// length under the header length or beyond the frame) is dropped and
/// counted, never forwarded.
///
/// A routed packet leaves by its route's port (`.toPort`), or, with
/// `continueChain`, goes on to the chain's next step with that port chosen
/// as its egress (`Packet.setEgress`), so that later NFs see it first.
public struct Router: NetworkFunction {
    public struct Counters: Sendable, Equatable {
        public var forwarded: UInt64 = 0
        public var malformed: UInt64 = 0
        public var noRoute: UInt64 = 0
        public var noNeighbour: UInt64 = 0
        public var ttlExpired: UInt64 = 0
        public var toRouter: UInt64 = 0
        public var learned: UInt64 = 0
        public var other: UInt64 = 0
    }

    public let config: RouterConfig
    /// Routed packets continue the chain instead of leaving at once.
    public let continueChain: Bool
    let lpm: LPMTable
    let hops: [RouterConfig.NextHop]
    /// Neighbours by IPv4 address.
    var neighbours: [UInt32: MACAddress] = [:]
    /// When each unresolved address was last asked for (ns).
    var asked: [UInt32: UInt64] = [:]
    var portMACs: [MACAddress] = []
    /// The router's own address on each port.
    var portAddress: [IPv4Address?] = []
    public private(set) var counters = Counters()

    public init(config: RouterConfig, continueChain: Bool = false) {
        self.config = config
        self.continueChain = continueChain
        hops = config.routes.map(\.hop)
        lpm = LPMTable(routes: config.routes.enumerated().map { ($0.element.prefix, UInt32($0.offset)) })
    }

    public mutating func setup(context: NFContext) throws {
        portMACs = (0..<context.portCount).map { context.macAddress(of: PortID(UInt16($0))) ?? .zero }
        portAddress = [IPv4Address?](repeating: nil, count: context.portCount)
        if let bad = config.firstLine(usingPortFrom: context.portCount) {
            throw ConfigError(file: config.file, line: bad.line,
                              problem: "port \(bad.port) does not exist: the manager has \(context.portCount) port(s)"
                                  + (context.portCount > 0 ? " (0...\(context.portCount - 1))" : ""))
        }
        for i in config.interfaces { portAddress[Int(i.port)] = i.address }
        context.log("\(lpm.count) routes, \(config.interfaces.count) interfaces")
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        var p = packet
        guard let l = Layout.parse(p) else { counters.other &+= 1; return .drop }
        if l.etherType == 0x0800 && (l.network != .ipv4 || !Self.lengthsAreSound(p, l)) {
            counters.malformed &+= 1
            return .drop
        }
        let inPort = Int(p.inputPort.rawValue)
        switch l.network {
        case .arp:
            learn(p, l)
            return .drop
        case .ipv4:
            break
        default:
            counters.other &+= 1
            return .drop
        }
        guard let dst = p.ipv4(at: l.l3 + 16) else { return .drop }
        if config.interfaces.contains(where: { $0.address == dst }) { counters.toRouter &+= 1; return .drop }
        guard p.decrementTTL(l) != nil else {
            counters.ttlExpired &+= 1
            if inPort < portMACs.count, let me = portAddress[inPort], let sender = p.mac(at: 6),
               let icmp = PacketBuilder.icmpError(type: 11, code: 0, about: p, l, src: portMACs[inPort], dst: sender, routerIP: me) {
                context.send(icmp, action: .toPort(PortID(UInt16(inPort))))
            }
            return .drop
        }
        guard let index = lpm.lookup(dst) else { counters.noRoute &+= 1; return .drop }
        let hop = hops[Int(index)]
        let target = hop.gateway ?? dst
        guard Int(hop.port) < portMACs.count else { counters.noRoute &+= 1; return .drop }
        guard let mac = neighbours[target.value] else {
            counters.noNeighbour &+= 1
            ask(target, port: hop.port, context)
            return .drop
        }
        p.setEthernet(destination: mac, source: portMACs[Int(hop.port)])
        counters.forwarded &+= 1
        guard continueChain else { return .toPort(PortID(hop.port)) }
        p.setEgress(PortID(hop.port))
        return .next
    }

    /// Whether an IPv4 packet's total length covers its header and fits
    /// in the frame (the header length itself was checked by the parser).
    static func lengthsAreSound<P: PacketBytes>(_ p: P, _ l: Layout) -> Bool {
        guard let total = p.load(UInt16.self, bigEndianAt: l.l3 + 2) else { return false }
        return Int(total) >= l.l3Length && l.l3 + Int(total) <= p.length
    }

    /// Learns the sender of any ARP packet.
    mutating func learn(_ p: Packet, _ l: Layout) {
        guard let mac = p.mac(at: l.l3 + 8), let ip = p.ipv4(at: l.l3 + 14), ip.value != 0 else { return }
        if neighbours.updateValue(mac, forKey: ip.value) == nil { counters.learned &+= 1 }
        asked[ip.value] = nil
    }

    /// Sends an ARP request for `ip` out of `port`, at most every 100 ms.
    mutating func ask(_ ip: IPv4Address, port: UInt16, _ context: NFContext) {
        let now = context.nanoseconds
        if let last = asked[ip.value], now - last < 100_000_000 { return }
        guard let me = portAddress[Int(port)] else { return }
        asked[ip.value] = now
        let request = PacketBuilder.arp(reply: false, senderMAC: portMACs[Int(port)], senderIP: me, targetMAC: .zero, targetIP: ip)
        context.send(request, action: .toPort(PortID(port)))
    }

    public func finish(context: NFContext) {
        let c = counters
        context.log("forwarded \(c.forwarded), no route \(c.noRoute), no neighbour \(c.noNeighbour), TTL expired \(c.ttlExpired), "
                    + "malformed \(c.malformed), to the router \(c.toRouter), neighbours learned \(c.learned)")
    }
}
