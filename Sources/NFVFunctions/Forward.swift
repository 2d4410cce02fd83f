import NFVCore
import NFVKit

/// Sends every packet to one destination: a service, a port, or the next
/// step of the chain (OpenNetVM's simple_forward), optionally after a
/// fixed amount of work per packet (`SyntheticWork`, for benchmarks).
public struct Forward: NetworkFunction {
    public let destination: Action
    public let work: SyntheticWork

    public init(to destination: Action = .next, cyclesPerPacket: Int = 0) {
        self.destination = destination
        work = SyntheticWork(cycles: cyclesPerPacket)
    }

    @inlinable
    public func handle(_ packet: Packet, context: NFContext) -> Action {
        work.spend(packets: 1)
        return destination
    }

    @inlinable
    public func handle(batch: PacketBatch, actions: ActionBuffer, context: NFContext) {
        work.spend(packets: batch.count)
        for i in 0..<batch.count { actions[i] = destination }
    }
}
