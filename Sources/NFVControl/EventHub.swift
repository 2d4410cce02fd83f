import Foundation
import NFVCore
import Synchronization

/// The platform's events: kept (the latest `kept`) for `GET /v1/events`
/// and handed to every open stream. `publish` (the manager's control
/// thread) takes a lock for a moment and never waits for a reader: a
/// stream that falls `kept` behind loses the oldest and is told so.
public final class EventHub: EventSink {
    public static let kept = 1024
    private struct State {
        var events: [PlatformEvent] = []
        var nextSeq: UInt64 = 1
        var streams: [UUID: AsyncStream<PlatformEvent>.Continuation] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func publish(_ kind: PlatformEvent.Kind, instance: Int?, service: Int?, message: String) {
        state.withLock { s in
            let e = PlatformEvent(seq: s.nextSeq, time: Date().timeIntervalSince1970, kind: kind, instance: instance,
                                  service: service, message: message)
            s.nextSeq += 1
            s.events.append(e)
            if s.events.count > Self.kept { s.events.removeFirst(s.events.count - Self.kept) }
            for c in s.streams.values { c.yield(e) }
        }
    }

    /// Events after `seq`, oldest first.
    public func events(after seq: UInt64) -> [PlatformEvent] {
        state.withLock { s in s.events.filter { $0.seq > seq } }
    }

    /// The kept events after `seq`, then every new one as it happens, until
    /// the stream is dropped.
    public func subscribe(after seq: UInt64) -> AsyncStream<PlatformEvent> {
        let id = UUID()
        let (stream, c) = AsyncStream<PlatformEvent>.makeStream(bufferingPolicy: .bufferingNewest(Self.kept))
        state.withLock { s in
            for e in s.events where e.seq > seq { c.yield(e) }
            s.streams[id] = c
        }
        c.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.streams.removeValue(forKey: id) } }
        return stream
    }

    /// Ends every stream (the server is stopping).
    public func finishAll() {
        let all = state.withLock { s in
            let c = Array(s.streams.values)
            s.streams.removeAll()
            return c
        }
        all.forEach { $0.finish() }
    }
}
