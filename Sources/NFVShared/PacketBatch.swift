import NFVCore

/// The packets of one burst, as a collection, for batch handlers.
public struct PacketBatch: RandomAccessCollection {
    @usableFromInline let burst: BurstBuffer
    public let count: Int

    @inlinable public init(_ burst: BurstBuffer, count: Int) {
        self.burst = burst
        self.count = count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }
    @inlinable public subscript(i: Int) -> Packet {
        precondition(i >= 0 && i < count, "packet index out of range")
        return burst[i]
    }
}

/// One action per packet of a burst, filled by a batch handler. Allocated
/// once; every slot starts a burst as `.drop`, so a handler that skips a
/// packet frees it rather than leaking it.
public final class ActionBuffer: @unchecked Sendable {
    public let capacity: Int
    @usableFromInline let actions: UnsafeMutablePointer<Action>

    public init(capacity: Int = BurstBuffer.defaultCapacity) {
        self.capacity = capacity
        actions = .allocate(capacity: capacity)
        actions.initialize(repeating: .drop, count: capacity)
    }

    deinit { actions.deallocate() }

    @inlinable public subscript(i: Int) -> Action {
        get { precondition(i >= 0 && i < capacity); return actions[i] }
        set { precondition(i >= 0 && i < capacity); actions[i] = newValue }
    }

    /// Sets the first `count` actions to `.drop`.
    @inlinable public func reset(count: Int) {
        for i in 0..<count { actions[i] = .drop }
    }

    /// Sends the burst's packets as these actions say.
    @inlinable public func send(_ burst: BurstBuffer, count: Int, through steering: Steering) {
        steering.send(burst, count: count, actions: actions)
    }
}
