@preconcurrency import CDPDK
import NFVCore
import NFVPacket

/// The two message rings of one NF slot (`nfv_msg_t` elements, SP/SC):
/// requests from the NF to the manager, replies back. Each side holds one
/// `MessageChannel` and uses its own direction only.
public struct MessageChannel: @unchecked Sendable {
    let up: OpaquePointer
    let down: OpaquePointer

    /// Creates the rings of every slot (manager).
    public static func createAll() throws(NFVError) -> [MessageChannel] {
        try (0..<Limits.maxNFs).map { i throws(NFVError) in
            for name in [SharedNames.requestRing(slot: i), SharedNames.replyRing(slot: i)] {
                if let old = rte_ring_lookup(name) { rte_ring_free(old) }
            }
            guard let up = nfv_msg_ring_create(SharedNames.requestRing(slot: i)) else {
                throw .ringCreationFailed(SharedNames.requestRing(slot: i), errno: nfv_errno())
            }
            guard let down = nfv_msg_ring_create(SharedNames.replyRing(slot: i)) else {
                throw .ringCreationFailed(SharedNames.replyRing(slot: i), errno: nfv_errno())
            }
            return MessageChannel(up: up, down: down)
        }
    }

    /// Finds the rings of slot `index` (NF).
    public static func lookup(slot index: Int) throws(NFVError) -> MessageChannel {
        guard let up = rte_ring_lookup(SharedNames.requestRing(slot: index)) else { throw .sharedObjectMissing(SharedNames.requestRing(slot: index)) }
        guard let down = rte_ring_lookup(SharedNames.replyRing(slot: index)) else { throw .sharedObjectMissing(SharedNames.replyRing(slot: index)) }
        return MessageChannel(up: up, down: down)
    }

    /// Empties both rings (manager, while no process uses the slot).
    public func reset() {
        nfv_ring_reset(up)
        nfv_ring_reset(down)
    }

    // MARK: NF side

    /// Queues request `seq`; false when the ring is full.
    public func send(_ request: ManagerRequest, seq: UInt32) -> Bool {
        var m = nfv_msg_t()
        m.seq = seq
        switch request {
        case .addRule(let rule):
            m.type = UInt32(NFV_MSG_ADD_RULE)
            RuleCoding.encode(rule, chainIndex: { _ in 0 }, into: &m.rule)
            if case .chain(let name) = rule.target { Self.setText(&m, name) }
        case .removeRule(let id):
            m.type = UInt32(NFV_MSG_REMOVE_RULE)
            m.rule.id = id
        case .setChain(let chain):
            m.type = UInt32(NFV_MSG_SET_CHAIN)
            Self.setText(&m, chain.name)
            m.chain.defined = 1
            m.chain.length = UInt32(min(chain.steps.count, Limits.maxChainLength))
            m.chain.exit_port = chain.exit.encoded
            withUnsafeMutableBytes(of: &m.chain.services) { b in
                let steps = b.bindMemory(to: UInt16.self)
                for (i, s) in chain.steps.prefix(Limits.maxChainLength).enumerated() { steps[i] = s.rawValue }
            }
        case .removeChain(let name):
            m.type = UInt32(NFV_MSG_REMOVE_CHAIN)
            Self.setText(&m, name)
        case .alarm(let text):
            m.type = UInt32(NFV_MSG_ALARM)
            Self.setText(&m, text)
        }
        return nfv_msg_send(up, &m) == 0
    }

    /// The next message from the manager, if any.
    public func receiveMessage() -> ManagerMessage? {
        var m = nfv_msg_t()
        guard nfv_msg_receive(down, &m) == 0 else { return nil }
        if m.type == UInt32(NFV_MSG_DONE) { return .reply(.done(seq: m.seq, ruleID: m.rule_id, version: m.version)) }
        if m.type == UInt32(NFV_MSG_RELOAD) { return .reload }
        return .reply(.refused(seq: m.seq, reason: Self.text(m)))
    }

    /// Whether a reply waits (one load of each end of the ring).
    @inlinable public var hasReply: Bool { nfv_ring_count(downRing) > 0 }
    @usableFromInline var downRing: OpaquePointer { down }

    // MARK: manager side

    /// Whether a request waits (one load of each end of the ring).
    public var hasRequest: Bool { nfv_ring_count(up) > 0 }

    /// The next request and its number, if any; a malformed one comes back
    /// as `nil` request with its number, to be refused.
    public func receiveRequest() -> (seq: UInt32, request: ManagerRequest?, problem: String?)? {
        var m = nfv_msg_t()
        guard nfv_msg_receive(up, &m) == 0 else { return nil }
        switch Int(m.type) {
        case Int(NFV_MSG_ADD_RULE):
            let name = Self.text(m)
            switch RuleCoding.decode(m.rule, chainName: { _ in name }) {
            case .success(let rule): return (m.seq, .addRule(rule), nil)
            case .failure(let problem): return (m.seq, nil, problem.description)
            }
        case Int(NFV_MSG_REMOVE_RULE): return (m.seq, .removeRule(id: m.rule.id), nil)
        case Int(NFV_MSG_SET_CHAIN):
            guard m.chain.length <= UInt32(Limits.maxChainLength) else { return (m.seq, nil, "a chain of \(m.chain.length) steps") }
            let steps = withUnsafeBytes(of: m.chain.services) { b in
                (0..<Int(m.chain.length)).map { ServiceID(b.load(fromByteOffset: 2 * $0, as: UInt16.self)) }
            }
            guard m.chain.exit_port >= -2 else { return (m.seq, nil, "exit port \(m.chain.exit_port)") }
            return (m.seq, .setChain(ChainSpec(name: Self.text(m), steps: steps, exit: ChainExit(encoded: m.chain.exit_port))), nil)
        case Int(NFV_MSG_REMOVE_CHAIN): return (m.seq, .removeChain(name: Self.text(m)), nil)
        case Int(NFV_MSG_ALARM): return (m.seq, .alarm(Self.text(m)), nil)
        default: return (m.seq, nil, "unknown message type \(m.type)")
        }
    }

    /// Queues a reply; false when the NF's reply ring is full (it is not
    /// reading its replies).
    @discardableResult
    public func send(_ reply: ManagerReply) -> Bool {
        var m = nfv_msg_t()
        switch reply {
        case .done(let seq, let id, let version):
            m.type = UInt32(NFV_MSG_DONE); m.seq = seq; m.rule_id = id; m.version = version
        case .refused(let seq, let reason):
            m.type = UInt32(NFV_MSG_REFUSED); m.seq = seq
            Self.setText(&m, reason)
        }
        return nfv_msg_send(down, &m) == 0
    }

    /// Queues a reload command; false when the NF's ring is full.
    public func sendReload() -> Bool {
        var m = nfv_msg_t()
        m.type = UInt32(NFV_MSG_RELOAD)
        return nfv_msg_send(down, &m) == 0
    }

    static func setText(_ m: inout nfv_msg_t, _ text: String) {
        withUnsafeMutableBytes(of: &m.text) { b in
            let bytes = Array(text.utf8.prefix(b.count - 1))
            for (i, c) in bytes.enumerated() { b[i] = c }
            b[bytes.count] = 0
        }
    }

    static func text(_ m: nfv_msg_t) -> String {
        withUnsafeBytes(of: m.text) { b in
            let end = b.firstIndex(of: 0) ?? b.count
            return String(decoding: b[..<end], as: UTF8.self)
        }
    }
}
