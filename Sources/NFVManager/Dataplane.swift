import Foundation
import NFVCore
import NFVShared

/// The manager's one packet thread: polls the ports (RX into the chain),
/// drains NF TX rings out of the ports, and reclaims the buffers of dead
/// NFs. When there is nothing to do it backs off to sleep on its doorbell:
/// NFs ring it when they fill a TX ring, and with ports it wakes on a timer
/// that doubles from 1 us up to the configured maximum, to poll them again.
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
        self.reclaimer = Reclaimer(pool: pool)
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
        let steering = Steering(table: table, rxRings: rxRings, txRing: nil, sender: nil)
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
            if control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed) != 0 {
                reclaimPending(burst: burst)
                continue
            }
            if work > 0 {
                idle.reset()
                sleep = 1000
                continue
            }
            guard idle.backOff() == .sleep else { continue }
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

    private func reclaimPending(burst: BurstBuffer) {
        var pending = control.reclaimRequested.load(ordering: .acquiring) & ~control.reclaimDone.load(ordering: .relaxed)
        while pending != 0 {
            let i = pending.trailingZeroBitCount
            pending &= pending - 1
            let id = InstanceID(UInt16(i + 1))
            let freed = reclaimer.reclaim(id, rx: rxRings[i], tx: txRings[i], io: io, burst: burst)
            let slot = table.slot(id)
            slot.reclaimed = slot.reclaimed + UInt64(freed)
            // Release: the control thread reads `reclaimed` after seeing the bit.
            control.reclaimDone.bitwiseOr(1 << UInt64(i), ordering: .releasing)
        }
        table.controlDoorbell.ring()
    }
}
