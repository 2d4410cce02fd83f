@preconcurrency import CDPDK
import NFVCore

/// What became of the packets whose last holder was an instance of one
/// service (service 0: the manager and its ports): drops by reason, and the
/// buffers its instances were given to make packets in (`nfv_fates_t`).
/// Single writer: the manager's dataplane thread, which frees every packet
/// buffer (NFs hand theirs back through their TX rings). These counters
/// belong to the service, so they outlive its instances.
public struct Fates: @unchecked Sendable {
    @usableFromInline let table: UnsafeMutablePointer<nfv_shared_t>
    @usableFromInline let service: UInt32

    @usableFromInline init(table: UnsafeMutablePointer<nfv_shared_t>, service: UInt32) {
        self.table = table
        self.service = service & UInt32(Limits.maxServices - 1)
    }

    /// Counts `n` packets dropped for `reason` (dataplane thread only).
    @inlinable public func count(_ n: Int, _ reason: DropReason) { bump(UInt32(reason.rawValue), UInt64(n)) }

    /// Counts buffers given to (positive) or taken back unused from
    /// (negative) an instance's supply (dataplane thread only).
    @inlinable public func supply(_ n: Int) { bump(UInt32(NFV_DROP_REASONS), UInt64(bitPattern: Int64(n))) }

    @inlinable func bump(_ i: UInt32, _ n: UInt64) {
        guard n != 0 else { return }
        let c = nfv_fate_counter(table, service, i)!
        // Relaxed: one writer; readers want a recent value.
        nfv_store_relaxed_u64(c, nfv_load_relaxed_u64(c) &+ n)
    }

    /// Drops by reason so far (any thread).
    public var dropped: [DropReason: UInt64] {
        Dictionary(uniqueKeysWithValues: DropReason.allCases.map {
            ($0, nfv_load_relaxed_u64(nfv_fate_counter(table, service, UInt32($0.rawValue))))
        })
    }

    /// Buffers given to the service's instances to make packets in, net of
    /// those that came back unused (any thread).
    public var supplied: UInt64 { nfv_load_relaxed_u64(nfv_fate_counter(table, service, UInt32(NFV_DROP_REASONS))) }
}

extension SharedTable {
    /// The fates of `service`'s packets (0: the manager's own).
    @inlinable public func fates(of service: ServiceID) -> Fates { Fates(table: table, service: UInt32(service.rawValue)) }
}
