import Foundation
import NFVCore
import NFVRouting
import NFVShared

/// The manager's one packet thread: polls the ports (RX into the chains
/// the flow table picks, `Ingress`, held back at a congested chain's entry:
/// a pass that only dropped such packets counts as idle),
/// drains NF TX rings out of the ports (freeing and counting what NFs
/// dropped), stocks NFs' buffer supplies, and reclaims the buffers of dead
/// NFs. When there is nothing to do it backs off to sleep on its doorbell:
/// NFs ring it when they fill a TX ring or ask for buffers, and with ports
/// it wakes on a timer that doubles from 1 us up to the configured maximum,
/// to poll them again. A reclaim that waits for a consumer to move on (which
/// may be stopped) does not keep it awake: it looks again on a timer that
/// doubles from 50 us up to 10 ms.
/// While it has work it publishes its CPU, so that NFs sharing that CPU yield
/// to it when their TX rings hold packets, and every 8 passes it yields to
/// an NF on its CPU whose RX ring holds an eighth of the ring or more
/// (see `CoreMates`).
final class Dataplane: @unchecked Sendable {
    let table: SharedTable
    let io: PortIO
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let supplies: [BufferSupply]
    let pool: PacketPool
    let reclaimer: Reclaimer
    let control: DataplaneControl
    /// Each steering version's compiled flow table (set by the control thread).
    let flowTables: VersionLocal<FlowTable>
    let flowCounts: FlowCounts
    let maxSleepNanoseconds: UInt64
    /// Backpressure at chain entry (`nil`: off).
    let watermarks: ManagerConfig.Watermarks?
    /// The CPU the thread is pinned to (`nil`: the scheduler places it).
    let cpu: Int?
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    /// Longest wait between two looks at a reclaim batch that waits.
    static let maxReclaimSleepNanoseconds: UInt64 = 10_000_000

    init(table: SharedTable, io: PortIO, rxRings: [DescriptorRing], txRings: [DescriptorRing], supplies: [BufferSupply],
         pool: PacketPool, control: DataplaneControl, flowTables: VersionLocal<FlowTable>, flowCounts: FlowCounts,
         maxSleepMicroseconds: Int, watermarks: ManagerConfig.Watermarks?, cpu: Int? = nil) {
        self.watermarks = watermarks
        self.cpu = cpu
        self.flowTables = flowTables
        self.flowCounts = flowCounts
        self.table = table
        self.io = io
        self.rxRings = rxRings
        self.txRings = txRings
        self.supplies = supplies
        self.pool = pool
        self.reclaimer = Reclaimer(pool: pool, table: table, rxRings: rxRings, txRings: txRings, supplies: supplies)
        self.control = control
        self.maxSleepNanoseconds = UInt64(maxSleepMicroseconds) * 1000
    }

    /// Starts the loop on `env`'s worker lcore (its own cache of the pool),
    /// or, failing that, on a thread of its own (no cache; `log` says why);
    /// pinned to `cpu` if one was given (`log` says why not, if it cannot be).
    func start(env: Environment, log: @escaping @Sendable (String) -> Void) {
        started = true
        let pin: @Sendable () -> Void = { [cpu] in
            guard let cpu else { return }
            do { try env.pin(toCPU: cpu) } catch { log("dataplane thread: \(error); the scheduler places it") }
        }
        do {
            try env.launchOnWorker { [self] in
                Thread.current.name = "dataplane"
                pin()
                run()
                pool.flushCache()
                finished.signal()
            }
        } catch {
            log("\(error); the dataplane runs on a thread of its own, without a cache of the pool")
            let t = Thread { [self] in
                pin()
                run()
                finished.signal()
            }
            t.name = "dataplane"
            t.start()
        }
    }

    /// Stops the thread and waits for it to finish its burst.
    func stopAndWait() {
        control.stop.store(true, ordering: .releasing)
        table.dataplaneDoorbell.ring()
        if started { finished.wait() }
        started = false
    }

    private func run() {
        let steering = Steering(table: table, rxRings: rxRings, txRing: nil, mark: table.dataplaneMark,
                                reader: SteeringTable.dataplaneReader)
        var ingress = Ingress(tables: flowTables, counts: flowCounts,
                              throttle: EntryThrottle(table: table, rings: rxRings, ringSize: table.ringSize, watermarks: watermarks))
        defer { ingress.release() }
        let burst = BurstBuffer()
        var idle = IdlePolicy(spins: 512, yieldEvery: 64)
        var sleep: UInt64 = 1000
        var reclaimSleep: UInt64 = 50_000
        let bell = table.dataplaneDoorbell
        let portCount = io.ports.count
        let mates = CoreMates(table: table, rxRings: rxRings, txRings: txRings, own: [])
        // A backlog worth handing the CPU over for: a switch costs a few
        // microseconds, a few bursts' worth of the NF's work.
        let backlog = max(4 * BurstBuffer.defaultCapacity, table.ringSize / 8)
        var passes: UInt32 = 0
        while !control.stop.load(ordering: .acquiring) {
            var work = 0
            if portCount > 0, control.rxEnabled.load(ordering: .relaxed) {
                for p in 0..<portCount {
                    work += io.receive(port: p, burst: burst, steering: steering, ingress: &ingress)
                }
            }
            var mask = table.activeMask
            while mask != 0 {
                let i = mask.trailingZeroBitCount
                mask &= mask - 1
                let fates = table.fates(of: table.slot(InstanceID(UInt16(i + 1))).service)
                work += io.transmit(from: txRings[i], burst: burst, fates: fates)
                if supplies[i].wanted { work += supplies[i].topUp(from: pool, burst: burst, fates: fates) }
            }
            if control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed) != 0
                || reclaimer.batch != 0 {
                if reclaimPending() { work += 1; reclaimSleep = 50_000 }
            }
            if work > 0 {
                idle.reset()
                sleep = 1000
                passes &+= 1
                if passes & 7 == 0 {
                    let cpu = CoreMates.publishDataplaneCPU(table)
                    if mates.anyBacklogged(on: cpu, atLeast: backlog) { sched_yield() }
                }
                continue
            }
            // No burst in hand: hold no version of the steering table.
            steering.quiesce()
            guard idle.backOff() == .sleep else { continue }
            let armed = bell.arm()
            if anyTXWaiting() {
                bell.disarm()
            } else {
                // Without ports only a doorbell brings work, or a waiting
                // reclaim's consumers moving on (they ring nobody); otherwise
                // the timeout only bounds how late a stop is seen.
                var timeout: UInt64 = portCount > 0 ? sleep : 100_000_000
                if reclaimer.batch != 0 {
                    timeout = min(timeout, reclaimSleep)
                    reclaimSleep = min(reclaimSleep * 2, Self.maxReclaimSleepNanoseconds)
                }
                control.sleeps.add(1, ordering: .relaxed)
                bell.wait(armed: armed, timeoutNanoseconds: timeout)
                sleep = min(sleep * 2, maxSleepNanoseconds)
            }
            // No reset here: a wake-up that finds no work goes back to sleep
            // at once (no spinning between timer wake-ups); work resets it.
        }
    }

    private func anyTXWaiting() -> Bool {
        var mask = table.activeMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            if txRings[i].count > 0 || supplies[i].wanted { return true }
        }
        return false
    }

    /// Moves the reclaim of dead instances on: adds newly requested ones to
    /// the batch, and when the batch is done, records what each got back.
    /// Returns whether anything moved (a batch grew or finished).
    private func reclaimPending() -> Bool {
        let requested = control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed)
        var moved = false
        if requested & ~reclaimer.batch != 0 {
            reclaimer.add(requested, live: table.activeMask & ~requested, io: io)
            moved = true
        }
        guard let done = reclaimer.finish(), !done.isEmpty else { return moved }
        for (id, freed) in done {
            let slot = table.slot(id)
            slot.reclaimed = slot.reclaimed + UInt64(freed.total)
            slot.strays = slot.strays + UInt64(freed.strays)
            // Release: the control thread reads `reclaimed` after seeing the bit.
            control.reclaimDone.bitwiseOr(1 << UInt64(id.rawValue - 1), ordering: .releasing)
        }
        table.controlDoorbell.ring()
        return true
    }

    /// At shutdown, once the thread has stopped: frees what rings and dead
    /// hands still hold. Returns how many.
    func reclaimAll() -> Int { reclaimer.reclaimAll(io: io) }
}
