import NFVKit

/// Changes steering at run time through the manager's message API: at start
/// it sets chains and installs rules; then, if told, it moves one rule
/// between targets at a steady rate (replacing it in place, so that the
/// flows it matches alternate between, say, two chains), for measuring and
/// testing live changes under load. Its service needs `install_rules` (and
/// `change_chains` to set chains) in the manager's `permissions`.
public struct SteeringTool: NetworkFunction {
    public struct Flip: Sendable {
        /// The rule to move; its `id` must be set (the rule is replaced in place).
        public var rule: FlowRule
        public var targets: [FlowTarget]
        public var perSecond: Int
        public init(rule: FlowRule, targets: [FlowTarget], perSecond: Int) {
            self.rule = rule
            self.targets = targets
            self.perSecond = perSecond
        }
    }

    let chains: [ChainSpec]
    let rules: [FlowRule]
    let flip: Flip?
    /// Requests sent, answered done, refused.
    public private(set) var sent = 0, done = 0, refused = 0
    var flips = 0
    var flipStart: UInt64 = 0
    var lastReport = (time: UInt64(0), done: 0)
    var firstRefusal: String?
    /// Requests it leaves unanswered at most (the request ring holds 255).
    static let maxInFlight = 128

    public init(chains: [ChainSpec], rules: [FlowRule], flip: Flip?) {
        self.chains = chains
        self.rules = rules
        self.flip = flip
    }

    public mutating func setup(context: NFContext) throws {
        for c in chains { try ask(.setChain(c), context) }
        for r in rules { try ask(.addRule(r), context) }
        lastReport = (context.nanoseconds, 0)
    }

    mutating func ask(_ request: ManagerRequest, _ context: NFContext) throws {
        guard context.request(request) != nil else { throw NFVError.invalid("the manager's request ring is full") }
        sent += 1
    }

    public mutating func handle(_ packet: Packet, context: NFContext) -> Action { .next }

    public mutating func received(_ reply: ManagerReply, context: NFContext) {
        switch reply {
        case .done: done += 1
        case .refused(_, let reason):
            refused += 1
            if firstRefusal == nil {
                firstRefusal = reason
                context.log("refused: \(reason)")
            }
        }
    }

    public var tickInterval: Duration? { flip == nil ? .seconds(1) : .milliseconds(1) }

    public mutating func tick(context: NFContext) {
        let now = context.nanoseconds
        if let flip, done + refused >= chains.count + rules.count {
            // Flip once the set-up requests are answered.
            if flipStart == 0 { flipStart = now }
            let due = Int(Double(now - flipStart) / 1e9 * Double(flip.perSecond))
            // Send what is due, keeping at most `maxInFlight` unanswered.
            while flips < due, sent - done - refused < Self.maxInFlight {
                var r = flip.rule
                r.target = flip.targets[flips % flip.targets.count]
                guard (try? ask(.addRule(r), context)) != nil else { break }
                flips += 1
            }
        }
        if now - lastReport.time >= 1_000_000_000 {
            let rate = Double(done - lastReport.done) / (Double(now - lastReport.time) / 1e9)
            context.log("changes done \(done) (\(Int(rate))/s), refused \(refused)")
            lastReport = (now, done)
        }
    }

    public mutating func finish(context: NFContext) {
        context.log("done: requests \(sent), done \(done), refused \(refused)")
    }
}
