// An NF outside the built-ins, showing the whole API. It drops UDP to port 9;
// it steers by payload: the first packet of a UDP flow whose payload starts
// with "INSPECT" goes to the chain named `inspect`, and the NF asks the
// manager for a flow rule that sends the rest of that flow there straight
// from the port (state- and data-dependent steering); everything else goes
// on along its chain. Its service needs `install_rules` in the manager's
// `permissions`; the manager's answers arrive in `received`.
// Run: example-nf SERVICE [MANAGER], or launch it through the API as kind program.
import Foundation
import NFVKit

struct PayloadSteering: NetworkFunction {
    let blockedPort: UInt16 = 9
    var passed = 0, blocked = 0, steered = 0, installed = 0, refused = 0
    /// Flows it asked a rule for (so that it asks once).
    var asked: Set<FiveTuple> = []
    var inspect: ChainID?

    mutating func setup(context: NFContext) throws {
        inspect = context.chain(named: "inspect")
        context.log("instance \(context.instance.rawValue) of \(context.service); chains \(context.chains.compactMap { $0?.name })")
    }

    mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        guard let layout = Layout.parse(packet), let flow = FiveTuple(packet, layout), layout.transport == .udp else {
            passed += 1
            return .next
        }
        if flow.destinationPort == blockedPort {
            blocked += 1
            return .drop
        }
        // 8 bytes of UDP header, then the payload.
        if let inspect, let l4 = layout.l4, packet.load(UInt64.self, bigEndianAt: l4 + 8).map({ $0 >> 8 }) == 0x494E_5350_4543_54 {
            if asked.insert(flow).inserted {
                let match = FlowMatch(proto: 17, source: .ipv4(IPv4Prefix(flow.source, length: 32)),
                                      destination: .ipv4(IPv4Prefix(flow.destination, length: 32)),
                                      sourcePorts: flow.sourcePort...flow.sourcePort,
                                      destinationPorts: flow.destinationPort...flow.destinationPort)
                _ = context.request(.addRule(FlowRule(id: 0, priority: -10, match: match, target: .chain("inspect"))))
            }
            steered += 1
            return .toChain(inspect)
        }
        passed += 1
        return .next
    }

    mutating func received(_ reply: ManagerReply, context: NFContext) {
        switch reply {
        case .done(_, let id, let version):
            installed += 1
            context.log("rule \(id) installed (steering version \(version))")
        case .refused(_, let reason):
            refused += 1
            context.log("rule refused: \(reason)")
        }
    }

    var tickInterval: Duration? { .seconds(1) }
    mutating func tick(context: NFContext) { context.log("passed \(passed), blocked \(blocked), steered \(steered)") }
    mutating func finish(context: NFContext) {
        context.log("done: passed \(passed), blocked \(blocked), steered \(steered), rules installed \(installed), refused \(refused)")
    }
}

// `example-nf SERVICE [MANAGER]`, or the options the manager passes an NF it
// launches (`kind: program`): --service N --manager NAME --instance-id I [--cpu C].
let args = Array(CommandLine.arguments.dropFirst())
func flag(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
let positional = args.first.map { !$0.hasPrefix("--") } ?? false
var options = NFOptions(service: ServiceID(UInt16((positional ? args.first : flag("--service")) ?? "2") ?? 2), name: "payload-steering")
options.platform = (positional ? (args.count > 1 ? args[1] : nil) : flag("--manager")) ?? "default"
options.instance = flag("--instance-id").flatMap { UInt16($0) }.map { InstanceID($0) }
options.cpu = flag("--cpu").flatMap(Int.init)
var nf = PayloadSteering()
do {
    let summary = try NFRunner.run(&nf, options: options)
    print("stopped: \(summary.reason), received \(summary.counters.rx)")
} catch {
    print("example-nf: \(error)")
    exit(1)
}
