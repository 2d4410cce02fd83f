import CDPDK
import Foundation
import NFVCore
import NFVRouting
@testable import NFVShared
import XCTest

/// The shared-memory layer on a real DPDK primary in this process: the pool,
/// rings, steering, ownership and reclaim, doorbells, packet views.
final class SharedMemoryTests: XCTestCase {
    /// One EAL per process: started once for the whole class, ended in `tearDown`.
    final class Fixture: @unchecked Sendable {
        let env: Environment
        let pool: PacketPool
        let table: SharedTable
        let rx: [DescriptorRing]
        let tx: [DescriptorRing]
        let supplies: [BufferSupply]

        init() throws {
            var stale = 0
            env = try Environment(role: .primary, names: SharedNames(platform: "unit-\(getpid())"), removedStaleFiles: &stale)
            pool = try PacketPool.create(buffers: 2047)
            rx = try (0..<Limits.maxNFs).map { try DescriptorRing.create(name: SharedNames.rxRing(slot: $0), size: 64, multiProducer: true) }
            tx = try (0..<Limits.maxNFs).map { try DescriptorRing.create(name: SharedNames.txRing(slot: $0), size: 64, multiProducer: false) }
            let supplyRings = try (0..<Limits.maxNFs).map {
                try DescriptorRing.create(name: SharedNames.supplyRing(slot: $0), size: BufferSupply.ringSize, multiProducer: false)
            }
            var config = ManagerConfig()
            config.chain = [ServiceID(1), ServiceID(2)]
            config.balance = [ServiceID(5): .queue]
            let table = try SharedTable.create(config: config, ringSize: 64, poolSize: 2047)
            _ = table.steering.publish(try config.steering(), version: 1)
            table.setManagerState(.running)
            self.table = table
            supplies = supplyRings.enumerated().map { BufferSupply(ring: $1, slot: table.slot(InstanceID(UInt16($0 + 1)))) }
        }
    }

    nonisolated(unsafe) static var fixture: Fixture?

    var f: Fixture {
        if Self.fixture == nil { Self.fixture = try! Fixture() }
        return Self.fixture!
    }

    override class func tearDown() {
        fixture?.env.shutdown()
        fixture = nil
    }

    override func tearDown() {
        // Every test leaves the pool full and the rings empty.
        let burst = BurstBuffer()
        for r in f.rx + f.tx + f.supplies.map(\.ring) { while r.take(into: burst, owner: InstanceID(0)) > 0 {} }
        _ = f.pool.reclaim(ownedBy: nil)
        for s in 1..<8 { f.table.setInstances([], of: ServiceID(UInt16(s))) }
    }

    func allocate(_ n: Int, owner: UInt16 = 9) -> BurstBuffer {
        let b = BurstBuffer(capacity: n)
        XCTAssertTrue(f.pool.allocate(into: b, count: n, owner: InstanceID(owner)))
        return b
    }

    func testPoolReclaimFreesExactlyWhatAnInstanceOwned() {
        let full = f.pool.available
        let mine = allocate(10, owner: 5)
        let theirs = allocate(7, owner: 6)
        XCTAssertEqual(f.pool.available, full - 17)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(5)), 10)
        XCTAssertEqual(f.pool.available, full - 7)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(5)), 0)
        XCTAssertEqual(f.pool.reclaim(ownedBy: nil), 7)
        XCTAssertEqual(f.pool.available, full)
        _ = (mine, theirs)
    }

    func testSteeringDeliversAndTheReceiverTakesOwnership() {
        f.table.setInstances([InstanceID(3)], of: ServiceID(2))
        let s = Steering(table: f.table, rxRings: f.rx, txRing: nil, mark: f.table.dataplaneMark, reader: 0)
        let b = allocate(20, owner: 1)
        s.send(b, count: 20, action: .toService(ServiceID(2)))
        XCTAssertEqual(s.counters.tx, 20)
        XCTAssertEqual(f.rx[2].count, 20)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(3)), 0, "queued buffers still belong to their sender")
        let out = BurstBuffer()
        XCTAssertEqual(f.rx[2].take(into: out, owner: InstanceID(3)), 20)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(1)), 0)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(3)), 20, "taken buffers belong to the receiver")
    }

    func testSeveralInstancesShareByFlowOrByQueue() {
        // Flow (service 6): one flow always meets the instance its
        // consistent-hashing table gives it.
        f.table.setInstances([InstanceID(20), InstanceID(21)], of: ServiceID(6))
        f.table.publishLookup(Maglev.table(for: [20, 21]), of: ServiceID(6))
        let s = Steering(table: f.table, rxRings: f.rx, txRing: nil, mark: f.table.dataplaneMark, reader: 0)
        let b = allocate(32)
        var expected = [UInt16: Int]()
        for i in 0..<32 {
            let flow = UInt16(i % 8)
            _ = b[i].setLength(64)
            _ = b[i].store(UInt16(0x0800), bigEndianAt: 12)
            _ = b[i].store(UInt8(0x45), bigEndianAt: 14)
            _ = b[i].store(UInt8(17), bigEndianAt: 23)
            _ = b[i].store(UInt16(1000 + flow * 7), bigEndianAt: 34)
            expected[f.table.lookup(of: ServiceID(6))[Int(FlowHash.hash(b[i]) % UInt32(Limits.lookupTableSize))], default: 0] += 1
        }
        s.send(b, count: 32, action: .toService(ServiceID(6)))
        XCTAssertEqual(f.rx[19].count, expected[20] ?? 0)
        XCTAssertEqual(f.rx[20].count, expected[21] ?? 0)
        XCTAssertEqual(f.rx[19].count + f.rx[20].count, 32)
        XCTAssertTrue(f.rx[19].count > 0 && f.rx[20].count > 0, "8 flows spread over both instances")
        XCTAssertEqual(f.rx[19].count % 4, 0, "each flow goes whole to one instance")
        // Queue (service 5): packets go to the shortest ring.
        f.table.setInstances([InstanceID(22), InstanceID(23)], of: ServiceID(5))
        let backlog = allocate(10)
        XCTAssertEqual(f.rx[21].enqueue(backlog, 0..<10), 10)
        let c = allocate(10)
        s.send(c, count: 10, action: .toService(ServiceID(5)))
        XCTAssertEqual(f.rx[22].count, 10, "all to the empty ring until it is as long")
        // Rings are read as a burst is resolved: the next burst goes whole to
        // whichever is shortest then (the first of equals).
        let d = allocate(4)
        s.send(d, count: 4, action: .toService(ServiceID(5)))
        XCTAssertEqual(f.rx[21].count, 14)
        let e = allocate(3)
        s.send(e, count: 3, action: .toService(ServiceID(5)))
        XCTAssertEqual(f.rx[22].count, 13)
    }

    func testUndeliverablePacketsAreFreedAndCounted() {
        let full = f.pool.available
        let s = Steering(table: f.table, rxRings: f.rx, txRing: nil, mark: f.table.dataplaneMark, reader: 0)
        s.send(allocate(8), count: 8, action: .toService(ServiceID(3)))      // no instance
        s.send(allocate(4), count: 4, action: .toPort(PortID(0)))           // no port, no TX ring
        s.send(allocate(2), count: 2, action: .drop)
        XCTAssertEqual(s.counters.noRoute, 12)
        XCTAssertEqual(s.counters.dropped, 2)
        XCTAssertEqual(f.pool.available, full)
        // A ring of 64 holds 63: the rest of 100 is freed, counted as ring-full.
        f.table.setInstances([InstanceID(4)], of: ServiceID(3))
        let big = allocate(100)
        s.send(big, count: 100, action: .toService(ServiceID(3)))
        XCTAssertEqual(s.counters.tx, 63)
        XCTAssertEqual(s.counters.ringFull, 37)
        XCTAssertEqual(f.pool.available, full - 63)
    }

    func testNextWalksTheChainAndMixedActionsGoInRuns() {
        f.table.setInstances([InstanceID(1)], of: ServiceID(1))
        f.table.setInstances([InstanceID(2)], of: ServiceID(2))
        let s = Steering(table: f.table, rxRings: f.rx, txRing: nil, mark: f.table.dataplaneMark, reader: 0)
        let b = allocate(6)
        let actions = UnsafeMutablePointer<Action>.allocate(capacity: 6)
        defer { actions.deallocate() }
        for (i, a) in [Action.next, .next, .drop, .toService(ServiceID(2)), .next, .drop].enumerated() { actions[i] = a }
        s.send(b, count: 6, actions: actions)
        XCTAssertEqual(f.rx[0].count, 3, "packets entering the chain go to its first service")
        XCTAssertEqual(f.rx[1].count, 1)
        XCTAssertEqual(s.counters.dropped, 2)
        // From service 1, `next` goes to service 2; after service 2 the chain ends at a port (none here).
        let out = BurstBuffer()
        let n = f.rx[0].take(into: out, owner: InstanceID(1))
        s.send(out, count: n, action: .next)
        XCTAssertEqual(f.rx[1].count, 4)
        let m = f.rx[1].take(into: out, owner: InstanceID(2))
        s.send(out, count: m, action: .next)
        XCTAssertEqual(s.counters.noRoute, 4)
    }

    /// Interleaved destinations are bucketed: one enqueue per destination
    /// per burst, each destination's packets in their order.
    func testABurstGoesOutInOneEnqueuePerDestinationInOrder() {
        f.table.setInstances([InstanceID(11)], of: ServiceID(3))
        f.table.setInstances([InstanceID(12)], of: ServiceID(4))
        let s = Steering(table: f.table, rxRings: f.rx, txRing: nil, mark: f.table.dataplaneMark, reader: 0)
        let b = allocate(30)
        let actions = UnsafeMutablePointer<Action>.allocate(capacity: 30)
        defer { actions.deallocate() }
        for i in 0..<30 {
            _ = b[i].setLength(64)
            _ = b[i].store(UInt32(i), bigEndianAt: 40)
            actions[i] = i % 3 == 2 ? .drop : .toService(ServiceID(i % 3 == 0 ? 3 : 4))
        }
        s.send(b, count: 30, actions: actions)
        XCTAssertEqual(s.counters.enqueues, 2, "one enqueue for each of the two services")
        XCTAssertEqual(s.counters.dropped, 10)
        let out = BurstBuffer()
        XCTAssertEqual(f.rx[10].take(into: out, owner: InstanceID(11)), 10)
        XCTAssertEqual((0..<10).map { out[$0].load(UInt32.self, bigEndianAt: 40) }, (0..<10).map { UInt32($0 * 3) })
        Steering.free(out, 0..<10)
        XCTAssertEqual(f.rx[11].take(into: out, owner: InstanceID(12)), 10)
        XCTAssertEqual((0..<10).map { out[$0].load(UInt32.self, bigEndianAt: 40) }, (0..<10).map { UInt32($0 * 3 + 1) })
        Steering.free(out, 0..<10)
        // A burst with one destination stays one enqueue.
        s.send(allocate(8), count: 8, action: .toService(ServiceID(3)))
        XCTAssertEqual(s.counters.enqueues, 3)
    }

    func testReclaimFreesWhatADeadInstanceHeldAndNothingElse() {
        let full = f.pool.available
        // Instance 8 dies holding: 5 queued in its RX ring (sent by 9), 3 in
        // its hands, and 2 it sent to live instance 4, not yet taken.
        let queued = allocate(5, owner: 9)
        XCTAssertEqual(f.rx[7].enqueue(queued, 0..<5), 5)
        let inHand = allocate(3, owner: 8)
        let sent = allocate(2, owner: 8)
        XCTAssertEqual(f.rx[3].enqueue(sent, 0..<2), 2)
        let r = Reclaimer(pool: f.pool, table: f.table, rxRings: f.rx, txRings: f.tx, supplies: f.supplies)
        r.add(1 << 7, live: 1 << 3, io: PortIO(ports: [], table: f.table))
        XCTAssertNil(r.finish(), "must wait until instance 4 has taken what 8 sent it")
        let taken = BurstBuffer()
        XCTAssertEqual(f.rx[3].take(into: taken, owner: InstanceID(4)), 2)
        let done = r.finish()
        XCTAssertEqual(done?.count, 1)
        XCTAssertEqual(done?.first?.0, InstanceID(8))
        XCTAssertEqual(done?.first?.1, Reclaimer.Freed(total: 8, strays: 3), "its ring (5) and its hands (3)")
        XCTAssertEqual(f.pool.available, full - 2, "what instance 4 holds is untouched")
        Steering.free(taken, 0..<2)
        XCTAssertEqual(f.pool.available, full)
        _ = (inHand, r)
    }

    /// Instance 12 dies and its batch waits for live instance 4; meanwhile
    /// instance 13 sends 4 two more packets and dies too, joining the batch.
    /// The batch must also wait for 4 to take what 13 sent, or the final
    /// scan frees buffers still queued in 4's ring.
    func testAMemberThatJoinsAWaitingBatchIsWaitedFor() {
        let full = f.pool.available
        let io = PortIO(ports: [], table: f.table)
        let first = allocate(3, owner: 12)
        XCTAssertEqual(f.rx[3].enqueue(first, 0..<3), 3)
        let r = Reclaimer(pool: f.pool, table: f.table, rxRings: f.rx, txRings: f.tx, supplies: f.supplies)
        r.add(1 << 11, live: (1 << 3) | (1 << 12), io: io)
        let late = allocate(2, owner: 13)
        XCTAssertEqual(f.rx[3].enqueue(late, 0..<2), 2)
        r.add(1 << 12, live: 1 << 3, io: io)
        let taken = BurstBuffer(capacity: 3)
        XCTAssertEqual(f.rx[3].take(into: taken, owner: InstanceID(4)), 3, "4 takes what 12 sent")
        XCTAssertNil(r.finish(), "what 13 sent is still in 4's ring, stamped 13")
        let rest = BurstBuffer()
        XCTAssertEqual(f.rx[3].take(into: rest, owner: InstanceID(4)), 2)
        let done = r.finish()
        XCTAssertEqual(done?.count, 2)
        XCTAssertEqual(done?.reduce(0) { $0 + $1.1.total }, 0, "neither dead instance held anything")
        Steering.free(taken, 0..<3)
        Steering.free(rest, 0..<2)
        XCTAssertEqual(f.pool.available, full)
    }

    /// An NF frees nothing itself: what it drops goes to its TX ring, still
    /// stamped its own, marked for the pool with the reason; the manager's
    /// TX work frees it and counts it for the NF's service.
    func testAnNFsDropsGoBackThroughItsTXRingAndAreCounted() {
        let full = f.pool.available
        let slot = f.table.slot(InstanceID(30))
        slot.service = ServiceID(7)
        let nf = Steering(table: f.table, rxRings: f.rx, txRing: f.tx[29], mark: slot.mark, reader: 30)
        let fates = f.table.fates(of: ServiceID(7))
        let before = fates.dropped
        nf.send(allocate(5, owner: 30), count: 5, action: .drop)
        nf.send(allocate(3, owner: 30), count: 3, action: .toService(ServiceID(4)))  // no instance
        XCTAssertEqual(f.tx[29].count, 8, "queued for the manager, not freed")
        XCTAssertEqual(f.pool.available, full - 8)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(31)), 0)
        let io = PortIO(ports: [], table: f.table)
        XCTAssertEqual(io.transmit(from: f.tx[29], burst: BurstBuffer(), fates: fates), 8)
        XCTAssertEqual(f.pool.available, full)
        XCTAssertEqual(fates.dropped[.verdict]! - before[.verdict]!, 5)
        XCTAssertEqual(fates.dropped[.noRoute]! - before[.noRoute]!, 3)
        XCTAssertEqual(nf.counters.dropped, 5)
        XCTAssertEqual(nf.counters.noRoute, 3)
    }

    /// An NF's new buffers come from its supply ring, stocked by the manager
    /// when asked, stamped the NF's own as they leave the ring; what is left
    /// when it goes is taken back and not counted as given.
    func testTheSupplyGivesStampedBuffersAndTakesBackTheRest() {
        let full = f.pool.available
        let supply = f.supplies[39]
        let fates = f.table.fates(of: ServiceID(8))
        let before = fates.supplied
        let burst = BurstBuffer()
        XCTAssertEqual(supply.take(into: burst, count: 10, owner: InstanceID(40), manager: f.table.dataplaneDoorbell), 0)
        XCTAssertTrue(supply.wanted, "an empty supply asks for more")
        XCTAssertEqual(supply.topUp(from: f.pool, burst: burst, fates: fates), BufferSupply.ringSize - 1)
        XCTAssertFalse(supply.wanted)
        XCTAssertEqual(supply.topUp(from: f.pool, burst: burst, fates: fates), 0, "only when asked")
        XCTAssertEqual(f.pool.reclaim(ownedBy: nil), 0, "stock belongs to nobody")
        XCTAssertEqual(supply.take(into: burst, count: 10, owner: InstanceID(40), manager: f.table.dataplaneDoorbell), 10)
        XCTAssertEqual(f.pool.reclaim(ownedBy: InstanceID(40)), 10, "taken buffers are the NF's")
        XCTAssertEqual(supply.takeBack(burst: burst, fates: fates), BufferSupply.ringSize - 11)
        XCTAssertEqual(fates.supplied - before, 10, "only the buffers it took count as given")
        XCTAssertEqual(f.pool.available, full)
    }

    /// A sender with a stale view of the service table (stopped for longer
    /// than the grace period, say) may enqueue into the ring of a slot that
    /// is no longer active. If that sender then dies, its buffers there are
    /// still stamped with it: the scan must not free them, whatever the
    /// timing (a later owner of the slot takes them, or shutdown does).
    func testTheScanNeverFreesABufferThatSitsInARing() {
        let full = f.pool.available
        let late = allocate(3, owner: 14)
        XCTAssertEqual(f.rx[40].enqueue(late, 0..<3), 3, "into slot 41's ring, which nobody consumes")
        let held = allocate(2, owner: 14)
        let r = Reclaimer(pool: f.pool, table: f.table, rxRings: f.rx, txRings: f.tx, supplies: f.supplies)
        r.add(1 << 13, live: 0, io: PortIO(ports: [], table: f.table))
        let done = r.finish()
        XCTAssertEqual(done?.first?.1, Reclaimer.Freed(total: 2, strays: 2), "only what it held outside any ring")
        XCTAssertEqual(f.pool.available, full - 3, "the queued buffers are untouched")
        let out = BurstBuffer()
        XCTAssertEqual(f.rx[40].take(into: out, owner: InstanceID(41)), 3)
        Steering.free(out, 0..<3)
        XCTAssertEqual(f.pool.available, full)
        _ = held
    }

    func testARingLeftMidEnqueueByADeadProducerIsRepaired() {
        let full = f.pool.available
        let ring = f.rx[5]
        let b = allocate(4, owner: 1)
        XCTAssertEqual(ring.enqueue(b, 0..<2), 2)
        // A producer reserves three entries and dies before publishing them.
        XCTAssertEqual(rte_ring_enqueue_burst_start(ring.ring, 3, nil), 3)
        let gap = ring.producerGap
        XCTAssertEqual(gap.lag, 3)
        XCTAssertEqual(ring.repairProducer(head: gap.head &+ 1), 0, "a head that moved means a live producer")
        XCTAssertEqual(ring.repairProducer(head: gap.head), 3)
        XCTAssertEqual(ring.producerGap.lag, 0)
        // Producers are unblocked, and the consumer skips the voided entries.
        XCTAssertEqual(ring.enqueue(b, 2..<4), 2)
        let out = BurstBuffer()
        XCTAssertEqual(ring.take(into: out, owner: InstanceID(6)), 4)
        XCTAssertEqual(ring.count, 0)
        Steering.free(out, 0..<4)
        XCTAssertEqual(f.pool.available, full)
    }

    func testPacketViewsNeverReadOrWritePastTheEnd() {
        let b = allocate(1)
        let p = b[0]
        XCTAssertTrue(p.setLength(10))
        XCTAssertNil(p[10])
        XCTAssertNil(p[-1])
        XCTAssertNotNil(p[9])
        XCTAssertNil(p.load(UInt32.self, bigEndianAt: 7))
        XCTAssertFalse(p.store(UInt32(1), bigEndianAt: 7))
        XCTAssertTrue(p.store(UInt32(0xDEADBEEF), bigEndianAt: 6))
        XCTAssertEqual(p.load(UInt32.self, bigEndianAt: 6), 0xDEADBEEF)
        XCTAssertFalse(p.setLength(100_000))
        // A truncated IPv4 frame hashes without reading past its end.
        XCTAssertTrue(p.setLength(13))
        _ = FlowHash.hash(p)
        XCTAssertTrue(p.setLength(0))
        _ = FlowHash.hash(p)
        Steering.free(b, 0..<1)
    }

    func testDoorbellWakesASleeper() {
        let slot = f.table.slot(InstanceID(10))
        let bell = slot.doorbell
        let before = bell.rings
        XCTAssertFalse({ nfvRing(bell) }(), "nobody sleeps: no ring")
        let armed = bell.arm()
        let woke = expectation(description: "woken")
        Thread {
            bell.wait(armed: armed, timeoutNanoseconds: 60_000_000_000)
            woke.fulfill()
        }.start()
        XCTAssertTrue(nfvRing(bell))
        wait(for: [woke], timeout: 60)
        XCTAssertEqual(bell.rings, before + 1)
    }

    /// A thread that runs several NFs sleeps on all their doorbells: a ring
    /// of any one (here the last) wakes it, well before its timeout, and
    /// leaves none of them armed.
    func testADoorbellSetWakesOnAnyOfItsBells() {
        XCTAssertTrue(DoorbellSet.isSupported())
        let bells = (11...13).map { f.table.slot(InstanceID(UInt16($0))).doorbell }
        let set = DoorbellSet(bells)
        set.arm()
        let woke = expectation(description: "woken")
        Thread {
            set.wait(timeoutNanoseconds: 60_000_000_000)
            woke.fulfill()
        }.start()
        XCTAssertTrue(nfvRing(bells[2]), "the last bell was armed")
        wait(for: [woke], timeout: 20)
        for b in bells { XCTAssertFalse(nfvRing(b), "a bell stayed armed after the wake") }
    }

    private func nfvRing(_ bell: Doorbell) -> Bool {
        let before = bell.rings
        bell.ringIfAsleep()
        return bell.rings > before
    }

    /// The steering table's slots: a reader that announced a version keeps
    /// its slot from being rewritten (publication uses the others, then
    /// waits, naming the reader); quiescing or being cleared frees it.
    func testAVersionSlotIsRewrittenOnlyWhenNoReaderNamesIt() throws {
        let steering = f.table.steering
        var config = ManagerConfig()
        config.chain = [ServiceID(1), ServiceID(2)]
        let original = try config.steering()
        var spec = original
        var next = steering.currentVersion + 1
        func publish(_ name: String) -> SteeringTable.Publication {
            try? spec.setChain(ChainSpec(name: name, steps: [ServiceID(1)]))
            defer { next += 1 }
            return steering.publish(spec, version: next)
        }
        // Three readers each hold a different version.
        let readers = [40, 41, 42].map { steering.reader($0) }
        for (i, r) in readers.enumerated() {
            let v = r.enter()
            XCTAssertEqual(r.announced, steering.currentVersion)
            XCTAssertEqual(v.pointee.version, steering.currentVersion)
            XCTAssertEqual(publish("c\(i)"), .published(version: next - 1))
        }
        // The fourth slot is current; every other one is held.
        guard case .waiting(let holder) = publish("blocked") else { return XCTFail("published over a held version") }
        XCTAssertTrue([40, 41, 42].contains(holder))
        readers[0].quiesce()
        XCTAssertEqual(publish("after-quiesce"), .published(version: next - 1))
        // Reader 40 takes the current version again, the free slot takes
        // the next: all held once more.
        _ = readers[0].enter()
        XCTAssertEqual(publish("refill"), .published(version: next - 1))
        guard case .waiting = publish("blocked-again") else { return XCTFail("published over a held version") }
        // A reader cleared (its process gone) holds nothing.
        steering.clearReader(41)
        XCTAssertEqual(publish("after-clear"), .published(version: next - 1))
        // A reader that moves on takes the newest version.
        XCTAssertEqual(readers[2].enter().pointee.version, steering.currentVersion)
        for r in readers { r.quiesce() }
        // The fixture's table again, for the other tests.
        XCTAssertEqual(steering.publish(original, version: next), .published(version: next))
    }
}
