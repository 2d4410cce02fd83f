import ArgumentParser
import Foundation
import NFVCore
import NFVFunctions
import NFVPacket
import NFVRouting

/// `nfv bench classify`: what classifying a new flow costs (a cache miss:
/// the decision tree itself) at N firewall rules, exact destination ports or
/// port ranges, measured in this process. Rule `i` denies TCP from its own
/// /24 (172.16.0.0/12 split) to a destination port (or a range of 11 ports)
/// that steps through 1...60000; the last rule allows the rest. Flows are
/// drawn half from those sources and half from elsewhere, with random ports.
/// With `--flow-table` the same rules go into the manager's flow table
/// (eight fields, to drop; the last to the default chain), at most
/// `Limits.maxRules`, and the figure is `FlowTable.firstMatch` of a flow key.
struct ClassifyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify", abstract: "Cost of classifying a new flow (no cache) at N rules.")

    @Option(help: "Rules.") var rules = 1000
    @Flag(help: "Rules with destination port ranges instead of exact ports.") var ranges = false
    @Option(help: "Distinct flows looked up.") var flows = 100_000
    @Option(help: "Runs.") var runs = 5
    @Option(help: "Lookups per run.") var lookups = 2_000_000
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Measure the manager's flow table (8 fields) instead of the firewall's classifier.") var flowTable = false

    struct Result: Codable {
        var rules: Int
        var ranges: Bool
        var flows: Int
        var ns_min: Double
        var ns_median: Double
        var ns_max: Double
        var build_ms: Double
        var tree_nodes: Int
        var tree_entries: Int
    }

    func validate() throws {
        guard rules >= 1, flows >= 1, runs >= 1, lookups >= 1 else { throw ValidationError("--rules, --flows, --runs and --lookups must be at least 1") }
        if flowTable, rules > Limits.maxRules { throw ValidationError("--flow-table: the flow table holds at most \(Limits.maxRules) rules") }
    }

    func run() throws {
        if flowTable { return try runFlowTable() }
        var text = ""
        for i in 0..<(rules - 1) {
            let port = 1 + i % 60000
            text += "deny tcp 172.\(16 + i % 16).\(i / 16 % 256).0/24 any any \(port)\(ranges ? "-\(port + 10)" : "")\n"
        }
        text += "allow any any any\n"
        let parsed = try FirewallRules.parse(text)
        let start = DispatchTime.now().uptimeNanoseconds
        let classifier = PacketClassifier(parsed, cacheSize: 1)
        let buildMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        var rng = SystemRandomNumberGenerator()
        let tuples = (0..<flows).map { i -> FiveTuple in
            let inside = i % 2 == 0
            let src = inside ? 0xAC10_0000 | UInt32.random(in: 0...0x000F_FFFF, using: &rng) : UInt32.random(in: 0...UInt32.max, using: &rng)
            return FiveTuple(source: IPv4Address(src), destination: IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng)),
                             proto: inside ? 6 : 17, sourcePort: UInt16.random(in: 1024...65535, using: &rng),
                             destinationPort: UInt16.random(in: 1...60010, using: &rng))
        }
        var perRun: [Double] = []
        var found = 0
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<lookups { found &+= classifier.scan(tuples[i % tuples.count]) ?? 0 }
            perRun.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(lookups))
        }
        precondition(found >= 0)
        report(Summary(perRun)!, buildMs: buildMs, nodes: classifier.treeNodes, entries: classifier.treeEntries)
    }

    /// The same rules and flows through `FlowTable`.
    func runFlowTable() throws {
        var spec = SteeringSpec()
        try spec.setChain(ChainSpec(name: ChainSpec.defaultName, steps: [ServiceID(1)]))
        for i in 0..<(rules - 1) {
            let port = UInt16(1 + i % 60000)
            let src = IPv4Prefix(IPv4Address(0xAC10_0000 | UInt32(i % 16) << 16 | UInt32(i / 16 % 256) << 8), length: 24)
            try spec.addRule(FlowRule(id: UInt32(i + 1), match: FlowMatch(proto: 6, source: .ipv4(src),
                                                                       destinationPorts: port...(ranges ? port + 10 : port)),
                                      target: .drop))
        }
        try spec.addRule(FlowRule(id: UInt32(rules), target: .chain(ChainSpec.defaultName)))
        let start = DispatchTime.now().uptimeNanoseconds
        let table = FlowTable(spec, version: 1)
        let buildMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<flows).map { i -> FlowKey in
            let inside = i % 2 == 0
            let src = inside ? 0xAC10_0000 | UInt32.random(in: 0...0x000F_FFFF, using: &rng) : UInt32.random(in: 0...UInt32.max, using: &rng)
            let frame = inside
                ? PacketBuilder.tcp(src: MACAddress(1), dst: MACAddress(2), from: IPv4Address(src), to: IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng)),
                                    sourcePort: UInt16.random(in: 1024...65535, using: &rng), destinationPort: UInt16.random(in: 1...60010, using: &rng))
                : PacketBuilder.udp(src: MACAddress(1), dst: MACAddress(2), from: IPv4Address(src), to: IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng)),
                                    sourcePort: UInt16.random(in: 1024...65535, using: &rng), destinationPort: UInt16.random(in: 1...60010, using: &rng), payload: [])
            return FlowKey(frame, inPort: 0)
        }
        var perRun: [Double] = []
        var found = 0
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for i in 0..<lookups { found &+= table.firstMatch(keys[i % keys.count]) ?? 0 }
            perRun.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(lookups))
        }
        precondition(found >= 0)
        report(Summary(perRun)!, buildMs: buildMs, nodes: table.treeNodes, entries: table.treeEntries)
    }

    func report(_ s: Summary, buildMs: Double, nodes: Int, entries: Int) {
        let result = Result(rules: rules, ranges: ranges, flows: flows, ns_min: s.min, ns_median: s.median, ns_max: s.max,
                            build_ms: buildMs, tree_nodes: nodes, tree_entries: entries)
        if json {
            let e = JSONEncoder()
            e.outputFormatting = .sortedKeys
            if let d = try? e.encode(result) { Terminal.out(String(decoding: d, as: UTF8.self)) }
        } else {
            Terminal.out("classify\(flowTable ? " (flow table)" : ""), \(rules) rules\(ranges ? " with port ranges" : ""), \(flows) new flows: "
                         + "\(StatsTable.fixed(s.min, 1)) / \(StatsTable.fixed(s.median, 1)) / \(StatsTable.fixed(s.max, 1)) ns per lookup "
                         + "(min / median / max of \(runs) runs); built in \(StatsTable.fixed(buildMs, 1)) ms, "
                         + "\(result.tree_nodes) nodes, \(result.tree_entries) leaf entries")
        }
    }
}
