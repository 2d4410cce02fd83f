import NFVKit

/// A router's interfaces and routes, read from a file; a bad line is named.
///
/// ```text
/// # port  address/prefix   (the prefix is directly connected)
/// interface 0 10.0.1.1/24
/// interface 1 10.0.2.1/24
/// # prefix          gateway           port
/// route 10.3.0.0/16 via 10.0.2.254 port 1
/// route default     via 10.0.1.254 port 0
/// ```
public struct RouterConfig: Sendable {
    public struct Interface: Sendable, Equatable {
        public var port: UInt16
        public var address: IPv4Address
        public var prefix: IPv4Prefix
        /// The line it came from.
        public var line: Int = 0
    }

    /// Where a route sends packets: a gateway, or (`nil`) the destination
    /// itself on a connected network.
    public struct NextHop: Sendable, Equatable {
        public var gateway: IPv4Address?
        public var port: UInt16
    }

    public var interfaces: [Interface] = []
    public var routes: [(prefix: IPv4Prefix, hop: NextHop)] = []
    /// The line each route came from (an interface's connected route: its line).
    public var routeLines: [Int] = []
    /// The file it was read from, for messages.
    public var file: String?

    public init() {}

    /// The first line (interface or route) naming a port at or beyond
    /// `portCount`, with that port; `nil` when every port exists.
    public func firstLine(usingPortFrom portCount: Int) -> (line: Int, port: UInt16)? {
        zip(routes, routeLines).first { Int($0.0.hop.port) >= portCount }.map { ($0.1, $0.0.hop.port) }
    }

    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> RouterConfig {
        var c = RouterConfig()
        c.file = file
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !f.isEmpty else { continue }
            func fail(_ problem: String) -> ConfigError { ConfigError(file: file, line: i + 1, problem: problem) }
            switch f[0] {
            case "interface":
                guard f.count == 3, let port = UInt16(f[1]), Int(port) < Limits.maxPorts else {
                    throw fail("expected: interface PORT ADDRESS/PREFIX")
                }
                let parts = f[2].split(separator: "/")
                guard parts.count == 2, let a = IPv4Address(parts[0]), let p = IPv4Prefix(f[2]) else {
                    throw fail("'\(f[2])' is not an address with a prefix length, such as 10.0.1.1/24")
                }
                c.interfaces.append(Interface(port: port, address: a, prefix: p, line: i + 1))
                c.routes.append((p, NextHop(gateway: nil, port: port)))
                c.routeLines.append(i + 1)
            case "route":
                guard f.count == 6, f[2] == "via", f[4] == "port" else { throw fail("expected: route PREFIX via GATEWAY port PORT") }
                guard let p = f[1] == "default" ? IPv4Prefix("any") : IPv4Prefix(f[1]) else { throw fail("'\(f[1])' is not a prefix") }
                guard let gw = IPv4Address(f[3]) else { throw fail("'\(f[3])' is not an IPv4 address") }
                guard let port = UInt16(f[5]), Int(port) < Limits.maxPorts else { throw fail("'\(f[5])' is not a port number") }
                c.routes.append((p, NextHop(gateway: gw, port: port)))
                c.routeLines.append(i + 1)
            default:
                throw fail("'\(f[0])' is not a keyword: use interface or route")
            }
        }
        return c
    }
}
