import Foundation
import NFVCore
import NFVShared

/// The NF manager: the DPDK primary process. It owns the packet pool, the
/// shared table and every NF's rings, polls the ports, tracks NFs as they
/// come and go, and reports statistics.
///
/// Threads: the caller's (control: registrations, lifecycles, supervised
/// NFs, the control API's commands, statistics; it sleeps on a doorbell
/// between passes) and one dataplane thread (RX, TX, reclaim; it sleeps
/// when idle). The API's own threads (`NFVControl`) only queue commands in
/// `inbox` and ring the control doorbell. Nothing spins for long with no work.
public final class Manager {
    public let config: ManagerConfig
    public let names: SharedNames
    let env: Environment
    let pool: PacketPool
    let table: SharedTable
    let rxRings: [DescriptorRing]
    let txRings: [DescriptorRing]
    let supplies: [BufferSupply]
    let io: PortIO
    let control = DataplaneControl()
    let registry: Registry
    let dataplane: Dataplane
    let steering: SteeringControl
    let ruleRequests: RuleRequests
    let stats: StatsCollector
    let supervisor: Supervisor
    /// CPU weights and caps of NFs started by hand.
    let handStarted: HandStartedCPU
    /// Where the control API's commands queue for the control thread.
    public let inbox: ControlInbox
    let events: any EventSink
    let log: @Sendable (String) -> Void
    let started = MonotonicClock.nanoseconds()
    /// Set by the API's shutdown (control thread only).
    var stopRequested = false
    /// The statistics of the last once-a-second report (control thread only).
    var latestStats: PlatformStats?
    /// Raises the platform's own alarms (pool, rings) from each report.
    var thresholds: ThresholdAlarms
    /// Buffers the port drivers took when they started (RX descriptors, an
    /// AF_XDP fill ring): theirs until the ports close, and some drivers
    /// keep them even then.
    let heldByPorts: Int
    /// The RPS masks the ports' interfaces had, put back at shutdown.
    let receiveSteering: ReceiveSteering

    /// Starts DPDK, creates the pool, rings and table, and starts the ports.
    /// Cleans up what a crashed manager of the same name left behind.
    public init(config: ManagerConfig, events: any EventSink = NoEvents(), log: @escaping @Sendable (String) -> Void) throws {
        self.events = events
        try config.validate()
        let spec = try config.steering()
        self.config = config
        thresholds = ThresholdAlarms(backpressure: config.backpressure)
        self.log = log
        names = SharedNames(platform: config.name)
        var stale = 0
        var rps = ReceiveSteering()
        env = try Environment(role: .primary, names: names, devices: config.ports,
                              memoryMegabytes: Environment.memoryMegabytes(poolSize: config.poolSize, ringSize: config.ringSize),
                              removedStaleFiles: &stale)
        if stale > 0 { log("removed \(stale) files left by a manager of '\(config.name)' that did not stop cleanly") }
        do {
            let pool = try PacketPool.create(buffers: config.poolSize)
            rxRings = try (0..<Limits.maxNFs).map { i throws(NFVError) in
                try DescriptorRing.create(name: SharedNames.rxRing(slot: i), size: config.ringSize, multiProducer: true)
            }
            txRings = try (0..<Limits.maxNFs).map { i throws(NFVError) in
                try DescriptorRing.create(name: SharedNames.txRing(slot: i), size: config.ringSize, multiProducer: false)
            }
            let supplyRings = try (0..<Limits.maxNFs).map { i throws(NFVError) in
                try DescriptorRing.create(name: SharedNames.supplyRing(slot: i), size: BufferSupply.ringSize, multiProducer: false)
            }
            let channels = try MessageChannel.createAll()
            let ports = try config.ports.map { d throws(NFVError) in try EthernetPort.start(device: d, pool: pool) }
            let record = ReceiveSteering.recordPath(platform: config.name)
            rps = config.keepRPS ? ReceiveSteering(record: record, log: log)
                : ReceiveSteering(devices: config.ports, record: record, log: log)
            let table = try SharedTable.create(config: config, ringSize: config.ringSize, poolSize: config.poolSize)
            for p in ports { table.addPort(dpdkPortID: p.dpdkPortID, device: p.device) }
            steering = SteeringControl(spec: spec, table: table, log: log)
            ruleRequests = RuleRequests(table: table, channels: channels, steering: steering, permissions: config.permissions,
                                        events: events, log: log)
            table.setManagerState(.running)
            supplies = supplyRings.enumerated().map { BufferSupply(ring: $1, slot: table.slot(InstanceID(UInt16($0 + 1)))) }
            io = PortIO(ports: ports, table: table)
            heldByPorts = pool.inUse
            self.pool = pool
            self.table = table
        } catch {
            rps.restore()
            env.shutdown()
            throw error
        }
        receiveSteering = rps
        stats = StatsCollector(name: config.name, table: table, pool: pool, rxRings: rxRings, txRings: txRings,
                               supplies: supplies)
        registry = Registry(table: table, control: control, rxRings: rxRings, txRings: txRings,
                            waitForChain: config.waitForChain, chainServices: { [steering] in steering.chainServices },
                            stats: stats, events: events, log: log)
        // Its run-time folder: statistics, the API's socket, supervised NFs' output.
        try? FileManager.default.createDirectory(atPath: names.runtimeDirectory, withIntermediateDirectories: true)
        supervisor = Supervisor(platform: config.name, runDirectory: names.runtimeDirectory, table: table, events: events, log: log)
        let bell = table.controlDoorbell
        inbox = ControlInbox(wake: { bell.ring() })
        let handStarted = HandStartedCPU(table: table, groups: supervisor.cpuGroups)
        self.handStarted = handStarted
        registry.onAdmit = { [ruleRequests, supervisor, table, log] i, service in
            ruleRequests.admit(i, service: service, now: MonotonicClock.nanoseconds())
            // One the manager started has its weight and cap from its launch.
            let supervised = supervisor.info(i + 1).map { $0.pid == table.slot(InstanceID(UInt16(i + 1))).pid } ?? false
            if !supervised, let line = handStarted.admitted(i + 1) { log(line) }
        }
        dataplane = Dataplane(table: table, io: io, rxRings: rxRings, txRings: txRings, supplies: supplies, pool: pool,
                              control: control, flowTables: steering.flowTables, flowCounts: steering.counts,
                              maxSleepMicroseconds: config.maxIdleSleepMicroseconds, watermarks: config.backpressure,
                              cpu: config.dataplaneCPU)
    }

    /// What the manager reports when it stops.
    public struct Outcome: Sendable {
        /// Statistics at the end, after every NF left.
        public var stats: PlatformStats
        /// Buffers still held by some instance when the manager stopped,
        /// freed by owner at shutdown (0 when every NF left cleanly).
        public var freedAtShutdown: Int
        /// Buffers missing from the pool after everything was returned,
        /// beyond what the port drivers took when they started.
        public var leaked: Int
    }

    /// Runs until `shouldStop()` (polled between passes, at least every
    /// 50 ms), the API's shutdown or `duration` seconds. Starts the
    /// configuration's NFs (`nfs:`) under supervision; carries out the
    /// control API's commands between passes. `report` gets
    /// the statistics once a second. Then stops every NF and the ports.
    public func run(duration: Double?, shouldStop: () -> Bool, report: (PlatformStats) -> Void) -> Outcome {
        dataplane.start(env: env, log: log)
        // The API's statistics from the start (rates from the first report on).
        latestStats = stats.snapshot(reclaimed: 0, strays: 0, dataplaneSleeps: 0, steering: steering.stats)
        for d in config.nfs where !shouldStop() {
            switch d {
            case .nf(let spec, let instances):
                for _ in 0..<instances {
                    do { _ = try supervisor.launch(spec, now: MonotonicClock.nanoseconds()) } catch {
                        log("cannot launch \(spec.kind) for service \(spec.service): \(error.message)")
                    }
                }
            case .group(let group):
                do { _ = try supervisor.launch(group, now: MonotonicClock.nanoseconds()) } catch {
                    log("cannot launch group '\(group.name)': \(error.message)")
                }
            }
        }
        let chains = steering.spec.chains.compactMap { $0 }.map { "\($0.name) \($0.steps.map(\.rawValue))" }
        log("manager '\(config.name)' running: \(config.ports.count) port(s), pool of \(pool.size) buffers, chains: \(chains.isEmpty ? "none" : chains.joined(separator: ", ")), \(steering.spec.rules.count) rule(s)")
        let start = MonotonicClock.nanoseconds()
        let end = duration.map { start + UInt64($0 * 1e9) } ?? .max
        var nextReport = start + 1_000_000_000
        let bell = table.controlDoorbell
        while !shouldStop() && !stopRequested && MonotonicClock.nanoseconds() < end {
            let now = MonotonicClock.nanoseconds()
            inbox.drain { execute($0, now: now) }
            registry.poll(now: now, stopping: false)
            let restarting = supervisor.poll(now: now)
            if config.standby { supervisor.prepareStandby() }
            let moreRequests = ruleRequests.poll(now: now)
            _ = steering.publishPending()
            registry.updateRX()
            if now >= nextReport {
                StatsCollector.write(snapshotAndReport(report), to: names.statsFile)
                nextReport += 1_000_000_000
                if nextReport < now { nextReport = now + 1_000_000_000 }
            }
            // Requests left over from a full pass, or sent since it: no
            // sleep (their senders rang before the doorbell was armed).
            if moreRequests { continue }
            let armed = bell.arm()
            if ruleRequests.anyWaiting || inbox.anyWaiting { bell.disarm(); continue }
            bell.wait(armed: armed, timeoutNanoseconds: registry.busy || steering.pending || restarting ? 5_000_000 : 50_000_000)
        }
        return shutdown(report: report)
    }

    private func snapshotAndReport(_ report: (PlatformStats) -> Void) -> PlatformStats {
        var s = stats.snapshot(reclaimed: registry.reclaimedTotal, strays: registry.straysAfterExit,
                               dataplaneSleeps: control.sleeps.load(ordering: .relaxed), steering: steering.stats)
        (s.ruleHits, s.chainEntries) = steering.flowCounts
        supervisor.sampleCPU(now: MonotonicClock.nanoseconds())
        handStarted.sample(now: MonotonicClock.nanoseconds())
        latestStats = s
        for (text, instance, service) in thresholds.check(s) {
            events.publish(.alarm, instance: instance, service: service, message: text)
        }
        report(s)
        return s
    }

    /// Asks every NF to stop, waits up to 5 s for them to leave, stops the
    /// dataplane and ports, and checks that every buffer is back.
    private func shutdown(report: (PlatformStats) -> Void) -> Outcome {
        log("stopping: asking \(registry.pids.count) NF(s) to leave")
        inbox.close()
        supervisor.stopAll()
        table.setManagerState(.stopping)
        for pid in registry.pids { ProcessWatch.terminate(pid) }
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while registry.anyInUse && MonotonicClock.nanoseconds() < deadline {
            registry.poll(now: MonotonicClock.nanoseconds(), stopping: true)
            let armed = table.controlDoorbell.arm()
            table.controlDoorbell.wait(armed: armed, timeoutNanoseconds: 5_000_000)
        }
        if registry.anyInUse { log("some NFs did not leave within 5 s: \(registry.pids)") }
        supervisor.reapAll()
        dataplane.stopAndWait()
        let freed = dataplane.reclaimAll()
        if freed > 0 { log("freed \(freed) buffers still held by NFs that did not leave") }
        for p in io.ports { p.stop() }
        receiveSteering.restore()
        // The run-time folder (with the live statistics) goes with the EAL
        // below: stopped platforms leave nothing; the caller has `final`.
        let final = snapshotAndReport(report)
        let missing = pool.inUse
        let leaked = max(0, missing - heldByPorts)
        if missing == 0 {
            log("all \(pool.size) buffers are back in the pool")
        } else if leaked == 0 {
            log("all buffers are back in the pool but the \(missing) the port drivers took at start and did not give back on close")
        } else {
            log("\(leaked) of \(pool.size) buffers are missing from the pool")
        }
        env.shutdown()
        return Outcome(stats: final, freedAtShutdown: freed, leaked: leaked)
    }
}
