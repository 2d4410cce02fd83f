@preconcurrency import CDPDK
import NFVCore

/// Which other NFs share this NF's CPU, and whether any of them has work.
///
/// With more NF processes than cores, an NF that finds its ring empty should
/// hand its CPU to a core-mate that has packets waiting (a yield, one context
/// switch), but should not yield for nothing: a yield is a system call, and
/// a core-mate with no work would just yield back. Each NF publishes the CPU
/// it runs on (and so does the manager's dataplane thread while it works);
/// an idle NF reads its core-mates' ring occupancy from the shared table.
public struct CoreMates {
    @usableFromInline let table: UnsafeMutablePointer<nfv_shared_t>
    @usableFromInline let rings: [DescriptorRing]
    /// This process's own slots (one NF, or the members of a group).
    @usableFromInline let own: [NFSlot]
    @usableFromInline let ownMask: UInt64
    /// Every NF's TX ring: the manager's dataplane thread, a core-mate too
    /// when it runs on the same CPU, has work when one of them holds packets.
    @usableFromInline let txRings: [DescriptorRing]

    public init(table: SharedTable, rxRings: [DescriptorRing], txRings: [DescriptorRing], me: NFSlot) {
        self.init(table: table, rxRings: rxRings, txRings: txRings, own: [me])
    }

    /// For a process that runs several NFs on one thread (`own`): none of
    /// them counts as a core-mate of the others.
    public init(table: SharedTable, rxRings: [DescriptorRing], txRings: [DescriptorRing], own: [NFSlot]) {
        self.table = table.rawTable
        self.rings = rxRings
        self.txRings = txRings
        self.own = own
        ownMask = own.reduce(0) { $0 | (1 << UInt64($1.id.rawValue - 1)) }
    }

    /// Publishes the CPU the manager's dataplane thread runs on (manager); returns it.
    @discardableResult
    public static func publishDataplaneCPU(_ table: SharedTable) -> Int32 {
        let cpu = Int32(nfv_current_cpu())
        if nfv_dataplane_cpu(table.rawTable) != cpu { nfv_set_dataplane_cpu(table.rawTable, cpu) }
        return cpu
    }

    /// Publishes the CPU this thread runs on (in each of its own slots); returns it.
    @inlinable @discardableResult
    public func publishCPU() -> Int32 {
        let cpu = Int32(nfv_current_cpu())
        for me in own where nfv_slot_cpu(me.slot) != cpu { nfv_slot_set_cpu(me.slot, cpu) }
        return cpu
    }

    /// Whether a registered NF of another process last ran on `cpu` with
    /// at least `backlog` packets waiting in its RX ring. The manager's
    /// dataplane thread, which always has work when a port offers more than
    /// the chain takes, yields to such an NF: otherwise the kernel lets it
    /// run a whole time slice while the NF's ring fills and the chain is
    /// held at its entry.
    @inlinable
    public func anyBacklogged(on cpu: Int32, atLeast backlog: Int) -> Bool {
        var mask = nfv_active_load(table) & ~ownMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            if nfv_slot_cpu(nfv_slot(table, UInt32(i))) == cpu && rings[i].count >= backlog { return true }
        }
        return false
    }

    /// Whether a registered NF of another process last ran on `cpu` and has packets
    /// waiting, or the manager's dataplane thread did and has packets to send.
    @inlinable
    public func anyBusy(on cpu: Int32) -> Bool {
        let active = nfv_active_load(table)
        var mask = active & ~ownMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            if nfv_slot_cpu(nfv_slot(table, UInt32(i))) == cpu && rings[i].count > 0 { return true }
        }
        if nfv_dataplane_cpu(table) == cpu {
            mask = active
            while mask != 0 {
                let i = mask.trailingZeroBitCount
                mask &= mask - 1
                if txRings[i].count > 0 { return true }
            }
        }
        return false
    }
}
