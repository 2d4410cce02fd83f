import NFVCore
import NFVShared

/// One NF of a group (`NFGroupRunner`), before it starts: its options and
/// how to set it up once registered. Make one with `make(_:options:)` where
/// the NF's type is known, so that its handler is called without dynamic
/// dispatch per packet.
public struct NFGroupMember {
    public let options: NFOptions
    @usableFromInline let start: (NFInstance) throws -> GroupRunningMember

    @usableFromInline init(options: NFOptions, start: @escaping (NFInstance) throws -> GroupRunningMember) {
        self.options = options
        self.start = start
    }

    /// `nf` as a member with `options`; the group's CPU and idle policy
    /// replace the member's own.
    @inlinable
    public static func make<NF: NetworkFunction>(_ nf: NF, options: NFOptions) -> NFGroupMember {
        NFGroupMember(options: options) { instance in
            let box = NFBox(nf)
            try box.nf.setup(context: instance.context)
            return GroupRunningMember(
                instance: instance, tickInterval: box.nf.tickInterval,
                poll: { instance.loop.step(&box.nf, context: instance.context) },
                tick: { box.nf.tick(context: instance.context) },
                finish: { box.nf.finish(context: instance.context) })
        }
    }
}

/// An NF value the closures of one group member share (only ever used by
/// the group's thread: no run-time exclusivity check).
@usableFromInline
final class NFBox<NF: NetworkFunction> {
    @usableFromInline @exclusivity(unchecked) var nf: NF
    @usableFromInline init(_ nf: NF) { self.nf = nf }
}

/// A registered, set-up member of a running group.
@usableFromInline
final class GroupRunningMember {
    let instance: NFInstance
    /// One burst (see `ReceiveLoop.step`); the packets taken.
    let poll: () -> Int
    let tick: () -> Void
    let finish: () -> Void
    let tickNanoseconds: UInt64?
    var nextTick: UInt64

    @usableFromInline
    init(instance: NFInstance, tickInterval: Duration?, poll: @escaping () -> Int, tick: @escaping () -> Void, finish: @escaping () -> Void) {
        self.instance = instance
        self.poll = poll
        self.tick = tick
        self.finish = finish
        tickNanoseconds = tickInterval.map(ReceiveLoop.nanoseconds)
        nextTick = tickNanoseconds.map { MonotonicClock.nanoseconds() + $0 } ?? .max
    }

    /// Whether its RX ring or its message channel holds something.
    var hasWork: Bool { instance.rx.count > 0 || instance.context.messages.hasReply }
}
