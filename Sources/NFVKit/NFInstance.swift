import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// One NF registered from this process: its slot, its rings and steering,
/// the context its handler sees and the receive loop that drives it.
/// `NFRunner` runs one on its own; `NFGroupRunner` runs several on one
/// thread.
@usableFromInline
final class NFInstance {
    @usableFromInline let slot: NFSlot
    @usableFromInline let rx: DescriptorRing
    @usableFromInline let steering: Steering
    @usableFromInline let context: NFContext
    /// Only ever used by the thread that runs the NF, so without the
    /// run-time exclusivity check (a cost per burst in a group's loop).
    @usableFromInline @exclusivity(unchecked) var loop: ReceiveLoop
    let table: SharedTable

    /// Registers with the manager (throws its refusal) and finds this
    /// instance's rings, buffer supply and message channel. (A lookup that
    /// fails after registering leaves the slot to the manager, which frees
    /// it when the process exits.)
    init(attached: NFAttachment, options: NFOptions, txRings: [DescriptorRing], fault: FaultPoint?) throws {
        table = attached.table
        let slot = try Registration.register(table: attached.table, options: options)
        let index = Int(slot.id.rawValue) - 1
        steering = Steering(table: table, rxRings: attached.rxRings, txRing: txRings[index], mark: slot.mark,
                            reader: Int(slot.id.rawValue), fault: fault)
        let supply = BufferSupply(ring: try DescriptorRing.lookup(name: SharedNames.supplyRing(slot: index)), slot: slot)
        let messages = try MessageChannel.lookup(slot: index)
        context = NFContext(instance: slot.id, service: options.service, name: options.name, table: table, pool: attached.pool,
                            supply: supply, steering: steering, messages: messages, fault: fault, signals: attached.signals)
        self.slot = slot
        rx = attached.rxRings[index]
        loop = ReceiveLoop(rx: rx, slot: slot, table: table, steering: steering, idle: options.idle, burstSize: options.burstSize,
                           mates: CoreMates(table: table, rxRings: attached.rxRings, txRings: txRings, me: slot))
    }

    /// Publishes the final counters (what the steering sent and dropped too).
    func publishFinal() {
        loop.counters.merge(steering.counters)
        slot.publish(loop.counters)
    }

    /// Leaves the platform (see `NFRunner.deregister`); returns how many
    /// queued packets it gave back.
    func deregister() -> Int {
        NFRunner.deregister(slot: slot, rx: rx, table: table, steering: steering)
    }
}
