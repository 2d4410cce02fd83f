@preconcurrency import CDPDK
import NFVCore

/// Where a producer says which RX-ring enqueue it is inside: an NF's slot
/// (`producing`) or the manager's dataplane thread's word in the table.
/// Written only by the marked enqueue (`nfv_ring_enqueue_marked` in shim.h:
/// the mark is published before the reservation, cleared after the tail),
/// read by the manager to tell a dead producer's reservation from a live
/// one's (`Registry.repairRings`).
public struct ProducerMark: @unchecked Sendable {
    @usableFromInline let word: UnsafeMutablePointer<UInt64>

    @usableFromInline init(_ word: UnsafeMutablePointer<UInt64>) { self.word = word }

    /// The enqueue under way, if any: the ring's index and the producer
    /// head it reserves (or is about to reserve) from. Read it after the
    /// ring's word (acquire): the producer's CAS (release) orders its mark
    /// before its reservation.
    public var current: (ring: Int, head: UInt32)? {
        let m = nfv_mark_load(word)
        return m == 0 ? nil : (Int(nfv_mark_ring(m)), nfv_mark_head(m))
    }

    /// Forgets the mark of a producer that is gone (manager), or of a slot
    /// being handed out.
    public func clear() { nfv_mark_clear(word) }
}

extension NFSlot {
    /// The NF's RX-ring enqueue mark.
    @inlinable public var mark: ProducerMark { ProducerMark(nfv_slot_producing(slot)) }
}

extension SharedTable {
    /// The manager's dataplane thread's RX-ring enqueue mark.
    @inlinable public var dataplaneMark: ProducerMark { ProducerMark(nfv_table_dataplane_producing(table)) }
}
