import NFVCore
import NFVKit

/// Sends every packet to one destination: a service, a port, or the next
/// step of the chain (OpenNetVM's simple_forward).
public struct Forward: NetworkFunction {
    public let destination: Action

    public init(to destination: Action = .next) { self.destination = destination }

    @inlinable
    public func handle(_ packet: Packet, context: NFContext) -> Action { destination }

    @inlinable
    public func handle(batch: PacketBatch, actions: ActionBuffer, context: NFContext) {
        for i in 0..<batch.count { actions[i] = destination }
    }
}
