import ArgumentParser
import Foundation
import NFVCore
import NFVFunctions
import NFVPacket

/// `nfv bench nf`: what the firewall's classifier and the router's lookup and
/// rewrite cost per packet, at a given number of rules or routes, measured in
/// this process on packets in memory (no ports, no rings).
struct NFCostBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nf", abstract: "Per-packet cost of the firewall or router at N rules or routes.")

    enum Kind: String, ExpressibleByArgument { case firewall, router }

    @Option(help: "firewall or router.") var kind: Kind
    @Option(help: "Rules (firewall) or routes (router).") var size = 1000
    @Option(help: "Runs.") var runs = 5
    @Option(help: "Packets per run.") var packets = 2_000_000
    @Option(help: "Distinct flows (firewall: more than its cache of 65536 forces full scans).") var flows = 1024
    @Flag(help: "Firewall rules with destination port ranges (no exact-port index to help).") var portRanges = false

    func run() throws {
        var rng = SystemRandomNumberGenerator()
        let mac = MACAddress(0x0200_0000_0001)
        // Flows to addresses no rule or route but the last (catch-all) matches: the worst case for a scan.
        let payload = [UInt8](repeating: 0, count: 18)
        var frames: [PacketData] = []
        for i in 0..<flows {
            let from = IPv4Address(0x0A00_0000 | UInt32(i))
            let to = IPv4Address(0xC0A8_0000 | UInt32(i & 0xFFFF))
            let port = UInt16(1024 + i % 50000)
            frames.append(PacketBuilder.udp(src: mac, dst: mac, from: from, to: to, sourcePort: port, destinationPort: 53, payload: payload))
        }
        let layouts = frames.map { Layout.parse($0)! }
        var results: [Double] = []
        for _ in 0..<runs {
            var work = frames
            let ns: Double
            switch kind {
            case .firewall:
                var text = ""
                for i in 0..<max(0, size - 1) {
                    let port = 1 + i % 60000
                    text += "deny tcp 172.\(16 + i % 16).\(i / 16 % 256).0/24 any any \(port)\(portRanges ? "-\(port + 10)" : "")\n"
                }
                text += "allow udp any any\n"
                var c = PacketClassifier(try FirewallRules.parse(text))
                var allowed = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for i in 0..<packets {
                    let k = i % work.count
                    if let t = FiveTuple(work[k], layouts[k]), c.match(t) != nil { allowed &+= 1 }
                }
                ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(packets)
                precondition(allowed == packets)
            case .router:
                var routes: [(prefix: IPv4Prefix, nextHop: UInt32)] = [(IPv4Prefix("any")!, 0)]
                for _ in 0..<max(0, size - 1) {
                    routes.append((IPv4Prefix(IPv4Address(UInt32.random(in: 0x0100_0000...0xBFFF_FFFF, using: &rng)),
                                              length: Int.random(in: 16...28, using: &rng)), 1))
                }
                let lpm = LPMTable(routes: routes)
                var forwarded = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for i in 0..<packets {
                    let k = i % work.count
                    let l = layouts[k]
                    guard let dst = work[k].ipv4(at: l.l3 + 16), lpm.lookup(dst) != nil else { continue }
                    if work[k][22]! < 3 { work[k].store(UInt8(64), bigEndianAt: 22) }  // keep TTLs alive
                    guard work[k].decrementTTL(l) != nil else { continue }
                    work[k].setEthernet(destination: mac, source: mac)
                    forwarded &+= 1
                }
                ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(packets)
                precondition(forwarded == packets)
            }
            results.append(ns)
        }
        let s = Summary(results)!
 Terminal.out("\(kind.rawValue), \(size) \(kind == .firewall ? (portRanges ? "rules with port ranges" : "rules") : "routes"), \(flows) flows: \(StatsTable.fixed(s.min, 1)) / \(StatsTable.fixed(s.median, 1)) / \(StatsTable.fixed(s.max, 1)) ns per packet (min / median / max of \(runs) runs)")
    }
}
