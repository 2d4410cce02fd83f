import ArgumentParser
import Foundation
import NFVFunctions
import NFVKit

/// Options every NF takes.
struct NFCommonOptions: ParsableArguments {
    @Option(help: "The platform (manager) to attach to.") var manager = "default"
    // Numbers parse unconditionally, so that `--service -1` is refused as a
    // number out of range rather than taken for an option.
    @Option(parsing: .unconditional, help: "The service this NF provides (1...63).") var service: Int
    @Option(parsing: .unconditional, help: "Ask for this instance ID (1...64); default: the first free one.") var instanceID: Int?
    @Option(help: "Empty polls before sleeping.") var spins = IdlePolicy().spins
    @Option(help: "While idle, yield the CPU once every this many polls.") var yieldEvery = IdlePolicy().yieldEvery
    @Option(parsing: .unconditional, help: "Most packets taken from the RX ring at once (1...1024).") var burst = NFOptions.defaultBurstSize
    @Option(parsing: .unconditional, help: "Pin the NF to this CPU (default: the scheduler places it).") var cpu: Int?
    @Option(parsing: .unconditional, help: "Its CPU weight against the platform's other NFs (1...10000; 100: the default share).") var cpuWeight: Int?
    @Option(parsing: .unconditional, help: "The most CPU it may use, in percent of one CPU (default: no cap).") var cpuCap: Int?

    func validate() throws {
        guard (1..<Limits.maxServices).contains(service) else {
            throw ValidationError("--service \(service): a service is a number from 1 to \(Limits.maxServices - 1)")
        }
        guard (1...1024).contains(burst) else { throw ValidationError("--burst \(burst): must be 1...1024") }
        if let i = instanceID, !(1...Limits.maxNFs).contains(i) {
            throw ValidationError("--instance-id \(i): an instance ID is a number from 1 to \(Limits.maxNFs)")
        }
        if let c = cpu, c < 0 { throw ValidationError("--cpu \(c): a CPU is a number from 0") }
        if let w = cpuWeight, !(1...10_000).contains(w) { throw ValidationError("--cpu-weight \(w): must be 1...10000 (100: the default share)") }
        if let c = cpuCap, !(1...(100 * 1024)).contains(c) { throw ValidationError("--cpu-cap \(c): percent of one CPU, 1 or more") }
    }

    func options(name: String) -> NFOptions {
        var o = NFOptions(service: ServiceID(UInt16(service)), name: name)
        o.platform = manager
        o.instance = instanceID.map { InstanceID(UInt16($0)) }
        o.idle = IdlePolicy(spins: spins, yieldEvery: yieldEvery)
        o.burstSize = burst
        o.cpu = cpu
        o.cpuWeight = cpuWeight
        o.cpuCap = cpuCap
        return o
    }

    /// Runs `nf` (on `attachment` when a standby process made it) and reports how it ended.
    func run<NF: NetworkFunction>(_ nf: inout NF, name: String, attachment: NFAttachment?) throws {
        let summary = try NFRunner.run(&nf, options: options(name: name), attachment: attachment)
        let c = summary.counters
        Terminal.log("\(name) #\(summary.instance.rawValue): \(summary.reason); rx \(c.rx), tx \(c.tx), dropped \(c.dropped + c.noRoute + c.ringFull), freed \(summary.freedAtStop) queued at stop")
        if summary.reason == .managerDied { throw ExitCode(1) }
    }
}

/// A `--to` value: `next`, `drop`, `port:N` or `service:N`. A bad one is
/// refused with what is wrong with it (`'service:999': a service is a number
/// from 1 to 63`).
struct DestinationOption: ExpressibleByArgument {
    let action: Action

    init(_ action: Action) { self.action = action }

    init?(argument: String) {
        guard let a = try? Action(parsing: argument) else { return nil }
        action = a
    }

    /// For `@Option(transform:)`: throws the parser's message.
    static func parse(_ text: String) throws -> DestinationOption {
        do { return DestinationOption(try Action(parsing: text)) } catch { throw ValidationError(error.problem) }
    }
}

/// A built-in NF's command: it makes its NF from its options, which runs
/// on a fresh attachment, on one a standby process (`nfv nf standby`) made
/// before it knew what to run, or as a member of a group (`nfv nf group`).
protocol BuiltInNFCommand: ParsableCommand {
    associatedtype NF: NetworkFunction
    /// The name the manager shows.
    static var nfName: String { get }
    var common: NFCommonOptions { get }
    func makeNF() throws -> NF
    // Requirements (with the defaults below) rather than extension methods
    // only: called on `any BuiltInNFCommand` (standby, group), they dispatch
    // through the conformance, where the NF's type is known, so the receive
    // loop is specialised for it.
    func run(attachment: NFAttachment?) throws
    func groupMember() throws -> NFGroupMember
}

extension BuiltInNFCommand {
    func run() throws { try run(attachment: nil) }

    func run(attachment: NFAttachment?) throws {
        var nf = try makeNF()
        try common.run(&nf, name: Self.nfName, attachment: attachment)
    }

    /// This NF as a member of a group.
    func groupMember() throws -> NFGroupMember {
        .make(try makeNF(), options: common.options(name: Self.nfName))
    }
}

struct NFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nf", abstract: "Run a built-in network function.",
        subcommands: [ForwardCommand.self, BridgeCommand.self, MonitorCommand.self, SpeedTesterCommand.self, SteerCommand.self,
                      FirewallCommand.self, RouterCommand.self, ArpResponderCommand.self, DetectorCommand.self, StandbyCommand.self,
                      GroupCommand.self])
}

struct ForwardCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(commandName: "forward", abstract: "Send every packet to one destination.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "next, drop, port:N or service:N.", transform: DestinationOption.parse) var to = DestinationOption(.next)
    @Option(help: "CPU work per packet, in TSC cycles (benchmarks of NFs of different cost).") var cycles = 0

    static let nfName = "forward"

    func makeNF() throws -> Forward {
        Forward(to: to.action, cyclesPerPacket: cycles)
    }
}

struct BridgeCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(commandName: "bridge", abstract: "Send packets out of the other port of their pair (0<->1).")
    @OptionGroup var common: NFCommonOptions

    static let nfName = "bridge"

    func makeNF() throws -> Bridge {
        return Bridge()
    }
}

struct MonitorCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "Show rates and a sample of decoded headers; pass packets on.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "next, drop, port:N or service:N.", transform: DestinationOption.parse) var to = DestinationOption(.next)
    @Option(help: "Show a decoded header every N seconds (0: never).") var sampleEvery = 1

    static let nfName = "monitor"

    func makeNF() throws -> Monitor {
        return Monitor(to: to.action, sampleEvery: sampleEvery)
    }
}

struct SpeedTesterCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed-tester",
        abstract: "Keep packets in flight around a chain and report the rate they come back at.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "Where its packets go: service:N, port:N or next.", transform: DestinationOption.parse) var to: DestinationOption
    @Option(help: "Packets kept in flight.") var packets = 128
    @Option(help: "Packet length in bytes.") var length = 64
    @Flag(help: "Also measure round-trip latency (p50 / p99 / max).") var latency = false
    @Flag(help: "Print each report as one line of JSON.") var json = false
    @Option(help: "CPU work per packet received, in TSC cycles (benchmarks of NFs of different cost).") var cycles = 0

    static let nfName = "speed-tester"

    func makeNF() throws -> SpeedTester {
        let json = self.json
        return SpeedTester(to: to.action, inFlight: packets, packetLength: length, latency: latency, cyclesPerPacket: cycles) { r in
            if json {
                let e = JSONEncoder()
                e.outputFormatting = .sortedKeys
                if let d = try? e.encode(r) { Terminal.out(String(decoding: d, as: UTF8.self)) }
            } else {
                var line = "speed-tester: \(StatsTable.fixed(r.mpps, 3)) Mpps, \(r.inFlight) in flight"
                if let p50 = r.p50Nanoseconds, let p99 = r.p99Nanoseconds, let mx = r.maxNanoseconds {
                    line += ", latency p50 \(Int(p50)) ns, p99 \(Int(p99)) ns, max \(Int(mx)) ns"
                }
                Terminal.out(line)
            }
        }
    }
}

/// Reads a configuration file for an NF, or fails with its name.
func readConfigFile(_ path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw ValidationError("cannot read '\(path)'")
    }
    return text
}

struct SteerCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "steer",
        abstract: "Set chains and rules through the manager's message API; optionally move a rule between targets at a rate.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "Chains to set, as in the manager's chains: '{b1: [3, 1], b2: [4, 1]}'.") var chains: String?
    @Option(help: "A rule to install, as in the manager's rules: '{id: 7, src_port: 1000-2000, to: \"chain:b1\"}' (repeatable).")
    var rule: [String] = []
    @Option(help: "Move the rule with this ID (one of --rule) between --targets.") var flip: UInt32?
    @Option(help: "Targets to move it between: 'chain:b1,chain:b2'.") var targets: String?
    @Option(help: "Moves a second.") var rate = 1000

    static let nfName = "steer"

    func makeNF() throws -> SteeringTool {
        let chainSpecs = try chains.map { try ConfigParser.chains($0) } ?? []
        let rules = try rule.map { try ConfigParser.rule($0) }
        var flipping: SteeringTool.Flip?
        if let id = flip {
            guard let r = rules.first(where: { $0.id == id }) else { throw ValidationError("--flip \(id): no --rule has that id") }
            let list = try (targets ?? "").split(separator: ",").map { t in
                guard let target = SteeringConfigParser.target(String(t)) else {
                    throw ValidationError("--targets: '\(t)' is not chain:NAME, service:N, port:N or drop")
                }
                return target
            }
            guard list.count >= 2 else { throw ValidationError("--targets: give at least two, such as chain:b1,chain:b2") }
            guard (1...100_000).contains(rate) else { throw ValidationError("--rate \(rate): must be 1...100000") }
            flipping = SteeringTool.Flip(rule: r, targets: list, perSecond: rate)
        }
        return SteeringTool(chains: chainSpecs, rules: rules, flip: flipping)
    }
}

struct FirewallCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "firewall", abstract: "Filter IPv4 by a rules file (first match wins); SIGHUP reloads it.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "The rules file (see config/firewall.rules).") var rules: String
    @Option(help: "Where allowed packets go: next, port:N or service:N.", transform: DestinationOption.parse)
    var to = DestinationOption(.next)

    static let nfName = "firewall"

    func makeNF() throws -> Firewall {
        return try Firewall(rulesFile: rules, to: to.action, text: readConfigFile(rules))
    }
}

struct RouterCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "router", abstract: "Route IPv4 by longest prefix match, with ARP and ICMP time exceeded.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "The interfaces and routes file (see config/router.conf).") var routes: String
    @Option(help: "port: a routed packet leaves by its route's port at once; next: it goes on along the chain, leaving by that port after the last step.")
    var to = RouterExit.port

    enum RouterExit: String, ExpressibleByArgument { case port, next }

    static let nfName = "router"

    func makeNF() throws -> Router {
        return Router(config: try RouterConfig.parse(readConfigFile(routes), file: routes), continueChain: to == .next)
    }
}

struct ArpResponderCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "arp-responder", abstract: "Answer ARP requests for the platform's addresses.")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "PORT:ADDRESS to answer for (repeat for more), e.g. 0:10.0.1.1.") var ip: [String]
    @Option(help: "Where other packets go: next, port:N or service:N.", transform: DestinationOption.parse)
    var to = DestinationOption(.next)

    static let nfName = "arp-responder"

    func makeNF() throws -> ArpResponder {
        var addresses: [PortID: [IPv4Address]] = [:]
        for item in ip {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[0]), let a = IPv4Address(parts[1]) else {
                throw ValidationError("--ip '\(item)': expected PORT:ADDRESS, such as 0:10.0.1.1")
            }
            addresses[PortID(port), default: []].append(a)
        }
        return ArpResponder(addresses: addresses, to: to.action)
    }
}

struct DetectorCommand: BuiltInNFCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Count packets per IPv4 source; raise an alarm with the manager when one passes a rate (NetVM's DoS detector).")
    @OptionGroup var common: NFCommonOptions
    @Option(help: "next, drop, port:N or service:N.", transform: DestinationOption.parse) var to = DestinationOption(.next)
    @Option(help: "Packets a second from one source that raise an alarm.") var thresholdPps = 10_000
    @Option(help: "Milliseconds per counting window.") var windowMs = 50

    static let nfName = "detector"

    func makeNF() throws -> VolumeDetector {
        guard thresholdPps >= 1, (1...10_000).contains(windowMs) else {
            throw ValidationError("--threshold-pps must be at least 1 and --window-ms 1...10000")
        }
        return VolumeDetector(to: to.action, thresholdPPS: thresholdPps, window: .milliseconds(windowMs))
    }
}
