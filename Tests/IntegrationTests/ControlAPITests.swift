import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// The control API against a real manager: NFs launched, scaled, stopped
/// and restarted by it; bad requests refused with a message and nothing
/// changed; the TCP listener's token; events; metrics.
final class ControlAPITests: XCTestCase {
    func testLaunchScaleAndStopThroughTheAPI() throws {
        let p = try Platform("api-launch")
        try p.startManager()
        let api = p.control.client
        // The manager keeps a standby attached; the first launch becomes it.
        XCTAssertTrue(waitFor(timeout: 30) { (try? api.status().standbyReady) == true })
        let first = try api.launch(NFLaunchSpec(kind: "forward", service: 3, args: ["--to", "drop"]))
        XCTAssertEqual(first.state, "starting")
        XCTAssertTrue(first.supervised)
        let running = try p.control.waitUntilRegistered(first.instance, timeout: 30)
        XCTAssertEqual(running.name, "forward")
        XCTAssertEqual(running.launch?.args, ["--to", "drop"])

        let scaled = try api.scale(service: 3, to: 3)
        XCTAssertEqual(scaled.launched.count, 2)
        try p.control.waitUntilRunning(count: 3, timeout: 30)
        XCTAssertEqual(try api.services().first { $0.service == 3 }?.instances.count, 3)

        let down = try api.scale(service: 3, to: 1)
        XCTAssertEqual(down.stopping.count, 2)
        XCTAssertTrue(waitFor(timeout: 30) { (try? api.services().first { $0.service == 3 }?.instances.count) == 1 })
        // Stopped on request: not restarted, and listed as stopped.
        for i in down.stopping {
            XCTAssertTrue(waitFor(timeout: 30) { (try? api.nf(i).state) == "stopped" }, "\(String(describing: try? api.nf(i)))")
            XCTAssertEqual(try api.nf(i).restarts, 0)
        }
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    func testAKilledNFIsRestartedPerItsPolicyWithItsInstanceID() throws {
        let p = try Platform("api-restart")
        // New processes only (the other tests' launches go through the standby).
        try p.startManager(["--no-standby"])
        let api = p.control.client
        let always = try api.launch(NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "drop"], restart: .always))
        let never = try api.launch(NFLaunchSpec(kind: "forward", service: 2, args: ["--to", "drop"], restart: .never))
        let firstPID = try p.control.waitUntilRegistered(always.instance, timeout: 30).pid
        let neverPID = try p.control.waitUntilRegistered(never.instance, timeout: 30).pid

        kill(firstPID, SIGKILL)
        kill(neverPID, SIGKILL)
        XCTAssertTrue(waitFor(timeout: 30) {
            guard let nf = try? api.nf(always.instance) else { return false }
            return nf.state == "running" && nf.pid != firstPID
        }, "\(String(describing: try? api.nf(always.instance)))")
        let restarted = try api.nf(always.instance)
        XCTAssertEqual(restarted.restarts, 1)
        XCTAssertEqual(restarted.history.map(\.how), ["signal 9"])
        XCTAssertEqual(restarted.history.first?.restarted, true)

        XCTAssertTrue(waitFor(timeout: 30) { (try? api.nf(never.instance).state) == "stopped" })
        XCTAssertEqual(try api.nf(never.instance).restarts, 0)
        XCTAssertEqual(try api.nf(never.instance).history.first?.restarted, false)

        let kinds = try api.events().filter { $0.instance == always.instance }.map(\.kind)
        XCTAssertEqual(kinds, [.nfLaunched, .nfRegistered, .nfDied, .nfRestarted, .nfRegistered], "\(kinds)")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
        XCTAssertEqual(p.stats?["poolInUse"] as? Int, 0)
    }

    func testBadRequestsAreRefusedWithTheirCauseAndChangeNothing() throws {
        let p = try Platform("api-bad")
        try p.startManager(["--chain", "1"])
        let api = p.control.client
        let before = (try api.rules(), try api.chains(), try api.nfs())
        let cases: [(String, String, String?, Int, String)] = [
            ("GET", "/v1/nope", nil, 404, "no such resource"),
            ("POST", "/v1/nfs", "{\"kind\": \"forwrd\", \"service\": 1}", 400, "kind 'forwrd' is not a built-in NF"),
            ("POST", "/v1/nfs", "{\"kind\": \"forward\"}", 400, "'service' is missing"),
            ("POST", "/v1/nfs", "{\"kind\": \"forward\", \"service\": \"two\"}", 400, "'service' must be a whole number"),
            ("POST", "/v1/nfs", "{\"kind\": \"forward\", \"service\": 1, \"servce\": 2}", 400, "unknown key 'servce'"),
            ("POST", "/v1/nfs", "{\"kind\": \"forward\", \"service\": 1, \"args\": [\"--manager\", \"x\"]}", 400, "'--manager' is set by the manager"),
            ("POST", "/v1/nfs", "not json", 400, "must be a JSON object"),
            ("POST", "/v1/rules", "{\"src\": \"10.0.0.0/33\", \"to\": \"drop\"}", 400, "src '10.0.0.0/33' is not an IPv4 or IPv6 address"),
            ("POST", "/v1/rules", "{\"dst_port\": 80, \"to\": \"chain:nope\"}", 409, "no chain named 'nope'"),
            ("POST", "/v1/rules", "{\"dst_port\": 80}", 400, "'to' is missing"),
            ("DELETE", "/v1/rules/7", nil, 404, "no rule 7"),
            ("PUT", "/v1/chains/web", "{\"steps\": [1, 99]}", 400, "99"),
            ("DELETE", "/v1/chains/nope", nil, 404, "no chain named 'nope'"),
            ("GET", "/v1/nfs/abc", nil, 400, "instance 'abc' is not a whole number"),
            ("GET", "/v1/nfs/9", nil, 404, "no NF instance 9"),
            ("DELETE", "/v1/nfs/9", nil, 404, "no NF instance 9"),
            ("POST", "/v1/services/1/scale", "{\"instances\": 2}", 409, "no supervised instance to copy"),
            ("POST", "/v1/services/1/scale", "{\"instances\": 99}", 400, "instances must be 0...16"),
            ("GET", "/v1/events?since=-1", nil, 400, "since '-1' is not an event number"),
        ]
        for (method, path, body, status, text) in cases {
            let r = try api.request(method, path, body: body.map { Data($0.utf8) })
            XCTAssertEqual(r.status, status, "\(method) \(path) \(body ?? ""): \(String(decoding: r.body, as: UTF8.self))")
            let e = try? JSONDecoder().decode(APIError.self, from: r.body)
            XCTAssertNotNil(e, "\(method) \(path): the error is JSON")
            XCTAssertTrue(e?.message.contains(text) == true, "\(method) \(path): '\(e?.message ?? "")' names '\(text)'")
        }
        XCTAssertEqual(try api.rules(), before.0)
        XCTAssertEqual(try api.chains(), before.1)
        XCTAssertEqual(try api.nfs(), before.2)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    func testTheTCPListenerWantsTheBearerToken() throws {
        let p = try Platform("api-tcp")
        let tokenFile = p.dir.appendingPathComponent("token")
        let token = "t0ken-" + UUID().uuidString
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let port = 20000 + Int(getpid() % 20000)
        try p.startManager(["--api-listen", "127.0.0.1:\(port)", "--api-token-file", tokenFile.path])
        let right = ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token))
        let wrong = ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token + "x"))
        XCTAssertEqual(try right.status().name, p.name)
        XCTAssertEqual(try wrong.request("GET", "/v1/status").status, 401)
        XCTAssertEqual(try wrong.request("POST", "/v1/shutdown").status, 401)
        XCTAssertEqual(try wrong.request("GET", "/openapi.json").status, 200, "the document holds no data")
        XCTAssertTrue(p.manager!.isRunning, "a refused shutdown changed nothing")
        // The Unix socket is root's only.
        let mode = try FileManager.default.attributesOfItem(atPath: "/var/run/swiftnfv/\(p.name)/api.sock")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    func testTheEventStreamCarriesChangesAsTheyHappen() throws {
        let p = try Platform("api-events")
        try p.startManager(["--chain", "1"])
        let api = p.control.client
        let got = DispatchSemaphore(value: 0)
        let seen = LockedList()
        let follower = Thread {
            try? api.followEvents { e in
                seen.append(e)
                if e.kind == .ruleRemoved { got.signal(); return false }
                return true
            }
        }
        follower.start()
        // The stream is open once the follower is connected: wait until a change shows up in it.
        XCTAssertTrue(waitFor(timeout: 10) {
            _ = try? api.setChain("probe", "{\"steps\": [1]}")
            return seen.kinds.contains(.chainSet)
        })
        let added = try api.addRule("{\"dst_port\": 53, \"to\": \"chain:probe\"}")
        try api.removeRule(added.rule!.id)
        XCTAssertEqual(got.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(Array(seen.kinds.drop { $0 == .chainSet }), [.ruleAdded, .ruleRemoved])
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }

    func testMetricsAreValidPrometheusTextAndMatchTheStatistics() throws {
        let p = try Platform("api-metrics")
        try p.startManager(["--port", "net_null0", "--chain", "1"])
        // With a CPU weight, the NF's share and entitlement are sampled and exported too.
        try p.startNF(["forward", "--service", "1", "--to", "drop", "--cpu-weight", "200"])
        XCTAssertTrue(waitFor(timeout: 20) { ((p.nfStats(service: 1)?["rx"] as? Int) ?? 0) > 1000 })
        XCTAssertTrue(waitFor(timeout: 20) { (try? p.control.client.nfs().first?.cpuPercent) != nil })
        let r = try p.control.client.request("GET", "/metrics", accept: "text/plain")
        XCTAssertEqual(r.status, 200)
        let text = String(decoding: r.body, as: UTF8.self)
        var samples: [String: Double] = [:]
        var typed = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                XCTAssertEqual(parts.count, 4, String(line))
                XCTAssertTrue(["counter", "gauge"].contains(parts[3]), String(line))
                typed.insert(String(parts[2]))
                continue
            }
            if line.hasPrefix("#") { continue }
            // name{label="value",...} number
            let m = line.split(separator: " ")
            XCTAssertEqual(m.count, 2, "a sample is a name and a value: \(line)")
            guard m.count == 2, let v = Double(m[1]) else { XCTFail("not a number: \(line)"); continue }
            let name = String(m[0].prefix { $0 != "{" })
            XCTAssertTrue(typed.contains(name), "\(name) has a TYPE line before its samples")
            XCTAssertNotNil(name.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression), name)
            samples[String(m[0])] = v
        }
        let rx = samples["nfv_port_rx_packets_total{port=\"0\",device=\"net_null0\"}"]
        XCTAssertNotNil(rx, samples.keys.sorted().joined(separator: "\n"))
        XCTAssertGreaterThan(rx ?? 0, 1000)
        // net_null's packets are 64 bytes; the byte counter is read after the packet counter.
        let rxBytes = samples["nfv_port_rx_bytes_total{port=\"0\",device=\"net_null0\"}"] ?? 0
        XCTAssertGreaterThanOrEqual(rxBytes, (rx ?? 0) * 64)
        XCTAssertEqual(rxBytes.truncatingRemainder(dividingBy: 64), 0)
        let nfRx = samples.first { $0.key.hasPrefix("nfv_nf_rx_packets_total{") && $0.key.contains("service=\"1\"") }?.value
        XCTAssertGreaterThan(nfRx ?? 0, 1000)
        XCTAssertNotNil(samples.first { $0.key.hasPrefix("nfv_nf_rx_ring_occupancy{") })
        XCTAssertNotNil(samples.first { $0.key.hasPrefix("nfv_nf_cpu_percent{") && $0.key.contains("group=\"\"") }, text)
        XCTAssertEqual(samples.first { $0.key.hasPrefix("nfv_nf_cpu_entitled_percent{") }?.value, 100, "one claim: one whole CPU")
        // What backpressure held back at the entry did not enter.
        let held = samples["nfv_service_dropped_packets_total{service=\"0\",reason=\"backpressure\"}"] ?? 0
        XCTAssertGreaterThanOrEqual((samples["nfv_chain_entered_packets_total{chain=\"default\"}"] ?? 0) + held, rx ?? .infinity,
                                    "every packet from the port entered the default chain or was held back at its entry (read after the port's count)")
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}

extension ControlAPITests {
    /// The manager's own threshold alarm: an NF that stops reading (SIGSTOP)
    /// under load fills its RX ring, and the event stream says so, once.
    func testAStalledNFRaisesARingAlarm() throws {
        let p = try Platform("api-alarm")
        try p.startManager(["--port", "net_null0", "--chain", "1"])
        let nf = try p.startNF(["forward", "--service", "1", "--to", "drop"])
        let api = p.control.client
        XCTAssertFalse(try api.events().contains { $0.kind == .alarm })
        nf.signal(SIGSTOP)
        XCTAssertTrue(waitFor(timeout: 20) { ((try? api.events()) ?? []).contains { $0.kind == .alarm && $0.message.hasPrefix("ring instance=") } },
                      "no ring alarm; NFs: \(String(describing: p.stats?["nfs"])); services: \(String(describing: p.stats?["services"]))\n\(p.manager!.stderr.suffix(3000))")
        nf.signal(SIGCONT)
        let alarms = try api.events().filter { $0.kind == .alarm }
        XCTAssertEqual(alarms.count, 1, "\(alarms)")
        XCTAssertEqual(alarms.first?.service, 1)
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}

/// Events a follower thread saw, read by the test's thread.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PlatformEvent] = []
    func append(_ e: PlatformEvent) { lock.lock(); events.append(e); lock.unlock() }
    var kinds: [PlatformEvent.Kind] { lock.lock(); defer { lock.unlock() }; return events.map(\.kind) }
}
