import Foundation
import NFVCore
import NFVShared

/// What each control-API command does, on the manager's control thread
/// (called from `ControlInbox.drain` between passes). Reads come from the
/// shared table, the steering spec and the supervisor as they are now;
/// changes go through the same checked paths as the configuration's and
/// NFs' (a refused change changes nothing and says why).
extension Manager {
    func execute(_ command: ControlCommand, now: UInt64) -> ControlReply {
        switch command {
        case .status:
            return .json(StatusInfo(name: config.name, pid: getpid(), state: stopRequested ? "stopping" : "running",
                                    uptimeSeconds: Double(now &- started) / 1e9, ports: io.ports.count,
                                    nfs: table.allSlots.filter { $0.state == .running }.count,
                                    steeringVersion: table.steering.currentVersion, standbyReady: supervisor.standbyReady))
        case .ports:
            let s = latestStats
            return .json((0..<table.portCount).map { i -> PortInfo in
                let c = table.port(PortID(UInt16(i)))
                let rates = s?.ports.first { $0.port == UInt16(i) }
                let chain = steering.spec.defaultChain(of: PortID(UInt16(i))).flatMap { steering.spec.chains[Int($0.rawValue)]?.name }
                return PortInfo(port: i, device: c.device, defaultChain: chain, rx: c.rx, tx: c.tx, dropped: c.dropped,
                                rxMpps: rates?.rxMpps ?? 0, txMpps: rates?.txMpps ?? 0, rxBytes: c.rxBytes, txBytes: c.txBytes)
            })
        case .nfs:
            return .json(instanceIDs.compactMap(nfInfo))
        case .nf(let i):
            guard let info = (1...Limits.maxNFs).contains(i) ? nfInfo(i) : nil else { return .error(404, "no NF instance \(i)") }
            return .json(info)
        case .launch(let spec):
            do {
                let i = try supervisor.launch(spec, now: now)
                return .json(nfInfo(i), status: 201)
            } catch {
                return .error(error.status, error.message)
            }
        case .launchGroup(let group):
            do {
                let instances = try supervisor.launch(group, now: now)
                return .json(instances.compactMap(nfInfo), status: 201)
            } catch {
                return .error(error.status, error.message)
            }
        case .groups:
            return .json(supervisor.groupNames.compactMap(supervisor.groupInfo))
        case .stopGroup(let name):
            guard let group = supervisor.groupInfo(name), let first = group.members.first else { return .error(404, "no group '\(name)'") }
            guard group.state != "stopped" && group.state != "failed" else { return .error(409, "group '\(name)' is \(group.state)") }
            _ = supervisor.stop(first)
            return .json(supervisor.groupInfo(name), status: 202)
        case .stop(let i):
            guard let info = (1...Limits.maxNFs).contains(i) ? nfInfo(i) : nil else { return .error(404, "no NF instance \(i)") }
            if !supervisor.stop(i) {
                let slot = table.slot(InstanceID(UInt16(i)))
                guard slot.state == .running, slot.pid > 0 else { return .error(409, "instance \(i) is \(info.state), not running") }
                ProcessWatch.terminate(slot.pid)
            }
            return .json(nfInfo(i) ?? info, status: 202)
        case .reload(let i):
            guard (1...Limits.maxNFs).contains(i), table.slot(InstanceID(UInt16(i))).state == .running else {
                return .error(404, "no running NF instance \(i)")
            }
            guard ruleRequests.sendReload(to: i - 1) else { return .error(503, "instance \(i) does not read its messages") }
            return .json(nfInfo(i), status: 202)
        case .setCPU(let i, let weight, let cap):
            guard (1...Limits.maxNFs).contains(i), nfInfo(i) != nil else { return .error(404, "no NF instance \(i)") }
            do {
                // A supervised NF's spec, or else a running NF's claim (started by hand).
                var set = try supervisor.setCPU(i, weight: weight, cap: cap)
                if !set { set = try handStarted.set(i, weight: weight, cap: cap) }
                guard set else {
                    return .error(409, "instance \(i) is \(table.slot(InstanceID(UInt16(i))).state), not running")
                }
            } catch {
                return .error(error.status, error.message)
            }
            return .json(nfInfo(i))
        case .services:
            return .json(serviceInfos)
        case .scale(let service, let n):
            return scale(service: service, to: n, now: now)
        case .chains:
            return .json(chainInfos)
        case .setChain(let name, let body):
            guard ManagerConfig.isValidName(name) else {
                return .error(400, "chain name '\(name)' must be 1 to \(Limits.maxNameLength) letters, digits, '-' or '_'")
            }
            let chain: ChainSpec
            do {
                let parsed = try ConfigParser.chains("{\(name): \(body)}")
                guard parsed.count == 1, parsed[0].name == name else { return .error(400, "the body must be one chain, such as {\"steps\": [1, 2], \"exit\": \"other\"}") }
                chain = parsed[0]
            } catch {
                return .error(400, error.problem)
            }
            do {
                try steering.change { (s) throws(SteeringSpec.Refusal) in try s.setChain(chain) }
            } catch {
                return .error(409, error.problem)
            }
            events.publish(.chainSet, instance: nil, service: nil, message: "chain \(name) set: \(chain.steps.map(\.rawValue))")
            let index = Int(steering.spec.index(ofChain: name)!.rawValue)
            return .json(SteeringChange(version: steering.version, chain: ChainInfo(chain, index: index)))
        case .removeChain(let name):
            guard steering.spec.index(ofChain: name) != nil else { return .error(404, "no chain named '\(name)'") }
            do {
                try steering.change { (s) throws(SteeringSpec.Refusal) in try s.removeChain(named: name) }
            } catch {
                return .error(409, error.problem)
            }
            events.publish(.chainRemoved, instance: nil, service: nil, message: "chain \(name) removed")
            return .json(SteeringChange(version: steering.version))
        case .rules:
            return .json(steering.spec.rules.map(RuleInfo.init))
        case .addRule(let body, let id):
            var rule: FlowRule
            do { rule = try ConfigParser.rule(body) } catch { return .error(400, error.problem) }
            if let id {
                if rule.id != 0 && rule.id != id { return .error(400, "the body's id \(rule.id) is not the path's \(id)") }
                guard steering.spec.rules.contains(where: { $0.id == id }) else { return .error(404, "no rule \(id)") }
                rule.id = id
            } else if rule.id != 0, steering.spec.rules.contains(where: { $0.id == rule.id }) {
                return .error(409, "rule \(rule.id) exists (PUT /v1/rules/\(rule.id) replaces it)")
            }
            let ruleID: UInt32
            do {
                ruleID = try steering.change { (s) throws(SteeringSpec.Refusal) in try s.addRule(rule) }
            } catch {
                return .error(409, error.problem)
            }
            let added = steering.spec.rules.first { $0.id == ruleID }!
            events.publish(.ruleAdded, instance: nil, service: nil, message: "rule \(ruleID) \(id == nil ? "added" : "replaced"): to \(added.target)")
            return .json(SteeringChange(version: steering.version, rule: RuleInfo(added)), status: id == nil ? 201 : 200)
        case .removeRule(let id):
            do {
                try steering.change { (s) throws(SteeringSpec.Refusal) in _ = try s.removeRule(id: id) }
            } catch {
                return .error(404, error.problem)
            }
            events.publish(.ruleRemoved, instance: nil, service: nil, message: "rule \(id) removed")
            return .json(SteeringChange(version: steering.version))
        case .stats:
            guard let s = latestStats else { return .error(503, "no statistics yet: the manager is starting") }
            return .json(s)
        case .shutdown:
            stopRequested = true
            events.publish(.shutdown, instance: nil, service: nil, message: "stopping (asked through the API)")
            return .json(StatusInfo(name: config.name, pid: getpid(), state: "stopping", uptimeSeconds: Double(now &- started) / 1e9,
                                    ports: io.ports.count, nfs: 0, steeringVersion: table.steering.currentVersion), status: 202)
        }
    }

    /// Instances that are registered or supervised, in order.
    private var instanceIDs: [Int] {
        (1...Limits.maxNFs).filter { table.slot(InstanceID(UInt16($0))).state != .free || supervisor.info($0) != nil }
    }

    /// Instance `i` as the API shows it: its slot and its supervision, merged.
    func nfInfo(_ i: Int) -> NFInfo? {
        let slot = table.slot(InstanceID(UInt16(i)))
        let state = slot.state
        let r = supervisor.info(i)
        let registered = state != .free && state != .claimed && state != .refused && (r == nil || slot.pid == r!.pid)
        guard registered || r != nil else { return nil }
        let c = registered ? slot.counters : NFCounters()
        var info = NFInfo(instance: i, service: registered ? Int(slot.service.rawValue) : r!.spec.service,
                      name: registered ? slot.name : r!.spec.kind, pid: registered ? slot.pid : r!.pid,
                      state: registered ? state.description : r!.state.rawValue, supervised: r != nil, launch: r?.spec,
                      restarts: r?.restarts ?? 0, history: r?.history ?? [], rx: c.rx, tx: c.tx,
                      dropped: c.dropped + c.noRoute + c.ringFull, rxRing: registered ? rxRings[i - 1].count : 0,
                      logFile: r?.logFile, cpuPercent: r?.cpuPercent)
        let hand = r == nil ? handStarted.claims[i] : nil
        if r != nil || hand != nil {
            info.cpuEntitledPercent = supervisor.entitlements(cpus: ProcessInfo.processInfo.activeProcessorCount,
                                                              also: handStarted.entitlementClaims)[i]
        }
        if let hand {
            info.cpuPercent = hand.percent
            info.cpuWeight = hand.weight
            info.cpuCap = hand.cap
        }
        return info
    }

    private var serviceInfos: [ServiceInfo] {
        let s = latestStats
        var ids = Set(s?.services.map { Int($0.service) } ?? [])
        ids.remove(0)
        for i in 1...Limits.maxNFs {
            let slot = table.slot(InstanceID(UInt16(i)))
            if slot.state == .running { ids.insert(Int(slot.service.rawValue)) }
            if let r = supervisor.info(i) { ids.insert(r.spec.service) }
        }
        return ids.sorted().map { id in
            let sums = s?.services.first { Int($0.service) == id }
            return ServiceInfo(service: id, instances: table.instances(of: ServiceID(UInt16(id))).map { Int($0.rawValue) },
                               supervised: supervisor.live(of: id).sorted(), rx: sums?.rx ?? 0, tx: sums?.tx ?? 0,
                               dropped: sums?.dropped ?? [:])
        }
    }

    private var chainInfos: [ChainInfo] {
        steering.spec.chains.enumerated().compactMap { i, c in c.map { ChainInfo($0, index: i) } }
    }

    /// Starts copies of the service's latest supervised instance, or stops
    /// its latest supervised instances, until it has `n` supervised ones.
    private func scale(service: Int, to n: Int, now: UInt64) -> ControlReply {
        guard (1..<Limits.maxServices).contains(service) else { return .error(400, "service \(service) is out of range (1...\(Limits.maxServices - 1))") }
        guard (0...Limits.maxInstancesPerService).contains(n) else {
            return .error(400, "instances must be 0...\(Limits.maxInstancesPerService), got \(n)")
        }
        let live = supervisor.live(of: service)
        var launched: [Int] = [], stopping: [Int] = []
        if n > live.count {
            guard let template = live.first.flatMap({ supervisor.info($0)?.spec })
                    ?? supervisor.records.values.filter({ $0.spec.service == service }).max(by: { $0.instance < $1.instance })?.spec else {
                return .error(409, "service \(service) has no supervised instance to copy: launch one first (POST /v1/nfs)")
            }
            var spec = template
            spec.instance = nil
            // A copy of a group's member runs as a process of its own.
            spec.group = nil
            for _ in live.count..<n {
                do { launched.append(try supervisor.launch(spec, now: now)) } catch {
                    return .error(error.status, "launched \(launched.count) of \(n - live.count): \(error.message)")
                }
            }
        } else {
            // Stopping a group's member would stop the group's other services too.
            let own = live.filter { supervisor.info($0)?.spec.group == nil }
            guard live.count - n <= own.count else {
                let groups = Set(live.compactMap { supervisor.info($0)?.spec.group }).sorted()
                return .error(409, "service \(service) has \(live.count - own.count) instance(s) in group(s) \(groups.joined(separator: ", ")), which stop with their group only: stop the group (DELETE /v1/groups/NAME) or scale to \(live.count - own.count) or more")
            }
            for i in own.prefix(live.count - n) where supervisor.stop(i) { stopping.append(i) }
        }
        return .json(ScaleResult(service: service, instances: n, launched: launched, stopping: stopping), status: 202)
    }
}
