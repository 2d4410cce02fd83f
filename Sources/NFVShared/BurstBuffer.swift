@preconcurrency import CDPDK
import NFVCore

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

    /// Moves the first `count` packets flagged in `held` to the end of the
    /// burst, keeping the order of the others and of their `actions`
    /// (`scratch` holds the moved ones meanwhile); returns how many others.
    public func moveHeldToEnd(count: Int, held: UnsafePointer<Bool>, actions: UnsafeMutablePointer<Action>, scratch: BurstBuffer) -> Int {
        var kept = 0, moved = 0
        for i in 0..<count {
            if held[i] {
                scratch.slots[moved] = slots[i]
                moved += 1
            } else {
                slots[kept] = slots[i]
                actions[kept] = actions[i]
                kept += 1
            }
        }
        for j in 0..<moved { slots[kept + j] = scratch.slots[j] }
        return kept
    }
}
