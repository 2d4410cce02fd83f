import NFVCore
import NFVKit

/// Counts what passes, prints the rates once a second with a sample of
/// decoded headers, and hands every packet on unchanged.
public struct Monitor: NetworkFunction {
    public let destination: Action
    /// Print one decoded header every this many seconds (0: none).
    public let sampleEvery: Int
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var lastPackets: UInt64 = 0
    var lastBytes: UInt64 = 0
    var lastTime: UInt64 = 0
    var ticks = 0
    var sample: String? = nil
    var wantSample = true

    public init(to destination: Action = .next, sampleEvery: Int = 1) {
        self.destination = destination
        self.sampleEvery = sampleEvery
    }

    public mutating func setup(context: NFContext) throws { lastTime = context.nanoseconds }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        packets &+= 1
        bytes &+= UInt64(packet.length)
        if wantSample {
            sample = HeaderSummary.describe(packet)
            wantSample = false
        }
        return destination
    }

    public var tickInterval: Duration? { .seconds(1) }

    public mutating func tick(context: NFContext) {
        let now = context.nanoseconds
        let seconds = Double(now - lastTime) / 1e9
        let pps = Double(packets - lastPackets) / seconds
        let bps = Double(bytes - lastBytes) * 8 / seconds
        context.log("\(packets) packets, \(StatsTable.fixed(pps / 1e6, 3)) Mpps, \(StatsTable.fixed(bps / 1e9, 3)) Gbit/s")
        ticks += 1
        if sampleEvery > 0, ticks % sampleEvery == 0 {
            if let sample { context.log("sample: \(sample)") }
            sample = nil
            wantSample = true
        }
        (lastPackets, lastBytes, lastTime) = (packets, bytes, now)
    }

    public func finish(context: NFContext) {
        context.log("saw \(packets) packets, \(bytes) bytes")
    }
}
