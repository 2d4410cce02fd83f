import Foundation
import NFVCore
import NFVShared

/// The manager's one packet thread: polls the ports (RX into the chain),
/// drains NF TX rings out of the ports, and reclaims the buffers of dead
/// NFs. When there is nothing to do it backs off to sleep on its doorbell:
/// NFs ring it when they fill a TX ring, and with ports it wakes on a timer
/// that doubles from 1 us up to the configured maximum, to poll them again.
/// While it has work it publishes its CPU, so that NFs sharing that CPU yield
/// to it when their TX rings hold packets (see `CoreMates`).
final class Dataplane: @unchecked Sendable {
    let table: SharedTable
    let io: PortIO
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let reclaimer: Reclaimer
    let control: DataplaneControl
    let maxSleepNanoseconds: UInt64
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    init(table: SharedTable, io: PortIO, rxRings: [DescriptorRing], txRings: [DescriptorRing], pool: PacketPool,
         control: DataplaneControl, maxSleepMicroseconds: Int) {
        self.table = table
        self.io = io
        self.rxRings = rxRings
        self.txRings = txRings
        self.reclaimer = Reclaimer(pool: pool, rxRings: rxRings, txRings: txRings)
        self.control = control
        self.maxSleepNanoseconds = UInt64(maxSleepMicroseconds) * 1000
    }

    func start() {
        let t = Thread { [self] in
            run()
            finished.signal()
        }
        t.name = "dataplane"
        t.start()
        thread = t
    }

    /// Stops the thread and waits for it to finish its burst.
    func stopAndWait() {
        control.stop.store(true, ordering: .releasing)
        table.dataplaneDoorbell.ring()
        if thread != nil { finished.wait() }
        thread = nil
    }

    private func run() {
        let steering = Steering(table: table, rxRings: rxRings, txRing: nil, mark: table.dataplaneMark)
        let burst = BurstBuffer()
        let hasChain = !table.chain.isEmpty
        var idle = IdlePolicy(spins: 512, yieldEvery: 64)
        var sleep: UInt64 = 1000
        let bell = table.dataplaneDoorbell
        let portCount = io.ports.count
        while !control.stop.load(ordering: .acquiring) {
            var work = 0
            if portCount > 0, control.rxEnabled.load(ordering: .relaxed) {
                for p in 0..<portCount {
                    work += io.receive(port: p, burst: burst, steering: steering, hasChain: hasChain)
                }
            }
            var mask = table.activeMask
            while mask != 0 {
                let i = mask.trailingZeroBitCount
                mask &= mask - 1
                work += io.transmit(from: txRings[i], burst: burst)
            }
            if control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed) != 0
                || reclaimer.batch != 0 {
                reclaimPending()
            }
            if work > 0 {
                idle.reset()
                sleep = 1000
                CoreMates.publishDataplaneCPU(table)
                continue
            }
            // While a reclaim waits for consumers, keep polling (no long sleep).
            guard idle.backOff() == .sleep, reclaimer.batch == 0 else { continue }
            let armed = bell.arm()
            if anyTXWaiting() {
                bell.disarm()
            } else {
                // Without ports only a doorbell brings work; the timeout only
                // bounds how late a stop is seen.
                bell.wait(armed: armed, timeoutNanoseconds: portCount > 0 ? sleep : 100_000_000)
                sleep = min(sleep * 2, maxSleepNanoseconds)
            }
            idle.reset()
        }
    }

    private func anyTXWaiting() -> Bool {
        var mask = table.activeMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            if txRings[i].count > 0 { return true }
        }
        return false
    }

    /// Moves the reclaim of dead instances on: adds newly requested ones to
    /// the batch, and when the batch is done, records what each got back.
    private func reclaimPending() {
        let requested = control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed)
        if requested & ~reclaimer.batch != 0 {
            reclaimer.add(requested, live: table.activeMask & ~requested, io: io)
        }
        guard let done = reclaimer.finish(), !done.isEmpty else { return }
        for (id, freed) in done {
            let slot = table.slot(id)
            slot.reclaimed = slot.reclaimed + UInt64(freed)
            // Release: the control thread reads `reclaimed` after seeing the bit.
            control.reclaimDone.bitwiseOr(1 << UInt64(id.rawValue - 1), ordering: .releasing)
        }
        table.controlDoorbell.ring()
    }

    /// At shutdown, once the thread has stopped: frees what rings and dead
    /// hands still hold. Returns how many.
    func reclaimAll() -> Int { reclaimer.reclaimAll(io: io) }
}
