import NFVCore
import NFVShared

/// NFs' requests to change the flow table and the chains, on the manager's
/// control thread: each is checked against the NF's service's permissions,
/// its instance's rate (a token bucket) and its rule limit, then applied through
/// `SteeringControl`; what one pass changes is published as one version.
/// The answer goes back once the version holding the change is published, so an NF told `done` knows that the next packet
/// entering meets it. A refusal changes nothing and says why.
final class RuleRequests {
    let table: SharedTable
    let channels: [MessageChannel]
    let steering: SteeringControl
    let permissions: [ServiceID: NFPermissions]
    let log: (String) -> Void
    /// Per slot: rule-change tokens left, and when they were last topped up.
    private var tokens = [Double](repeating: 0, count: Limits.maxNFs)
    private var toppedAt = [UInt64](repeating: 0, count: Limits.maxNFs)
    /// Answers waiting for their version to be published.
    private var waiting: [(slot: Int, reply: ManagerReply)] = []
    /// Requests handled per slot per pass (the rest wait for the next pass).
    static let perPass = 64
    /// Alarms an NF may raise a second (at least; more if its rule rate is higher).
    static let alarmsPerSecond = 10
    let events: any EventSink

    init(table: SharedTable, channels: [MessageChannel], steering: SteeringControl,
         permissions: [ServiceID: NFPermissions], events: any EventSink, log: @escaping (String) -> Void) {
        self.events = events
        self.table = table
        self.channels = channels
        self.steering = steering
        self.permissions = permissions
        self.log = log
    }

    /// A new instance takes slot `i`: empty rings, a full bucket.
    func admit(_ i: Int, service: ServiceID, now: UInt64) {
        channels[i].reset()
        tokens[i] = Double(max(permissions[service]?.rulesPerSecond ?? 0, Self.alarmsPerSecond))
        toppedAt[i] = now
    }

    /// Handles what running NFs asked for (at most `perPass` requests of
    /// each); sends the answers whose version is out. Returns whether some
    /// NF may have more waiting (poll again without sleeping).
    @discardableResult
    func poll(now: UInt64) -> Bool {
        var handled = false
        var more = false
        var mask = table.activeMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            let slot = table.slot(InstanceID(UInt16(i + 1)))
            guard slot.state == .running else { continue }
            for n in 0..<Self.perPass {
                guard let (seq, request, problem) = channels[i].receiveRequest() else { break }
                if n == Self.perPass - 1 { more = true }
                handled = true
                let reply = answer(seq, request, problem, slot: slot, index: i, now: now)
                if case .refused(_, let why) = reply {
                    slot.ruleRefusals += 1
                    // The first few, then one in a thousand: a misbehaving NF cannot flood the log.
                    let n = slot.ruleRefusals
                    if n <= 3 || n % 1000 == 0 {
                        log("refused a request of instance \(i + 1) ('\(slot.name)'): \(why) (\(n) refused so far)")
                    }
                    send(reply, to: i)
                } else {
                    slot.ruleChanges += 1
                    waiting.append((i, reply))
                }
            }
        }
        // Everything this pass changed goes out in one version.
        if handled { _ = steering.publishPending() }
        if !steering.pending && !waiting.isEmpty {
            for (i, reply) in waiting { send(reply, to: i) }
            waiting.removeAll(keepingCapacity: true)
        }
        return more
    }

    /// Whether a running NF has a request waiting (checked after arming the
    /// control doorbell, so that one sent just before is not slept over).
    var anyWaiting: Bool {
        var mask = table.activeMask
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask - 1
            // Only running NFs' requests are handled (as in `poll`).
            if channels[i].hasRequest, table.slot(InstanceID(UInt16(i + 1))).state == .running { return true }
        }
        return false
    }

    private func answer(_ seq: UInt32, _ request: ManagerRequest?, _ problem: String?, slot: NFSlot, index i: Int,
                        now: UInt64) -> ManagerReply {
        guard let request else { return .refused(seq: seq, reason: "malformed request: \(problem ?? "unreadable")") }
        let id = InstanceID(UInt16(i + 1))
        let p = permissions[slot.service] ?? NFPermissions()
        switch request {
        case .addRule, .removeRule:
            guard p.installRules else {
                return .refused(seq: seq, reason: "service \(slot.service.rawValue) may not change rules (permissions: install_rules)")
            }
        case .setChain, .removeChain:
            guard p.changeChains else {
                return .refused(seq: seq, reason: "service \(slot.service.rawValue) may not change chains (permissions: change_chains)")
            }
        case .alarm(let text):
            // Through the same token bucket as changes would be: an NF
            // raising alarms in a loop cannot flood the event stream.
            let rate = Double(max(p.rulesPerSecond, Self.alarmsPerSecond))
            tokens[i] = min(rate, tokens[i] + Double(now &- toppedAt[i]) / 1e9 * rate)
            toppedAt[i] = now
            guard tokens[i] >= 1 else { return .refused(seq: seq, reason: "rate limit: \(Int(rate)) alarms a second") }
            tokens[i] -= 1
            events.publish(.alarm, instance: i + 1, service: Int(slot.service.rawValue), message: text)
            return .done(seq: seq, ruleID: 0, version: steering.version)
        }
        // Top up the bucket: rulesPerSecond tokens a second, at most that many.
        let rate = Double(p.rulesPerSecond)
        tokens[i] = min(rate, tokens[i] + Double(now &- toppedAt[i]) / 1e9 * rate)
        toppedAt[i] = now
        guard tokens[i] >= 1 else {
            return .refused(seq: seq, reason: "rate limit: \(p.rulesPerSecond) changes a second for service \(slot.service.rawValue)")
        }
        do throws(SteeringSpec.Refusal) {
            switch request {
            case .addRule(var rule):
                let mine = steering.spec.rules(ownedBy: id)
                let replacing = rule.id != 0 && mine.contains { $0.id == rule.id }
                if rule.id != 0, !replacing, steering.spec.rules.contains(where: { $0.id == rule.id }) {
                    throw SteeringSpec.Refusal("rule \(rule.id) belongs to someone else")
                }
                guard replacing || mine.count < p.maxRules else {
                    throw SteeringSpec.Refusal("instance \(i + 1) has \(mine.count) rules, its limit (max_rules)")
                }
                rule.owner = id
                let ruleID = try steering.change { (s) throws(SteeringSpec.Refusal) in try s.addRule(rule) }
                tokens[i] -= 1
                return .done(seq: seq, ruleID: ruleID, version: steering.version)
            case .removeRule(let ruleID):
                guard steering.spec.rules(ownedBy: id).contains(where: { $0.id == ruleID }) else {
                    throw SteeringSpec.Refusal("rule \(ruleID) is not one instance \(i + 1) installed")
                }
                try steering.change { (s) throws(SteeringSpec.Refusal) in _ = try s.removeRule(id: ruleID) }
                tokens[i] -= 1
                return .done(seq: seq, ruleID: ruleID, version: steering.version)
            case .setChain(let chain):
                try steering.change { (s) throws(SteeringSpec.Refusal) in try s.setChain(chain) }
                tokens[i] -= 1
                return .done(seq: seq, ruleID: 0, version: steering.version)
            case .removeChain(let name):
                try steering.change { (s) throws(SteeringSpec.Refusal) in try s.removeChain(named: name) }
                tokens[i] -= 1
                return .done(seq: seq, ruleID: 0, version: steering.version)
            case .alarm:
                preconditionFailure("answered above")
            }
        } catch {
            return .refused(seq: seq, reason: error.problem)
        }
    }

    /// Sends instance slot `i` a reload command; false when its ring is full.
    func sendReload(to i: Int) -> Bool {
        guard channels[i].sendReload() else { return false }
        table.slot(InstanceID(UInt16(i + 1))).doorbell.ring()
        return true
    }

    private func send(_ reply: ManagerReply, to i: Int) {
        if !channels[i].send(reply) { log("instance \(i + 1) does not read its replies: one dropped") }
        table.slot(InstanceID(UInt16(i + 1))).doorbell.ring()
    }
}
