// An NF outside the built-ins, showing the whole API: drops UDP to port 9,
// counts the rest, reports each second. Run: example-nf SERVICE [MANAGER]
import Foundation
import NFVKit

struct UDPPortFilter: NetworkFunction {
    let blockedPort: UInt16 = 9
    var passed = 0, blocked = 0

    mutating func setup(context: NFContext) throws {
        context.log("instance \(context.instance.rawValue) of \(context.service); chains \(context.chains.compactMap { $0?.name })")
    }

    mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        // 0x0800: IPv4; protocol 17: UDP; a 20-byte header puts the destination port at 36.
        if packet.load(UInt16.self, bigEndianAt: 12) == 0x0800, packet[23] == 17,
           packet.load(UInt16.self, bigEndianAt: 36) == blockedPort {
            blocked += 1
            return .drop
        }
        passed += 1
        return .next
    }

    var tickInterval: Duration? { .seconds(1) }
    mutating func tick(context: NFContext) { context.log("passed \(passed), blocked \(blocked)") }
    mutating func finish(context: NFContext) { context.log("done: passed \(passed), blocked \(blocked)") }
}

let args = CommandLine.arguments
var options = NFOptions(service: ServiceID(UInt16(args.count > 1 ? args[1] : "2") ?? 2), name: "udp-filter")
options.platform = args.count > 2 ? args[2] : "default"
var nf = UDPPortFilter()
do {
    let summary = try NFRunner.run(&nf, options: options)
    print("stopped: \(summary.reason), received \(summary.counters.rx)")
} catch {
    print("example-nf: \(error)")
    exit(1)
}
