import Foundation
import XCTest

/// Two test hosts in network namespaces this test creates, each joined to
/// the root namespace by a veth pair whose root end the platform attaches
/// to: host 1 is 10.0.1.2/24 (gateway 10.0.1.1), host 2 is 10.0.2.2/24
/// (gateway 10.0.2.1). Offloads are off so that frames leaving the kernel
/// are whole and checksummed. Everything is removed on `tearDown`, and any
/// leftover of an earlier run with the same prefix first.
final class Topology {
    let prefix: String
    var namespaces: [String] { [prefix + "ns1", prefix + "ns2"] }
    /// The root-namespace ends, for `net_af_packet` / `net_af_xdp` ports.
    var ports: [String] { [prefix + "h1", prefix + "h2"] }

    init(prefix: String) throws {
        self.prefix = prefix
        tearDown()
        for i in 1...2 {
            let ns = prefix + "ns\(i)", host = prefix + "h\(i)", inner = prefix + "n\(i)"
            try sh("ip netns add \(ns)")
            try sh("ip link add \(host) type veth peer name \(inner)")
            try sh("ip link set \(inner) netns \(ns)")
            try sh("ip link set \(host) up")
            try sh("ip -n \(ns) addr add 10.0.\(i).2/24 dev \(inner)")
            try sh("ip -n \(ns) link set \(inner) up")
            try sh("ip -n \(ns) link set lo up")
            try sh("ip -n \(ns) route add default via 10.0.\(i).1")
            _ = try? sh("ip netns exec \(ns) ethtool -K \(inner) tso off gso off gro off tx off rx off")
            _ = try? sh("ethtool -K \(host) tso off gso off gro off tx off rx off")
        }
    }

    func tearDown() {
        for ns in namespaces { _ = try? sh("ip netns pids \(ns) | xargs -r kill -9; ip netns del \(ns)") }
        for p in ports { _ = try? sh("ip link del \(p)") }
    }

    deinit { tearDown() }

    /// Starts `command` in host `n`'s namespace, in the background.
    func spawn(host n: Int, _ command: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", namespaces[n - 1], "sh", "-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs `command` in host `n`'s namespace; returns its status and output.
    @discardableResult
    func run(host n: Int, _ command: String, timeout: Double = 30) throws -> (status: Int32, output: String) {
        try sh("ip netns exec \(namespaces[n - 1]) sh -c '\(command)'", check: false, timeout: timeout)
    }
}

/// Runs a shell command; throws on a non-zero status when `check`.
@discardableResult
func sh(_ command: String, check: Bool = true, timeout: Double = 30) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("sh-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: out) }
    let h = try FileHandle(forWritingTo: out)
    p.standardOutput = h
    p.standardError = h
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate(); p.waitUntilExit() }
    let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    if check && p.terminationStatus != 0 {
        throw NSError(domain: "sh", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "\(command): \(text)"])
    }
    return (p.terminationStatus, text)
}
