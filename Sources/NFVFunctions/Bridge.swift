import NFVCore
import NFVKit

/// Sends each packet out of the other port of its pair: 0 <-> 1, 2 <-> 3 ...
/// (a port without a partner drops what it receives, counted).
public struct Bridge: NetworkFunction {
    public init() {}

    @inlinable
    public func handle(_ packet: Packet, context: NFContext) -> Action {
        let out = Int(packet.inputPort.rawValue ^ 1)
        return out < context.portCount ? .toPort(PortID(UInt16(out))) : .drop
    }
}
