import NFVCore
/// Errors of the shared-memory and system layer. Each description says what
/// went wrong and, where a user can act, how to fix it.
public enum NFVError: Error, CustomStringConvertible, Sendable, Equatable {
    case hugePagesNotMounted
    case noFreeHugePages
    case dpdkMissing(String)
    case ealInitFailed(String, errno: Int32)
    case managerNotRunning(platform: String)
    case managerAlreadyRunning(platform: String)
    case sharedObjectMissing(String)
    case poolCreationFailed(errno: Int32)
    case ringCreationFailed(String, errno: Int32)
    case tableIncompatible(String)
    case portFailed(device: String, reason: String)
    case registrationRefused(String)
    case registrationTimedOut
    case tableFull
    case instanceInUse(UInt16, pid: Int32, service: UInt16)
    case invalid(String)

    public var description: String {
        switch self {
        case .hugePagesNotMounted:
            "no hugetlbfs is mounted: run `mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages` as root (or `make setup`)"
        case .noFreeHugePages:
            "no free huge pages: reserve some with `echo 512 > /proc/sys/vm/nr_hugepages` as root (or `make setup`)"
        case .dpdkMissing(let what):
            "DPDK is not installed (\(what)): run `apt-get install -y dpdk libdpdk-dev` as root (or `make setup`)"
        case .ealInitFailed(let role, let e):
            "DPDK could not start as \(role) (rte_errno \(e): \(errnoText(e)))"
        case .managerNotRunning(let p):
            "no manager is running for platform '\(p)': start one with `nfv manager --name \(p)` (or `nfv demo`)"
        case .managerAlreadyRunning(let p):
            "a manager for platform '\(p)' is already running; stop it first or choose another `--name`"
        case .sharedObjectMissing(let name):
            "the manager's shared object '\(name)' was not found: is the manager of this platform a SwiftNFV manager of the same version?"
        case .poolCreationFailed(let e):
            "could not create the packet pool (rte_errno \(e): \(errnoText(e))): reserve more huge pages (`echo 1024 > /proc/sys/vm/nr_hugepages`) or lower pool_size"
        case .ringCreationFailed(let name, let e):
            "could not create ring \(name) (rte_errno \(e): \(errnoText(e))): reserve more huge pages or lower ring_size"
        case .tableIncompatible(let why):
            "the manager's shared table is incompatible: \(why)"
        case .portFailed(let device, let reason):
            "port '\(device)': \(reason)"
        case .registrationRefused(let why):
            "the manager refused this NF: \(why)"
        case .registrationTimedOut:
            "the manager did not answer the registration within 5 s: is it stuck? (`nfv stats` shows whether it is alive)"
        case .tableFull:
            "the NF table is full (\(Limits.maxNFs) instances): stop an NF first"
        case .instanceInUse(let id, let pid, let service):
            "instance \(id) is already in use (pid \(pid), service \(service)): choose another `--instance-id` or omit it"
        case .invalid(let why):
            why
        }
    }
}

func errnoText(_ e: Int32) -> String {
    String(cString: strerror(e))
}

#if canImport(Glibc)
import Glibc
#endif
