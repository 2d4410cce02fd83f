import Foundation
import NFVCore
import NFVRouting
import NFVShared

/// The control side of NF lifecycles, run by the manager's control thread:
/// answers registrations, takes stopping and dead NFs out of the service
/// table, and, after a grace period in which no NF can still be routing to
/// them, has the dataplane reclaim their buffers and frees their slots.
final class Registry {
    /// How long an instance stays out of the service table before its buffers
    /// are reclaimed: longer than any NF holds one burst of routing decisions.
    static let graceNanoseconds: UInt64 = 50_000_000

    let table: SharedTable
    let control: DataplaneControl
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let waitForChain: Bool
    /// The services of every chain (for `waitForChain`).
    let chainServices: () -> Set<ServiceID>
    /// Runs when an instance is admitted to slot `i`, before it is running.
    var onAdmit: (Int, ServiceID) -> Void = { _, _ in }
    let stats: StatsCollector
    let events: any EventSink
    let log: (String) -> Void
    private var watches = [ProcessWatch?](repeating: nil, count: Limits.maxNFs)
    /// When each slot left the service table (0: it has not).
    private var removedAt = [UInt64](repeating: 0, count: Limits.maxNFs)
    private var died = [Bool](repeating: false, count: Limits.maxNFs)
    /// Buffers reclaimed from NFs that died, since start.
    private(set) var reclaimedTotal: UInt64 = 0
    /// Buffers stamped by instances that exited cleanly found in no ring
    /// (each a fault of the ownership protocol), since start.
    private(set) var straysAfterExit: UInt64 = 0

    init(table: SharedTable, control: DataplaneControl, rxRings: [DescriptorRing], txRings: [DescriptorRing],
         waitForChain: Bool, chainServices: @escaping () -> Set<ServiceID>, stats: StatsCollector,
         events: any EventSink, log: @escaping (String) -> Void) {
        self.events = events
        self.chainServices = chainServices
        self.stats = stats
        self.rxRings = rxRings
        self.txRings = txRings
        self.table = table
        self.control = control
        self.waitForChain = waitForChain
        self.log = log
        updateRX()
    }

    /// Whether any slot is in use.
    var anyInUse: Bool { table.allSlots.contains { $0.state != .free } }

    /// Whether a grace period is under way, or a repair waits for a live
    /// producer (poll again soon). A reclaim the dataplane is working on is
    /// not: the dataplane rings the control thread when it is done.
    var busy: Bool {
        let requested = control.reclaimRequested.load(ordering: .relaxed)
        return removedAt.indices.contains { removedAt[$0] != 0 && requested & (1 << UInt64($0)) == 0 }
    }

    /// One pass over all slots.
    func poll(now: UInt64, stopping: Bool) {
        for i in 0..<Limits.maxNFs { step(i, now: now, stopping: stopping) }
    }

    private func step(_ i: Int, now: UInt64, stopping: Bool) {
        let slot = table.slot(InstanceID(UInt16(i + 1)))
        let done = control.reclaimDone.load(ordering: .acquiring) & (1 << UInt64(i)) != 0
        if done { finish(i, slot); return }
        if control.reclaimRequested.load(ordering: .relaxed) & (1 << UInt64(i)) != 0 { return }
        let state = slot.state
        switch state {
        case .free:
            return
        case .refused:
            // The NF frees a refused slot itself, unless it died first.
            if !ProcessWatch.isAlive(slot.pid) { slot.pid = 0; slot.setState(.free) }
            return
        case .claimed:
            // The claimer writes its PID right after claiming; 0 until then.
            if slot.pid != 0 && !ProcessWatch.isAlive(slot.pid) { slot.pid = 0; slot.setState(.free) }
            return
        case .requested:
            admit(i, slot, stopping: stopping)
            return
        default:
            break
        }
        // An NF that said goodbye (exited) is not dead, even once its process is gone.
        if !died[i] && state != .exited && isDead(i, slot) {
            died[i] = true
            // Its process is gone: it reads no steering version any more.
            table.steering.clearReader(i + 1)
            log("NF '\(slot.name)' (pid \(slot.pid), instance \(i + 1), service \(slot.service.rawValue)) died; reclaiming its buffers")
            events.publish(.nfDied, instance: i + 1, service: Int(slot.service.rawValue),
                           message: "\(slot.name) (pid \(slot.pid)) died; its buffers are reclaimed")
            leaveService(i, slot, now: now)
        }
        if died[i] {
            if now >= removedAt[i] + Self.graceNanoseconds, control.reclaimRequested.load(ordering: .relaxed) & (1 << UInt64(i)) == 0,
               repairRings(deadSlot: i) {
                requestReclaim(i)
                log("instance \(i + 1): its rings are consistent; reclaim requested")
            }
            return
        }
        switch state {
        case .stopping:
            leaveService(i, slot, now: now)
            if now >= removedAt[i] + Self.graceNanoseconds { slot.setState(.removed) }
        case .exited:
            leaveService(i, slot, now: now)
            requestReclaim(i)
        default:
            break
        }
    }

    private func admit(_ i: Int, _ slot: NFSlot, stopping: Bool) {
        let id = InstanceID(UInt16(i + 1))
        let service = slot.service
        let refusal: Refusal? = stopping ? .managerStopping
            : !service.isValid ? .badService
            : table.instances(of: service).count >= Limits.maxInstancesPerService ? .serviceFull
            : nil
        if let refusal {
            slot.refusal = refusal
            slot.setState(.refused)
            log("refused NF '\(slot.name)' (pid \(slot.pid)) for service \(service.rawValue): \(refusal)")
            return
        }
        guard let watch = ProcessWatch(pid: slot.pid) else { slot.pid = 0; slot.setState(.free); return }
        watches[i] = watch
        died[i] = false
        removedAt[i] = 0
        slot.resetCounters()
        slot.mark.clear()
        table.steering.clearReader(i + 1)
        onAdmit(i, service)
        slot.generation = slot.generation &+ 1
        table.activate(id)
        setMembers(table.instances(of: service) + [id], of: service)
        slot.setState(.running)
        updateRX()
        log("NF '\(slot.name)' (pid \(slot.pid)) registered: instance \(id.rawValue) of service \(service.rawValue)")
        events.publish(.nfRegistered, instance: i + 1, service: Int(service.rawValue),
                       message: "\(slot.name) (pid \(slot.pid)) registered")
    }

    /// Sets a service's instances and its consistent-hashing table.
    private func setMembers(_ list: [InstanceID], of service: ServiceID) {
        table.setInstances(list, of: service)
        table.publishLookup(Maglev.table(for: list.map(\.rawValue)), of: service)
    }

    private func leaveService(_ i: Int, _ slot: NFSlot, now: UInt64) {
        guard removedAt[i] == 0 else { return }
        removedAt[i] = now
        let id = InstanceID(UInt16(i + 1))
        setMembers(table.instances(of: slot.service).filter { $0 != id }, of: slot.service)
        updateRX()
    }

    /// Finishes the enqueues a dead producer left half done: in its own TX
    /// ring (it was the only producer there), and in the RX ring its mark
    /// names, when the reservation standing there starts at its mark and no
    /// live producer (another NF, or the dataplane thread) marks the same
    /// position. Every reservation's holder marked its start before taking
    /// it (`nfv_ring_enqueue_marked`), so such a reservation is a dead
    /// producer's; a live producer is never voided, however long it was
    /// preempted. The voided entries' buffers still carry the dead
    /// instance's stamp, so its reclaim frees them. Returns `false` while a
    /// live producer marks the same position (it is about to find out whose
    /// the reservation is): poll again.
    private func repairRings(deadSlot i: Int) -> Bool {
        let slot = table.slot(InstanceID(UInt16(i + 1)))
        let tx = txRings[i].producerGap
        if tx.lag > 0 {
            let voided = txRings[i].repairProducer(head: tx.head)
            if voided > 0 { log("repaired instance \(i + 1)'s TX ring, left mid-enqueue: \(voided) entries voided") }
        }
        guard let mark = slot.mark.current, mark.ring < rxRings.count else { return true }
        // The word first (acquire), then the marks: a live holder's mark is
        // visible once its reservation is (its CAS releases the mark).
        let ring = rxRings[mark.ring]
        let gap = ring.producerGap
        if gap.lag > 0 && gap.head &- gap.lag == mark.head {
            let liveMarks = [table.dataplaneMark.current] + (0..<Limits.maxNFs).filter { $0 != i && !died[$0] }.map {
                table.slot(InstanceID(UInt16($0 + 1))).mark.current
            }
            if liveMarks.contains(where: { $0?.ring == mark.ring && $0?.head == mark.head }) { return false }
            let voided = ring.repairProducer(head: gap.head)
            if voided > 0 { log("repaired RX ring \(mark.ring + 1), left mid-enqueue by instance \(i + 1): \(voided) entries voided") }
        }
        slot.mark.clear()
        return true
    }

    private func requestReclaim(_ i: Int) {
        control.reclaimRequested.bitwiseOr(1 << UInt64(i), ordering: .releasing)
        table.dataplaneDoorbell.ring()
    }

    private func finish(_ i: Int, _ slot: NFSlot) {
        let bit: UInt64 = 1 << UInt64(i)
        table.deactivate(InstanceID(UInt16(i + 1)))
        control.reclaimRequested.bitwiseAnd(~bit, ordering: .relaxed)
        control.reclaimDone.bitwiseAnd(~bit, ordering: .relaxed)
        stats.recordDeparture(slot, died: died[i])
        if died[i] {
            reclaimedTotal += slot.reclaimed
            log("instance \(i + 1) ('\(slot.name)'): \(slot.reclaimed) buffers returned to the pool")
        } else {
            log("NF '\(slot.name)' (pid \(slot.pid)) stopped: instance \(i + 1) of service \(slot.service.rawValue)")
            events.publish(.nfStopped, instance: i + 1, service: Int(slot.service.rawValue),
                           message: "\(slot.name) (pid \(slot.pid)) stopped")
            if slot.strays > 0 {
                straysAfterExit += slot.strays
                log("protocol fault: \(slot.strays) buffers stamped by instance \(i + 1), which exited cleanly, were in no ring")
            }
        }
        watches[i] = nil
        removedAt[i] = 0
        died[i] = false
        table.steering.clearReader(i + 1)
        // A claimer of the free slot writes its own PID; none must see this one.
        slot.pid = 0
        slot.setState(.free)
    }

    private func isDead(_ i: Int, _ slot: NFSlot) -> Bool {
        watches[i]?.hasExited ?? !ProcessWatch.isAlive(slot.pid)
    }

    /// Ports receive only while every service of every chain has an
    /// instance, when the configuration asks for that.
    func updateRX() {
        let ready = !waitForChain || chainServices().allSatisfy { !table.instances(of: $0).isEmpty }
        control.rxEnabled.store(ready, ordering: .relaxed)
    }

    /// PIDs of the NFs in use (to signal at shutdown).
    var pids: [Int32] { table.allSlots.filter { $0.state != .free && $0.pid > 0 }.map(\.pid) }
}
