import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// The hot loop of an NF group: a pass gives each member one burst (if its
/// ring holds any), in a fixed order, so a chain of members moves a burst
/// along within a pass and every member gets its turn (round robin by
/// bursts). A member that finds its ring empty announces that it reads no
/// version of the steering table. When a whole pass finds nothing, the group
/// backs off as one NF would (`IdlePolicy`, yielding to NFs of other
/// processes on its CPU that have work), and at last sleeps on all its
/// members' doorbells at once (`DoorbellSet`). It allocates nothing, takes
/// no lock and does not log.
struct GroupLoop {
    let members: [GroupRunningMember]
    let table: SharedTable
    let signals: SignalWatcher
    var idle: IdlePolicy
    let mates: CoreMates
    let bells: DoorbellSet

    init(members: [GroupRunningMember], table: SharedTable, signals: SignalWatcher, idle: IdlePolicy, mates: CoreMates) {
        self.members = members
        self.table = table
        self.signals = signals
        self.idle = idle
        self.mates = mates
        bells = DoorbellSet(members.map(\.instance.slot.doorbell))
    }

    mutating func run() -> StopReason {
        let ticking = members.contains { $0.tickNanoseconds != nil }
        var lastLivenessCheck = MonotonicClock.nanoseconds()
        var busyPasses: UInt32 = 0
        while true {
            var work = 0
            for m in members {
                let n = m.poll()
                if n == 0 { m.instance.steering.quiesce() }
                work &+= n
            }
            if work > 0 {
                idle.reset()
                if signals.stopRequested { return .signal }
                busyPasses &+= 1
                if !ticking && busyPasses & 0xFFFF != 0 { continue }
            } else if idle.backOff(coreMateBusy: mates.anyBusy(on: mates.publishCPU())) == .sleep {
                if signals.stopRequested { return .signal }
                sleep()
                idle.reset()
            } else {
                continue
            }
            let now = MonotonicClock.nanoseconds()
            for m in members where now >= m.nextTick {
                guard let t = m.tickNanoseconds else { continue }
                m.tick()
                m.nextTick = now + t
            }
            if now - lastLivenessCheck > 100_000_000 {
                lastLivenessCheck = now
                if table.managerState == .stopping { return .managerStopping }
                if kill(table.managerPID, 0) != 0 && errno == ESRCH { return .managerDied }
            }
        }
    }

    /// Arms every member's doorbell, looks once more for work, and sleeps
    /// until a bell rings, the next tick is due or the longest sleep passed.
    private func sleep() {
        bells.arm()
        if members.contains(where: \.hasWork) {
            bells.disarm()
            return
        }
        let now = MonotonicClock.nanoseconds()
        let nextTick = members.reduce(UInt64.max) { min($0, $1.nextTick) }
        let wait = min(ReceiveLoop.maxSleepNanoseconds, nextTick > now ? nextTick - now : 0)
        guard wait > 0 else {
            bells.disarm()
            return
        }
        for m in members {
            m.instance.loop.counters.sleeps &+= 1
            m.instance.slot.publish(m.instance.loop.counters)
        }
        bells.wait(timeoutNanoseconds: wait)
    }
}
