import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into a flag and a callback, without a
/// signal handler: the signals are blocked in every thread (call `init`
/// before any other thread starts, DPDK's included) and one thread waits for
/// them with `sigwait`.
public final class SignalWatcher: Sendable {
    private let stopFlag = Atomic<Bool>(false)
    private let reloadCount = Atomic<Int>(0)

    /// Blocks the signals and starts the waiting thread. `onSignal` runs on
    /// that thread after the flag is set (use it to ring a doorbell).
    public init(onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let watched = set
        let thread = Thread { [self] in
            var set = watched
            while true {
                var sig: Int32 = 0
                guard sigwait(&set, &sig) == 0 else { continue }
                if sig == SIGHUP {
                    // Relaxed: a counter for whoever polls it; no data rides on it.
                    reloadCount.add(1, ordering: .relaxed)
                } else {
                    // Release: pairs with the acquire in `stopRequested`.
                    stopFlag.store(true, ordering: .releasing)
                }
                onSignal(sig)
            }
        }
        thread.name = "signals"
        thread.start()
    }

    /// Whether SIGINT or SIGTERM arrived (or `requestStop` was called).
    public var stopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    /// How many SIGHUPs arrived (a request to reload configuration).
    public var reloads: Int { reloadCount.load(ordering: .relaxed) }

    /// Stops as if a signal had come (for `--duration` and tests).
    public func requestStop() { stopFlag.store(true, ordering: .releasing) }
}
