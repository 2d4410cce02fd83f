import Foundation
import Synchronization

/// The two hosts of `nfv bench dos`: network namespaces it creates, A
/// (10.9.0.1, and the attacker 10.9.0.66) and B (10.9.0.2), on one subnet,
/// each joined by a veth pair to the root namespace, where the platform's
/// ports attach (a bump in the wire between them). Offloads are off so
/// that frames are whole. Removed by `tearDown` (and any leftover first).
final class DoSNetwork {
    let prefix = "nfvdos"
    var namespaces: [String] { [prefix + "A", prefix + "B"] }
    /// The root-namespace ends.
    var ports: [String] { [prefix + "-h0", prefix + "-h1"] }

    init() throws {
        tearDown()
        let addresses = [["10.9.0.1/24", "10.9.0.66/24"], ["10.9.0.2/24"]]
        for i in 0..<2 {
            let ns = namespaces[i], host = ports[i], inner = prefix + "-n\(i)"
            try Self.sh(["ip", "netns", "add", ns])
            try Self.sh(["ip", "link", "add", host, "type", "veth", "peer", "name", inner])
            try Self.sh(["ip", "link", "set", inner, "netns", ns])
            try Self.sh(["ip", "link", "set", host, "up"])
            for a in addresses[i] { try Self.sh(["ip", "-n", ns, "addr", "add", a, "dev", inner]) }
            try Self.sh(["ip", "-n", ns, "link", "set", inner, "up"])
            try Self.sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            _ = try? Self.sh(["ip", "netns", "exec", ns, "ethtool", "-K", inner, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off"])
            _ = try? Self.sh(["ethtool", "-K", host, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off"])
        }
    }

    func tearDown() {
        for ns in namespaces { _ = try? Self.sh(["ip", "netns", "del", ns]) }
        for p in ports { _ = try? Self.sh(["ip", "link", "del", p]) }
    }

    /// A program running in a namespace, its output kept.
    final class Program: Sendable {
        let process: Process
        private let out = Mutex<String>("")
        private let err = Mutex<String>("")

        init(_ process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            stdout.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                if d.isEmpty { h.readabilityHandler = nil } else { self?.out.withLock { $0 += String(decoding: d, as: UTF8.self) } }
            }
            stderr.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                if d.isEmpty { h.readabilityHandler = nil } else { self?.err.withLock { $0 += String(decoding: d, as: UTF8.self) } }
            }
        }

        var isRunning: Bool { process.isRunning }
        var output: String { out.withLock { $0 } }
        var errors: String { err.withLock { $0 } }

        func waitForLine(_ text: String, timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline && process.isRunning {
                if output.contains(text) { return true }
                usleep(5_000)
            }
            return output.contains(text)
        }

        /// Waits for the exit, and for the output to be read to its end.
        func waitUntilExit() {
            process.waitUntilExit()
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline && !output.hasSuffix("\n") { usleep(5_000) }
        }
    }

    /// Starts `argv` in host `n`'s namespace.
    func start(host n: Int, _ argv: [String]) throws -> Program {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", namespaces[n]] + argv
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let program = Program(p, stdout: out, stderr: err)
        try p.run()
        return program
    }

    @discardableResult
    static func sh(_ argv: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Orchestrator.Failure(description: "\(argv.joined(separator: " ")) failed (\(p.terminationStatus)); nfv bench dos needs root and iproute2")
        }
        return p.terminationStatus
    }
}
