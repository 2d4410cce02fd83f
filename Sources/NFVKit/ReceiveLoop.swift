import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// The hot loop of an NF: dequeue a burst, let the NF decide, steer the
/// burst on; back off and sleep on the doorbell when there is no work. An
/// empty poll first announces that it reads no version of the steering
/// table, so an idle or sleeping NF never holds one back. It allocates
/// nothing, takes no lock and does not log.
@usableFromInline
struct ReceiveLoop {
    @usableFromInline let rx: DescriptorRing
    @usableFromInline let slot: NFSlot
    @usableFromInline let table: SharedTable
    @usableFromInline let steering: Steering
    @usableFromInline var idle: IdlePolicy
    @usableFromInline let mates: CoreMates
    @usableFromInline var counters = NFCounters()
    @usableFromInline let burst: BurstBuffer
    @usableFromInline let actions: ActionBuffer

    /// A tick interval in nanoseconds.
    @usableFromInline static func nanoseconds(_ d: Duration) -> UInt64 {
        UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000)
    }

    /// Longest sleep: how soon a stop or a dead manager is noticed when idle.
    @usableFromInline static let maxSleepNanoseconds: UInt64 = 100_000_000

    init(rx: DescriptorRing, slot: NFSlot, table: SharedTable, steering: Steering, idle: IdlePolicy, burstSize: Int,
         mates: CoreMates) {
        self.mates = mates
        burst = BurstBuffer(capacity: burstSize)
        actions = ActionBuffer(capacity: burstSize)
        self.rx = rx
        self.slot = slot
        self.table = table
        self.steering = steering
        self.idle = idle
    }

    /// Hands the manager's answers to the NF and counts its reload
    /// commands (`NFContext.reloadRequests`), between bursts.
    @inline(never) @usableFromInline
    func deliverReplies<NF: NetworkFunction>(_ nf: inout NF, _ context: NFContext) {
        while let message = context.messages.receiveMessage() {
            switch message {
            case .reply(let reply): nf.received(reply, context: context)
            case .reload: context.reloadCommands += 1
            }
        }
    }

    /// One burst: hands over the manager's replies, takes what the RX ring
    /// holds (up to a burst), lets the NF decide and steers the burst on.
    /// Returns how many packets it took (0: the ring was empty).
    @inlinable
    mutating func step<NF: NetworkFunction>(_ nf: inout NF, context: NFContext) -> Int {
        if context.messages.hasReply { deliverReplies(&nf, context) }
        let n = rx.take(into: burst, owner: slot.id)
        guard n > 0 else { return 0 }
        actions.reset(count: n)
        nf.handle(batch: PacketBatch(burst, count: n), actions: actions, context: context)
        actions.send(burst, count: n, through: steering)
        counters.rx &+= UInt64(n)
        counters.batches &+= 1
        counters.merge(steering.counters)
        slot.publish(counters)
        return n
    }

    @inlinable
    mutating func run<NF: NetworkFunction>(_ nf: inout NF, context: NFContext, signals: SignalWatcher) -> StopReason {
        let tickNanoseconds = nf.tickInterval.map(Self.nanoseconds)
        var nextTick = tickNanoseconds.map { MonotonicClock.nanoseconds() + $0 } ?? .max
        var lastLivenessCheck = MonotonicClock.nanoseconds()
        while true {
            if step(&nf, context: context) > 0 {
                idle.reset()
                if signals.stopRequested { return .signal }
                if tickNanoseconds == nil && counters.batches & 0xFFFF != 0 { continue }
            } else if steering.quiesce(), idle.backOff(coreMateBusy: mates.anyBusy(on: mates.publishCPU())) == .sleep {
                if signals.stopRequested { return .signal }
                let bell = slot.doorbell
                let armed = bell.arm()
                if rx.count > 0 || context.messages.hasReply {
                    bell.disarm()
                } else {
                    let now = MonotonicClock.nanoseconds()
                    let wait = min(Self.maxSleepNanoseconds, nextTick > now ? nextTick - now : 0)
                    if wait > 0 {
                        counters.sleeps &+= 1
                        slot.publish(counters)
                        bell.wait(armed: armed, timeoutNanoseconds: wait)
                    } else {
                        bell.disarm()
                    }
                }
                idle.reset()
            } else {
                continue
            }
            let now = MonotonicClock.nanoseconds()
            if now >= nextTick, let t = tickNanoseconds {
                nf.tick(context: context)
                nextTick = now + t
            }
            if now - lastLivenessCheck > 100_000_000 {
                lastLivenessCheck = now
                if table.managerState == .stopping { return .managerStopping }
                if kill(table.managerPID, 0) != 0 && errno == ESRCH { return .managerDied }
            }
        }
    }
}
