import Foundation
import Synchronization

/// Collects the lines a child process writes to a pipe, for showing what a
/// failed child said.
final class LineCollector: Sendable {
    let pipe = Pipe()
    private let state = Mutex<(lines: [String], partial: Data)>(([], Data()))
    private let onLine: @Sendable (String) -> Void

    init(onLine: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onLine = onLine
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self else { return }
            if data.isEmpty { h.readabilityHandler = nil; return }
            let new: [String] = self.state.withLock { s in
                s.partial.append(data)
                var out: [String] = []
                while let nl = s.partial.firstIndex(of: 0x0A) {
                    out.append(String(decoding: s.partial[s.partial.startIndex..<nl], as: UTF8.self))
                    s.partial.removeSubrange(s.partial.startIndex...nl)
                }
                s.lines += out
                return out
            }
            new.forEach(self.onLine)
        }
    }

    var lines: [String] { state.withLock { $0.lines } }
}
