/// Where a packet leaves after a chain's last step (unless an NF
/// chose its egress).
public enum ChainExit: Sendable, Equatable {
    /// The port it came in on.
    case inputPort
    /// One port for every packet.
    case port(PortID)
    /// The other port of its pair (0 <-> 1, 2 <-> 3, ...): a bump in the
    /// wire, whichever way the packet travels.
    case otherPort

    /// Parses `input`, `other` or a port number (`exit_port` in the
    /// configuration, `--exit-port` on the command line).
    public init(parsing text: String) throws(ConfigError) {
        switch text {
        case "input": self = .inputPort
        case "other": self = .otherPort
        default:
            guard let n = UInt16(text), Int(n) < Limits.maxPorts else {
                throw ConfigError(problem: "exit_port: '\(text)' is not a port (0...\(Limits.maxPorts - 1)), 'other' or 'input'")
            }
            self = .port(PortID(n))
        }
    }

    /// What is wrong with it for a manager of `portCount` ports, if anything.
    public func problem(portCount: Int) -> String? {
        switch self {
        case .inputPort: return nil
        case .port(let p):
            return Int(p.rawValue) < portCount ? nil : "exit_port \(p.rawValue) does not exist (\(portCount) ports configured)"
        case .otherPort:
            return portCount >= 2 && portCount % 2 == 0 ? nil
                : "exit_port: other pairs ports 0-1, 2-3, ...: it needs an even number of ports, not \(portCount)"
        }
    }

    /// The shared table's encoding: a port, -1 the input port, -2 the other one.
    public var encoded: Int32 {
        switch self {
        case .inputPort: -1
        case .otherPort: -2
        case .port(let p): Int32(p.rawValue)
        }
    }

    public init(encoded: Int32) {
        self = encoded >= 0 ? .port(PortID(UInt16(encoded))) : encoded == -2 ? .otherPort : .inputPort
    }
}
