import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// The NF side of registering with the manager: claim a slot, ask, and wait
/// for the manager's answer.
enum Registration {
    static func register(table: SharedTable, options: NFOptions) throws(NFVError) -> NFSlot {
        guard options.service.isValid else { throw .registrationRefused(Refusal.badService.description) }
        let slot: NFSlot
        if let id = options.instance {
            guard id.isValid else { throw .invalid("instance ID \(id.rawValue) is out of range (1...\(Limits.maxNFs))") }
            let s = table.slot(id)
            guard s.transition(from: .free, to: .claimed) else {
                throw .instanceInUse(id.rawValue, pid: s.pid, service: s.service.rawValue)
            }
            slot = s
        } else {
            guard let s = table.allSlots.first(where: { $0.transition(from: .free, to: .claimed) }) else { throw .tableFull }
            slot = s
        }
        slot.service = options.service
        slot.pid = getpid()
        slot.name = options.name
        slot.cpuWeight = options.cpuWeight
        slot.cpuCap = options.cpuCap
        slot.pinnedCPU = options.cpu
        slot.refusal = .none
        // Release: the manager sees the fields above once it sees `requested`.
        slot.setState(.requested)
        table.controlDoorbell.ring()
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            switch slot.state {
            case .running:
                return slot
            case .refused:
                let why = slot.refusal
                slot.pid = 0
                slot.setState(.free)
                throw .registrationRefused(why.description)
            default:
                if kill(table.managerPID, 0) != 0 && errno == ESRCH { throw .invalid("the manager died while this NF registered") }
                usleep(500)
            }
        }
        slot.pid = 0
        slot.setState(.free)
        throw .registrationTimedOut
    }
}
