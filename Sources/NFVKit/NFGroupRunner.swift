import Foundation
import NFVCore
import NFVShared

/// Runs several NFs in one process, on one thread: an NF group. Each member
/// registers as an NF of its own (its own slot, rings, counters, service);
/// the group's loop (`GroupLoop`) runs whichever members have packets, one
/// burst each in turn, so a packet that goes from one member to the next
/// costs no context switch. With more NFs than cores, that takes the
/// kernel's switches (each a few microseconds here) out of the chain; the
/// price is isolation: the members share an address space, a CPU and a
/// fate (a crash or a kill stops them all, and the manager reclaims each
/// one's buffers as for any dead NF).
public enum NFGroupRunner {
    /// Most members in one group.
    public static let maxMembers = Limits.maxGroupMembers

    /// Runs `members` until told to stop (a signal, or the manager stops);
    /// `cpu` pins the group's thread; `attachment`: one a standby process
    /// made (`nil`: attach now). Throws when it cannot start (then no
    /// member stays registered); returns each member's summary otherwise.
    public static func run(_ members: [NFGroupMember], platform: String, cpu: Int?, idle: IdlePolicy,
                           attachment: NFAttachment? = nil) throws -> [NFSummary] {
        guard (1...maxMembers).contains(members.count) else {
            throw NFVError.invalid("an NF group has 1...\(maxMembers) members, not \(members.count)")
        }
        guard DoorbellSet.isSupported() else {
            throw NFVError.invalid("an NF group sleeps on several doorbells at once (futex_waitv, Linux 5.16 or newer), which this kernel lacks: run its NFs as processes of their own")
        }
        for m in members {
            guard (1...Steering.maxBurst).contains(m.options.burstSize) else {
                throw NFVError.invalid("\(m.options.name): burst size \(m.options.burstSize): must be 1...\(Steering.maxBurst)")
            }
        }
        let fault = try FaultPoint.fromEnvironment()
        if let a = attachment, a.platform != platform {
            throw NFVError.invalid("this standby is attached to '\(a.platform)', not '\(platform)'")
        }
        let attached = try attachment ?? NFAttachment(platform: platform)
        var managerAlive = true
        defer { if managerAlive { attached.env.shutdown() } }
        if let cpu { try attached.env.pin(toCPU: cpu) }
        let txRings = try NFRunner.txRingsOfAllSlots()
        var running: [GroupRunningMember] = []
        var registered: NFInstance?
        do {
            for m in members {
                var options = m.options
                options.platform = platform
                let instance = try NFInstance(attached: attached, options: options, txRings: txRings, fault: fault)
                registered = instance
                running.append(try m.start(instance))
                registered = nil
            }
        } catch {
            _ = registered?.deregister()
            for m in running {
                m.finish()
                _ = m.instance.deregister()
            }
            throw error
        }
        var loop = GroupLoop(members: running, table: attached.table, signals: attached.signals, idle: idle,
                             mates: CoreMates(table: attached.table, rxRings: attached.rxRings, txRings: txRings,
                                              own: running.map(\.instance.slot)))
        let reason = loop.run()
        managerAlive = reason != .managerDied
        return running.map { m in
            m.finish()
            m.instance.publishFinal()
            let freed = managerAlive ? m.instance.deregister() : 0
            return NFSummary(instance: m.instance.slot.id, counters: m.instance.loop.counters, freedAtStop: freed, reason: reason)
        }
    }
}
