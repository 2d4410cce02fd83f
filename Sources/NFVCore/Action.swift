/// What an NF's handler decides for one packet.
public enum Action: Hashable, Sendable {
    /// Free the packet.
    case drop
    /// Send the packet out of a manager port.
    case toPort(PortID)
    /// Hand the packet to an instance of a service.
    case toService(ServiceID)
    /// Hand the packet to the next step of its chain (chain 0, `default`,
    /// for a packet an NF made); after the chain's last step it leaves by
    /// the port an NF chose for it (`Packet.setEgress`), else the chain's
    /// exit port, else the port it arrived on.
    case next
    /// Put the packet at the start of a chain and hand it to its first step.
    case toChain(ChainID)
}

extension Action: CustomStringConvertible {
    public var description: String {
        switch self {
        case .drop: "drop"
        case .toPort(let p): "port:\(p.rawValue)"
        case .toService(let s): "service:\(s.rawValue)"
        case .next: "next"
        case .toChain(let c): "chain:\(c.rawValue)"
        }
    }

    /// Parses the command-line spelling: `drop`, `next`, `port:N`, `service:N`.
    public init(parsing text: String) throws(ConfigError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("drop", 1): self = .drop
        case ("next", 1): self = .next
        case ("port", 2):
            guard let n = UInt16(parts[1]), Int(n) < Limits.maxPorts else {
                throw ConfigError(problem: "'\(text)': a port is a number from 0 to \(Limits.maxPorts - 1)")
            }
            self = .toPort(PortID(n))
        case ("service", 2):
            guard let n = UInt16(parts[1]), ServiceID(n).isValid else {
                throw ConfigError(problem: "'\(text)': a service is a number from 1 to \(Limits.maxServices - 1)")
            }
            self = .toService(ServiceID(n))
        default:
            throw ConfigError(problem: "'\(text)' is not a destination; use drop, next, port:N or service:N")
        }
    }
}
