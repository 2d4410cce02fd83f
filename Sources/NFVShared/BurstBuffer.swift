@preconcurrency import CDPDK

/// A fixed array of descriptor slots (mbuf pointers), allocated once and
/// reused for every burst, so the hot loop allocates nothing.
public final class BurstBuffer: @unchecked Sendable {
    public static let defaultCapacity = 32
    public let capacity: Int
    @usableFromInline let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>

    public init(capacity: Int = BurstBuffer.defaultCapacity) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
    }

    deinit { slots.deallocate() }

    /// The packet in slot `i` (valid for `i` below the count a burst returned).
    @inlinable public subscript(i: Int) -> Packet { Packet(OpaquePointer(slots[i]!)) }
}
