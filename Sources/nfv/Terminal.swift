import Foundation

/// Output helpers for the command line: log lines on standard error with a
/// time stamp, and unbuffered lines on standard output.
enum Terminal {
    static func log(_ message: String) {
        let t = Date().timeIntervalSince1970
        let stamp = Int(t) % 86400
        let text = String(format: "%02d:%02d:%02d ", stamp / 3600, stamp / 60 % 60, stamp % 60) + message + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Prints `value` as one line of JSON with sorted keys (benchmarks' `--json`).
    static func json<T: Encodable>(_ value: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        out(String(decoding: try e.encode(value), as: UTF8.self))
    }

    static var isInteractive: Bool { isatty(1) == 1 }

    /// Clears the screen and moves the cursor home (live tables).
    static let clear = "\u{1B}[H\u{1B}[2J"
}
