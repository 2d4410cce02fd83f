import ArgumentParser
import Foundation
import NFVControl
import NFVCore
import NFVManager
import NFVShared

struct ManagerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager",
        abstract: "Run the NF manager: packet pool, rings, ports and NF registry.",
        discussion: "Options given on the command line override the configuration file.")

    @Option(help: "A YAML configuration file (see config/example.yaml).") var config: String?
    @Option(help: "The platform name NFs attach to.") var name: String?
    @Option(help: "A port, as a DPDK device string (repeat for more).") var port: [String] = []
    @Option(help: "The chain named default (what no rule matches, and what NF-made packets follow), as service IDs: 1,2,3.") var chain: String?
    @Option(help: "Where packets leave after the chain: a port, 'other' (the other port of its pair: 0<->1, 2<->3; a bump in the wire) or 'input' (default).")
    var exitPort: String?
    @Option(help: "Packet buffers in the pool.") var poolSize: Int?
    @Option(help: "Descriptors per NF ring (a power of two, 64...1048576).") var ringSize: Int?
    @Option(help: "Hold port RX until every chain service has an instance.") var waitForChain: Bool?
    @Flag(help: "Keep no standby NF process (launches then wait for a new process's DPDK start-up).") var noStandby = false
    @Option(help: "SERVICE:flow or SERVICE:queue, how a service spreads packets over its instances (repeat for more).")
    var balance: [String] = []
    @Option(help: "off, or HIGH:LOW: drop port packets at a chain's entry while a step's queue is over HIGH percent of its ring, until under LOW (default 80:50).")
    var backpressure: String?
    @Flag(help: "Leave the kernel's receive packet steering (RPS) of the ports' interfaces as it is (by default it is off on AF_PACKET and pcap ports while they are open).")
    var keepRPS = false
    @Option(parsing: .unconditional, help: "Pin the dataplane thread (port RX and TX) to this CPU (default: the scheduler places it).")
    var dataplaneCPU: Int?
    @Option(help: "Stop after this many seconds.") var duration: Double?
    @Option(help: "Write the final statistics (JSON) to this file when it stops.") var finalStats: String?
    @Flag(help: "Do not print the statistics table.") var quiet = false
    @Option(help: "Serve the control API on loopback TCP too, as 127.0.0.1:PORT (needs --api-token-file).") var apiListen: String?
    @Option(help: "A file whose first line is the bearer token TCP clients of the API must send.") var apiTokenFile: String?

    func loadConfig() throws -> ManagerConfig {
        var c = ManagerConfig()
        if let path = config {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the configuration file '\(path)'")
            }
            c = try ConfigParser.parse(text, file: path)
        }
        if let name { c.name = name }
        if !port.isEmpty { c.ports = port }
        if let chain {
            c.chain = try chain.split(separator: ",", omittingEmptySubsequences: false).map { s in
                let t = s.trimmingCharacters(in: .whitespaces)
                guard !t.isEmpty else { throw ValidationError("--chain '\(chain)': an empty step (two commas, or a comma at an end)") }
                guard let n = UInt16(t), ServiceID(n).isValid else {
                    throw ValidationError("--chain '\(chain)': '\(t)' is not a service ID (1...\(Limits.maxServices - 1))")
                }
                return ServiceID(n)
            }
        }
        if let exitPort {
            do { c.exit = try ChainExit(parsing: exitPort) } catch { throw ValidationError("--exit-port: \(error.problem)") }
        }
        if let apiListen {
            guard APIAddress.loopback(apiListen) != nil else {
                throw ValidationError("--api-listen '\(apiListen)': must be a loopback address and port, such as 127.0.0.1:8080")
            }
            c.apiListen = apiListen
        }
        if let apiTokenFile { c.apiTokenFile = apiTokenFile }
        if c.apiListen != nil && c.apiTokenFile == nil { throw ValidationError("--api-listen needs --api-token-file (the bearer token TCP clients must send)") }
        if noStandby { c.standby = false }
        if keepRPS { c.keepRPS = true }
        if let dataplaneCPU {
            guard dataplaneCPU >= 0 else { throw ValidationError("--dataplane-cpu \(dataplaneCPU): a CPU is a number from 0") }
            c.dataplaneCPU = dataplaneCPU
        }
        if let backpressure {
            do { c.backpressure = try ManagerConfig.Watermarks.parse(backpressure) } catch { throw ValidationError("--\(error.problem)") }
        }
        if let poolSize { c.poolSize = poolSize }
        if let ringSize { c.ringSize = ringSize }
        if let waitForChain { c.waitForChain = waitForChain }
        for item in balance {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let n = UInt16(parts[0]), ServiceID(n).isValid,
                  let mode = ManagerConfig.Balance(rawValue: String(parts[1])) else {
                throw ValidationError("--balance '\(item)': expected SERVICE:flow or SERVICE:queue, such as 2:queue")
            }
            c.balance[ServiceID(n)] = mode
        }
        try c.validate(file: config)
        return c
    }

    func run() throws {
        let config = try loadConfig()
        // Before DPDK starts its threads, so they inherit the blocked signals.
        let signals = SignalWatcher()
        let token = try config.apiTokenFile.map { f in
            do { return try ControlServer.token(fromFile: f) } catch { throw ValidationError("\(error)") }
        }
        let events = EventHub()
        let manager = try Manager(config: config, events: events, log: { Terminal.log($0) })
        let server = ControlServer(backend: manager.inbox, events: events,
                                   options: .init(socketPath: manager.names.apiSocket, tcp: config.apiListen.flatMap(APIAddress.loopback),
                                                  token: token))
        do { try server.start() } catch {
            // The manager is up: stop it cleanly before saying why.
            _ = manager.run(duration: 0, shouldStop: { true }, report: { _ in })
            throw ValidationError("\(error)")
        }
        defer { server.stop() }
        Terminal.log("control API on \(manager.names.apiSocket)" + (config.apiListen.map { " and http://\($0) (bearer token)" } ?? ""))
        let live = !quiet && Terminal.isInteractive
        let outcome = manager.run(duration: duration, shouldStop: { signals.stopRequested }) { stats in
            guard !quiet else { return }
            Terminal.out((live ? Terminal.clear : "") + StatsTable.render(stats))
        }
        if let finalStats {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try encoder.encode(outcome.stats).write(to: URL(fileURLWithPath: finalStats), options: .atomic)
            } catch {
                throw ValidationError("cannot write the final statistics to '\(finalStats)': \(error.localizedDescription)")
            }
        }
        if outcome.leaked > 0 { throw ExitCode(2) }
    }
}
