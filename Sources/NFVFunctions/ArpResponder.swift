import NFVKit

/// Answers ARP requests for the platform's own addresses on each port, so
/// that the platform can stand as a host's next hop. The request is turned
/// into the reply in place and sent back out of the port it came in on;
/// every other packet goes on unchanged.
public struct ArpResponder: NetworkFunction {
    /// The addresses it answers for, per port.
    public let addresses: [PortID: [IPv4Address]]
    public let destination: Action
    var portMACs: [MACAddress] = []
    public private(set) var answered: UInt64 = 0

    public init(addresses: [PortID: [IPv4Address]], to destination: Action = .next) {
        self.addresses = addresses
        self.destination = destination
    }

    public mutating func setup(context: NFContext) throws {
        portMACs = (0..<context.portCount).map { context.macAddress(of: PortID(UInt16($0))) ?? .zero }
        for port in addresses.keys where Int(port.rawValue) >= context.portCount {
            throw ConfigError(problem: "an address on port \(port.rawValue), but the manager has \(context.portCount) ports")
        }
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        var p = packet
        guard let l = Layout.parse(p), l.network == .arp,
              p.load(UInt16.self, bigEndianAt: l.l3 + 6) == 1,              // a request
              let target = p.ipv4(at: l.l3 + 24),
              let mine = addresses[p.inputPort], mine.contains(target),
              let requesterMAC = p.mac(at: l.l3 + 8), let requesterIP = p.ipv4(at: l.l3 + 14)
        else { return destination }
        let mac = portMACs[Int(p.inputPort.rawValue)]
        p.store(UInt16(2), bigEndianAt: l.l3 + 6)
        p.storeMAC(mac, at: l.l3 + 8)
        p.store(target.value, bigEndianAt: l.l3 + 14)
        p.storeMAC(requesterMAC, at: l.l3 + 18)
        p.store(requesterIP.value, bigEndianAt: l.l3 + 24)
        p.setEthernet(destination: requesterMAC, source: mac)
        answered &+= 1
        return .toPort(p.inputPort)
    }

    public func finish(context: NFContext) { context.log("answered \(answered) ARP requests") }
}
