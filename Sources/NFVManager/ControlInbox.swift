import NFVCore
import Synchronization

/// The manager's side of the control API: commands from the API's threads
/// queue here, the control thread carries them out between its passes
/// (`drain`) and each caller is resumed with its reply. The dataplane
/// thread never sees any of it; the control thread never waits for the API.
public final class ControlInbox: ControlBackend {
    private typealias Pending = (command: ControlCommand, reply: CheckedContinuation<ControlReply, Never>)
    private let queue = Mutex<[Pending]>([])
    private let closed = Mutex<Bool>(false)
    private let wake: @Sendable () -> Void

    /// `wake` rings the control thread's doorbell.
    init(wake: @escaping @Sendable () -> Void) { self.wake = wake }

    public func perform(_ command: ControlCommand) async -> ControlReply {
        await withCheckedContinuation { (c: CheckedContinuation<ControlReply, Never>) in
            let accepted = closed.withLock { isClosed in
                guard !isClosed else { return false }
                queue.withLock { $0.append((command, c)) }
                return true
            }
            if accepted { wake() } else { c.resume(returning: .error(503, "the manager is stopping")) }
        }
    }

    /// Whether a command waits (checked after arming the doorbell).
    var anyWaiting: Bool { queue.withLock { !$0.isEmpty } }

    /// Carries out every queued command with `execute`, in order.
    func drain(_ execute: (ControlCommand) -> ControlReply) {
        let batch = queue.withLock { q in
            let b = q
            q.removeAll()
            return b
        }
        for p in batch { p.reply.resume(returning: execute(p.command)) }
    }

    /// Refuses every command from now on, and those still queued.
    func close() {
        closed.withLock { $0 = true }
        drain { _ in .error(503, "the manager is stopping") }
    }
}
