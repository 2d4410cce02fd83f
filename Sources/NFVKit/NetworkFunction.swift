import NFVCore
import NFVShared

/// What an NF author writes: a type that looks at packets and returns an
/// action for each. Only `handle(_:context:)` is required.
///
/// ```swift
/// struct Counter: NetworkFunction {
///     var seen = 0
///     mutating func handle(_ packet: Packet, context: NFContext) -> Action {
///         seen += 1
///         return .next
///     }
/// }
/// ```
public protocol NetworkFunction {
    /// Runs once after the NF has registered, before its first packet.
    mutating func setup(context: NFContext) throws
    /// Decides what happens to one packet. Never keep `packet` after returning.
    mutating func handle(_ packet: Packet, context: NFContext) -> Action
    /// Decides for a whole burst: sets `actions[i]` for `batch[i]`. The
    /// default calls `handle(_:context:)` for each packet.
    mutating func handle(batch: PacketBatch, actions: ActionBuffer, context: NFContext)
    /// How often `tick(context:)` runs; `nil` (the default) for never.
    var tickInterval: Duration? { get }
    /// A periodic callback, run between bursts.
    mutating func tick(context: NFContext)
    /// The manager's answer to a request the NF made
    /// (`NFContext.request`), delivered between bursts.
    mutating func received(_ reply: ManagerReply, context: NFContext)
    /// Runs once when the NF stops, after its last burst.
    mutating func finish(context: NFContext)
}

extension NetworkFunction {
    public mutating func setup(context: NFContext) throws {}
    @inlinable
    public mutating func handle(batch: PacketBatch, actions: ActionBuffer, context: NFContext) {
        for i in 0..<batch.count { actions[i] = handle(batch[i], context: context) }
    }
    public var tickInterval: Duration? { nil }
    public mutating func tick(context: NFContext) {}
    public mutating func received(_ reply: ManagerReply, context: NFContext) {}
    public mutating func finish(context: NFContext) {}
}
