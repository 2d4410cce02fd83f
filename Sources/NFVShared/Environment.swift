@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// DPDK's environment abstraction layer (EAL) for one process: the manager
/// starts it as the primary, each NF as a secondary attached to the
/// primary's huge-page memory. There is one per process; `shutdown()` ends it.
public final class Environment: @unchecked Sendable {
    public enum Role: Sendable { case primary, secondary }

    public let role: Role
    public let names: SharedNames
    private var running = true

    /// Starts the EAL.
    /// - Parameters:
    ///   - devices: DPDK device strings; a PCI address is allowed (`-a`), any
    ///     other string is a virtual device (`--vdev`). Primary only.
    ///   - removedStaleFiles: set to the number of files a crashed manager
    ///     left and the primary removed.
    ///   - memoryMegabytes: the huge-page memory the primary takes at start
    ///     (`memoryMegabytes(poolSize:ringSize:)`), all of it at once: EAL's
    ///     legacy memory mode, with no later growth. Growing the heap at run
    ///     time needs every process to answer a synchronous request, so one
    ///     stopped NF (SIGSTOP, a debugger) would make every later NF's
    ///     start time out.
    public init(role: Role, names: SharedNames, devices: [String] = [], memoryMegabytes: Int = 256,
                removedStaleFiles: inout Int) throws(NFVError) {
        self.role = role
        self.names = names
        precondition(Int(NFV_MAX_NFS) == Limits.maxNFs && Int(NFV_MAX_SERVICES) == Limits.maxServices
                     && Int(NFV_MAX_PORTS) == Limits.maxPorts && Int(NFV_MAX_CHAIN) == Limits.maxChainLength
                     && Int(NFV_MAX_INSTANCES_PER_SERVICE) == Limits.maxInstancesPerService
                     && Int(NFV_LOOKUP_SIZE) == Limits.lookupTableSize,
                     "Limits and shim.h disagree")
        switch role {
        case .primary:
            try Prerequisites.checkForPrimary()
            for device in devices { try PortDiagnosis.check(device) }
            removedStaleFiles = try PrimaryLock.removeStaleState(names)
        case .secondary:
            guard PrimaryLock.isHeld(names) else { throw .managerNotRunning(platform: names.platform) }
        }
        // The CPUs this process was given (all of them, unless `taskset` or a
        // cpuset says otherwise): the EAL sets its threads' affinity to its
        // lcores' CPU sets, and would otherwise widen what it was given.
        let cpus = ProcessCPU.allowedForCallingThread() ?? "0-\(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1)"
        var args = [
            "swiftnfv",
            "--proc-type=\(role == .primary ? "primary" : "secondary")",
            "--file-prefix=\(names.filePrefix)",
            "--base-virtaddr=\(SharedNames.baseVirtualAddress)",
            // lcore 0 may run on any of those CPUs: the scheduler places the
            // threads. The manager has a worker lcore too, for its dataplane thread.
            "--lcores=0@(\(cpus))" + (role == .primary ? ",\(Self.workerLcore)@(\(cpus))" : ""),
            "--no-telemetry",
            "--log-level=lib.eal:error",
            "--log-level=pmd.*:warning",
            "--legacy-mem",
        ]
        if role == .primary { args.append("--socket-mem=\(memoryMegabytes)") }
        var pci = false
        for device in devices {
            if Self.isPCIAddress(device) { args += ["-a", device]; pci = true } else { args.append("--vdev=\(device)") }
        }
        if !pci { args.append("--no-pci") }
        let argv = args.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        let rc = cArgs.withUnsafeMutableBufferPointer { rte_eal_init(Int32(args.count), $0.baseAddress) }
        guard rc >= 0 else {
            let e = nfv_errno()
            if role == .secondary { throw .managerNotRunning(platform: names.platform) }
            // A primary that failed leaves nothing behind.
            PrimaryLock.removeFiles(names)
            throw .ealInitFailed("primary", errno: e)
        }
    }

    /// Huge-page memory for a manager with `poolSize` buffers and NF rings
    /// of `ringSize`, in megabytes: the pool, every slot's rings and message
    /// rings, the shared tables, what each NF's EAL allocates when it
    /// attaches (about 1 MB), and a margin for port drivers.
    public static func memoryMegabytes(poolSize: Int, ringSize: Int) -> Int {
        let mb = 1 << 20
        let pool = poolSize * (Int(nfv_default_buf_size()) + 256) / mb
        let rings = Limits.maxNFs * (2 * ringSize * 8 + 2 * Int(NFV_MSG_RING_SIZE) * MemoryLayout<nfv_msg_t>.size + 4096 * 8) / mb
        let tables = (MemoryLayout<nfv_shared_t>.size + MemoryLayout<nfv_steer_t>.size) / mb
        let total = pool + rings + tables + Limits.maxNFs + 96
        return (total + 1) & ~1
    }

    /// The manager's EAL worker lcore (its dataplane thread): an lcore ID
    /// of its own, so that the pool's per-lcore cache serves it alone
    /// (`PacketPool`). NFs run as lcore 0 and have no worker.
    public static let workerLcore: UInt32 = 1

    /// Runs `body` on the manager's worker lcore (an EAL thread, waiting
    /// since start-up; it may run on any CPU). Throws if there is none or it is busy.
    public func launchOnWorker(_ body: @escaping () -> Void) throws(NFVError) {
        final class Body { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = rte_eal_remote_launch({ arg in
            Unmanaged<Body>.fromOpaque(arg!).takeRetainedValue().run()
            return 0
        }, context, Self.workerLcore)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .invalid("cannot launch on lcore \(Self.workerLcore): \(errnoText(-rc))")
        }
    }

    /// Waits until what `launchOnWorker` started has returned.
    public func waitForWorker() { _ = rte_eal_wait_lcore(Self.workerLcore) }

    /// Pins the calling thread to `cpu` (after start-up: the EAL sets the
    /// main thread's affinity to every CPU the process was given).
    public func pin(toCPU cpu: Int) throws(NFVError) {
        let rc = nfv_pin_to_cpu(Int32(cpu))
        guard rc == 0 else { throw .invalid("cannot pin to CPU \(cpu): \(errnoText(rc)) (this machine has \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs)") }
    }

    /// `0000:01:00.0` or `01:00.0`.
    static func isPCIAddress(_ s: String) -> Bool {
        let parts = s.split(separator: ",")[0].split(separator: ":")
        guard parts.count == 2 || parts.count == 3, parts.last?.contains(".") == true else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isHexDigit || $0 == "." } }
    }

    /// Ends the EAL. For the primary, also removes the huge-page files and
    /// run-time folder so the next manager starts clean.
    public func shutdown() {
        guard running else { return }
        running = false
        rte_eal_cleanup()
        if role == .primary { PrimaryLock.removeFiles(names) }
    }
}
