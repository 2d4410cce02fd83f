import Foundation
import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// Runs a network function: attaches to the manager's shared memory,
/// registers, drives the receive loop, and on SIGINT/SIGTERM (or when the
/// manager stops) finishes the burst in hand, frees every buffer it still
/// holds, deregisters and returns.
public enum NFRunner {
    /// Runs `nf` until it is told to stop. Throws when it cannot start
    /// (no manager, refused registration); returns a summary otherwise.
    public static func run<NF: NetworkFunction>(_ nf: inout NF, options: NFOptions, attachment: NFAttachment? = nil) throws -> NFSummary {
        var trace = attachment?.handedOverAt.map(StartupTrace.init(launchedAt:)) ?? StartupTrace.fromEnvironment()
        trace?.mark("main")
        guard attachment == nil || attachment!.platform == options.platform else {
            throw NFVError.invalid("this standby is attached to '\(attachment!.platform)', not '\(options.platform)'")
        }
        let fault = try FaultPoint.fromEnvironment()
        guard (1...Steering.maxBurst).contains(options.burstSize) else {
            throw NFVError.invalid("burst size \(options.burstSize): must be 1...\(Steering.maxBurst)")
        }
        let attached = try attachment ?? NFAttachment(platform: options.platform)
        let (signals, env) = (attached.signals, attached.env)
        trace?.mark("attached")
        var managerAlive = true
        defer { if managerAlive { env.shutdown() } }
        if let cpu = options.cpu { try env.pin(toCPU: cpu) }
        let txRings = try txRingsOfAllSlots()
        let me = try NFInstance(attached: attached, options: options, txRings: txRings, fault: fault)
        trace?.mark("registered")
        do {
            try nf.setup(context: me.context)
        } catch {
            _ = me.deregister()
            throw error
        }
        trace?.mark("ready")
        if let trace { FileHandle.standardError.write(Data((trace.line + "\n").utf8)) }
        let reason = me.loop.run(&nf, context: me.context, signals: signals)
        nf.finish(context: me.context)
        me.publishFinal()
        managerAlive = reason != .managerDied
        let freed = managerAlive ? me.deregister() : 0
        return NFSummary(instance: me.slot.id, counters: me.loop.counters, freedAtStop: freed, reason: reason)
    }

    /// Every slot's TX ring (steering hands a packet for a port to the TX
    /// ring of its sender; core-mates look at all of them).
    static func txRingsOfAllSlots() throws(NFVError) -> [DescriptorRing] {
        try (0..<Limits.maxNFs).map { i throws(NFVError) in try DescriptorRing.lookup(name: SharedNames.txRing(slot: i)) }
    }

    /// The NF side of leaving: ask to be taken out of the service table,
    /// wait until the manager confirms (so nothing new is routed here), then
    /// give back whatever is still queued (counted as dropped because it
    /// stopped) and say goodbye. Returns how many queued packets it gave back.
    static func deregister(slot: NFSlot, rx: DescriptorRing, table: SharedTable, steering: Steering) -> Int {
        slot.setState(.stopping)
        table.controlDoorbell.ring()
        let burst = BurstBuffer()
        var freed = 0
        let deadline = MonotonicClock.nanoseconds() + 3_000_000_000
        repeat {
            freed += drain(rx, burst, slot.id, steering)
            if slot.state == .removed { break }
            usleep(1000)
        } while MonotonicClock.nanoseconds() < deadline
        freed += drain(rx, burst, slot.id, steering)
        slot.setState(.exited)
        table.controlDoorbell.ring()
        return freed
    }

    /// Gives back everything in the ring (taken as `owner`'s, so a kill
    /// midway loses nothing).
    static func drain(_ ring: DescriptorRing, _ burst: BurstBuffer, _ owner: InstanceID, _ steering: Steering) -> Int {
        var freed = 0
        while true {
            let n = ring.take(into: burst, owner: owner)
            if n == 0 { return freed }
            steering.giveBack(burst, 0..<n, reason: .stopped)
            freed += n
        }
    }
}

extension NFCounters {
    /// Adds what the steering delivered and dropped to what the loop received.
    @inlinable @usableFromInline mutating func merge(_ s: NFCounters) {
        tx = s.tx
        enqueues = s.enqueues
        dropped = s.dropped
        noRoute = s.noRoute
        ringFull = s.ringFull
    }
}
