import NFVKit
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a fixed number of 64-byte packets in flight around a chain and
/// reports, once a second, the rate at which they come back: the method of
/// OpenNetVM's speed_tester, so the figures compare. In latency mode each
/// packet carries the time it was sent, and the report adds p50, p99 and max
/// of the round trip.
public struct SpeedTester: NetworkFunction {
    /// One report: what the tester prints each second (as JSON with `--json`).
    public struct Report: Sendable, Codable, Equatable {
        public var mpps: Double
        public var packets: UInt64
        public var inFlight: Int
        public var p50Nanoseconds: Double?
        public var p99Nanoseconds: Double?
        public var maxNanoseconds: Double?
    }

    public let destination: Action
    public let inFlight: Int
    public let packetLength: Int
    public let latency: Bool
    /// Work spent on each packet it receives (benchmarks of NFs of different cost).
    public let work: SyntheticWork
    /// Called with each report (the CLI prints it).
    let report: (Report) -> Void
    var received: UInt64 = 0
    var lastReceived: UInt64 = 0
    var lastTime: UInt64 = 0
    var injected = 0
    /// Round-trip samples of the current second, in TSC ticks; at most
    /// `samples.capacity`, so recording never allocates.
    var samples: [UInt64] = []
    var maxTicks: UInt64 = 0
    /// TSC frequency, known once DPDK runs (read in `setup`).
    var tscHz = 1.0

    public init(to destination: Action, inFlight: Int = 128, packetLength: Int = 64, latency: Bool = false,
                cyclesPerPacket: Int = 0, report: @escaping (Report) -> Void) {
        self.destination = destination
        work = SyntheticWork(cycles: cyclesPerPacket)
        self.inFlight = inFlight
        self.packetLength = max(packetLength, TestTraffic.headerLength + 8)
        self.latency = latency
        self.report = report
        if latency { samples.reserveCapacity(1 << 16) }
    }

    public mutating func setup(context: NFContext) throws {
        tscHz = Double(CycleClock.ticksPerSecond)
        let stamp = CycleClock.ticks()
        injected = context.inject(count: inFlight, length: packetLength, action: destination) { p, i in
            TestTraffic.fill(p, flow: UInt16(truncatingIfNeeded: i), sequence: UInt32(i))
            p.store(stamp, bigEndianAt: TestTraffic.payloadOffset + 4)
        }
        guard injected == inFlight else {
            throw NFVError.invalid("the pool had only \(injected) of the \(inFlight) buffers asked for")
        }
        lastTime = context.nanoseconds
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action {
        received &+= 1
        work.spend(packets: 1)
        if latency { stamp(packet) }
        return destination
    }

    public mutating func handle(batch: PacketBatch, actions: ActionBuffer, context: NFContext) {
        received &+= UInt64(batch.count)
        work.spend(packets: batch.count)
        if latency { for p in batch { stamp(p) } }
        for i in 0..<batch.count { actions[i] = destination }
    }

    /// Records the round trip the packet just finished and starts the next.
    mutating func stamp(_ p: Packet) {
        let now = CycleClock.ticks()
        if let sent = p.load(UInt64.self, bigEndianAt: TestTraffic.payloadOffset + 4), now >= sent {
            let d = now - sent
            if samples.count < samples.capacity { samples.append(d) }
            maxTicks = max(maxTicks, d)
        }
        p.store(now, bigEndianAt: TestTraffic.payloadOffset + 4)
    }

    public var tickInterval: Duration? { .seconds(1) }

    public mutating func tick(context: NFContext) {
        let now = context.nanoseconds
        let seconds = Double(now - lastTime) / 1e9
        var r = Report(mpps: Double(received - lastReceived) / seconds / 1e6, packets: received, inFlight: injected)
        if latency, !samples.isEmpty {
            samples.sort()
            let hz = tscHz
            let ns = { (t: UInt64) in Double(t) / hz * 1e9 }
            r.p50Nanoseconds = ns(samples[samples.count / 2])
            r.p99Nanoseconds = ns(samples[min(samples.count - 1, samples.count * 99 / 100)])
            r.maxNanoseconds = ns(maxTicks)
            samples.removeAll(keepingCapacity: true)
            maxTicks = 0
        }
        report(r)
        lastReceived = received
        lastTime = now
    }
}
