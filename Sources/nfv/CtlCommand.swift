import ArgumentParser
import Foundation
import NFVCore
import NFVOrchestration

/// `nfv ctl`: a running platform, through its control API.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl", abstract: "Inspect and change a running platform through its control API.",
        subcommands: [CtlPorts.self, CtlNFs.self, CtlServices.self, CtlChains.self, CtlRules.self, CtlStats.self, CtlEvents.self,
                      CtlLaunch.self, CtlLaunchGroup.self, CtlGroups.self, CtlStopGroup.self, CtlStop.self, CtlScale.self, CtlReload.self, CtlCPU.self, CtlRule.self, CtlChain.self])
}

/// Where the API is, and how to print.
struct CtlOptions: ParsableArguments {
    @Option(help: "The platform's name.") var name = "default"
    @Option(help: "Use the API on loopback TCP (127.0.0.1:PORT) instead of the Unix socket.") var api: String?
    @Option(help: "With --api: a file whose first line is the bearer token.") var tokenFile: String?
    @Flag(help: "Print JSON (for scripts) instead of a table.") var json = false

    func client() throws -> ControlClient {
        guard let api else { return ControlClient(platform: name) }
        guard let (host, port) = APIAddress.loopback(api) else { throw ValidationError("--api '\(api)': a loopback address and port, such as 127.0.0.1:8080") }
        guard let tokenFile, let text = try? String(contentsOfFile: tokenFile, encoding: .utf8),
              let token = text.split(whereSeparator: \.isNewline).first.map(String.init) else {
            throw ValidationError("--api needs --token-file, a readable file whose first line is the bearer token")
        }
        return ControlClient(endpoint: .tcp(host: host, port: port, token: token), platform: name)
    }

    /// Runs `call`, turning the API's and the client's errors into one clear line.
    func call<T>(_ call: (ControlClient) throws -> T) throws -> T {
        let c = try client()
        do { return try call(c) } catch let e as APIError {
            throw ValidationError("the manager refused: \(e.message) (\(e.status))")
        } catch let e as ControlClient.Failure {
            throw ValidationError(e.description)
        }
    }

    /// Prints `value` as JSON, or `table()`.
    func show<T: Encodable>(_ value: T, table: () -> String) {
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            Terminal.out(String(decoding: (try? e.encode(value)) ?? Data(), as: UTF8.self))
        } else {
            Terminal.out(table())
        }
    }
}

struct CtlPorts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ports", abstract: "Ports and their counters.")
    @OptionGroup var o: CtlOptions
    func run() throws {
        let ports = try o.call { try $0.ports() }
        o.show(ports) {
            TextTable.render(["PORT", "DEVICE", "DEFAULT CHAIN", "RX", "TX", "DROPPED", "RX MPPS", "TX MPPS"], ports.map {
                ["\($0.port)", $0.device, $0.defaultChain ?? "-", "\($0.rx)", "\($0.tx)", "\($0.dropped)",
                 StatsTable.fixed($0.rxMpps, 3), StatsTable.fixed($0.txMpps, 3)]
            })
        }
    }
}

struct CtlNFs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nfs", abstract: "NF instances, registered or supervised.")
    @OptionGroup var o: CtlOptions
    /// "used (entitled)" percent of one CPU, for supervised NFs.
    static func cpu(_ nf: NFInfo) -> String {
        guard let used = nf.cpuPercent else { return "-" }
        return "\(StatsTable.fixed(used, 1)) (\(nf.cpuEntitledPercent.map { StatsTable.fixed($0, 1) } ?? "-"))"
    }

    func run() throws {
        let nfs = try o.call { try $0.nfs() }
        o.show(nfs) {
            TextTable.render(["INSTANCE", "SERVICE", "NAME", "GROUP", "PID", "STATE", "SUPERVISED", "RESTARTS", "RX", "TX", "DROPPED", "RX RING",
                              "CPU % (ENTITLED)"], nfs.map {
                ["\($0.instance)", "\($0.service)", $0.name, $0.launch?.group ?? "-", "\($0.pid)", $0.state,
                 $0.supervised ? ($0.launch?.restart.rawValue ?? "yes") : "no", "\($0.restarts)", "\($0.rx)", "\($0.tx)",
                 "\($0.dropped)", "\($0.rxRing)",
                 Self.cpu($0)]
            })
        }
    }
}

struct CtlServices: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "services", abstract: "Services, their instances and sums since start.")
    @OptionGroup var o: CtlOptions
    func run() throws {
        let services = try o.call { try $0.services() }
        o.show(services) {
            TextTable.render(["SERVICE", "INSTANCES", "SUPERVISED", "RX", "TX", "DROPPED"], services.map {
                ["\($0.service)", $0.instances.map(String.init).joined(separator: ","), $0.supervised.map(String.init).joined(separator: ","),
                 "\($0.rx)", "\($0.tx)", "\($0.dropped.values.reduce(0, +))"]
            })
        }
    }
}

struct CtlChains: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chains", abstract: "Chains.")
    @OptionGroup var o: CtlOptions
    func run() throws {
        let chains = try o.call { try $0.chains() }
        o.show(chains) {
            TextTable.render(["NAME", "INDEX", "STEPS", "EXIT"], chains.map {
                [$0.name, "\($0.index)", $0.steps.map(String.init).joined(separator: " -> "), $0.exit]
            })
        }
    }
}

struct CtlRules: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Flow rules, in table order.")
    @OptionGroup var o: CtlOptions
    func run() throws {
        let rules = try o.call { try $0.rules() }
        o.show(rules) {
            TextTable.render(["ID", "PRIORITY", "MATCH", "TO", "OWNER"], rules.map { r in
                let match = [r.in_port.map { "in_port \($0)" }, r.vlan.map { "vlan \($0)" }, r.proto.map { "proto \($0)" },
                             r.src.map { "src \($0)" }, r.dst.map { "dst \($0)" }, r.src_port.map { "src_port \($0)" },
                             r.dst_port.map { "dst_port \($0)" }].compactMap { $0 }.joined(separator: " ")
                return ["\(r.id)", "\(r.priority)", match.isEmpty ? "any" : match, r.to, r.owner.map { "instance \($0)" } ?? "-"]
            })
        }
    }
}

struct CtlStats: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "The platform's statistics (refreshed once a second).")
    @OptionGroup var o: CtlOptions
    @Flag(help: "Keep showing them, once a second, until Ctrl-C.") var watch = false
    func run() throws {
        repeat {
            let stats = try o.call { try $0.stats() }
            o.show(stats) { (watch && Terminal.isInteractive ? Terminal.clear : "") + StatsTable.render(stats) }
            if watch { usleep(1_000_000) }
        } while watch
    }
}

struct CtlEvents: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "The platform's events; with --follow, as they happen.")
    @OptionGroup var o: CtlOptions
    @Flag(help: "Keep following the stream until Ctrl-C.") var follow = false
    @Option(help: "Only events after this number.") var since: UInt64 = 0

    func run() throws {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        func show(_ event: PlatformEvent) {
            if o.json {
                Terminal.out(String(decoding: (try? e.encode(event)) ?? Data(), as: UTF8.self))
            } else {
                let t = Int(event.time) % 86400
                let stamp = String(format: "%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                Terminal.out("\(event.seq)\t\(stamp)\t\(event.kind.rawValue)\t\(event.message)")
            }
        }
        if follow {
            try o.call { try $0.followEvents(after: since) { show($0); return true } }
        } else {
            for event in try o.call({ try $0.events(after: since) }) { show(event) }
        }
    }
}

struct CtlLaunch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch", abstract: "Start an NF under the manager's supervision.",
        discussion: "Options after -- go to the NF: nfv ctl launch forward --service 2 -- --to service:3")
    @OptionGroup var o: CtlOptions
    @Argument(help: "A built-in NF (forward, monitor, firewall, ...) or the absolute path of an NF program.") var kind: String
    @Option(help: "Its service.") var service: Int
    @Option(help: "Pin it to a CPU.") var cpu: Int?
    @Option(help: "always, on-failure or never.") var restart = "on-failure"
    @Option(help: "Take this instance ID.") var instance: Int?
    @Option(help: "Its CPU weight (1...10000; 100: the default share).") var cpuWeight: Int?
    @Option(help: "Its CPU cap, in percent of one CPU.") var cpuCap: Int?
    @Flag(help: "Wait until it has registered.") var wait = false
    @Argument(parsing: .postTerminator, help: "Its own options.") var args: [String] = []

    func run() throws {
        guard let policy = RestartPolicy(rawValue: restart) else { throw ValidationError("--restart '\(restart)': always, on-failure or never") }
        let program = kind.hasPrefix("/")
        let spec = NFLaunchSpec(kind: program ? "program" : kind, program: program ? kind : nil, service: service, args: args,
                                cpu: cpu, restart: policy, instance: instance, cpuWeight: cpuWeight, cpuCap: cpuCap)
        var nf = try o.call { try $0.launch(spec) }
        if wait { nf = try o.call { try PlatformControl(client: $0).waitUntilRegistered(nf.instance, timeout: 30) } }
        o.show(nf) { "instance \(nf.instance): \(nf.name) for service \(nf.service), pid \(nf.pid), \(nf.state)" }
    }
}

/// `nfv ctl launch-group NAME --member 'forward --service 1 --to next' ...`:
/// an NF group under supervision; each member is written as for `nfv nf
/// group` (its kind, `--service`, optionally `--instance-id`, its own options).
struct CtlLaunchGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch-group", abstract: "Start an NF group (built-in NFs in one process, on one thread) under supervision.",
        discussion: "nfv ctl launch-group edge --cpu 1 --member 'forward --service 1 --to next' --member 'monitor --service 2 --to next'")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The group's name.") var group: String
    @Option(help: "A member: a built-in NF's command line, such as 'forward --service 2 --to next' (repeat).") var member: [String] = []
    @Option(help: "Pin the group to a CPU.") var cpu: Int?
    @Option(help: "The group's CPU weight (1...10000).") var cpuWeight: Int?
    @Option(help: "The group's CPU cap, in percent of one CPU.") var cpuCap: Int?
    @Option(help: "always, on-failure or never.") var restart = "on-failure"
    @Flag(help: "Wait until every member has registered.") var wait = false

    func run() throws {
        guard let policy = RestartPolicy(rawValue: restart) else { throw ValidationError("--restart '\(restart)': always, on-failure or never") }
        let members = try member.enumerated().map { n, line in try Self.spec(line, what: "--member \(n + 1) '\(line)'") }
        let spec = NFGroupSpec(name: group, members: members, cpu: cpu, cpuWeight: cpuWeight, cpuCap: cpuCap, restart: policy)
        if let problem = spec.problem { throw ValidationError(problem) }
        var nfs = try o.call { try $0.launchGroup(spec) }
        if wait {
            nfs = try nfs.map { nf in try o.call { try PlatformControl(client: $0).waitUntilRegistered(nf.instance, timeout: 30) } }
        }
        o.show(nfs) { nfs.map { "instance \($0.instance): \($0.name) for service \($0.service) in group \(group), pid \($0.pid), \($0.state)" }.joined(separator: "\n") }
    }

    /// A member's line as a launch spec: its kind, `--service`, `--instance-id`, the rest its own options.
    static func spec(_ line: String, what: String) throws -> NFLaunchSpec {
        var words = try GroupCommand.words(line, what: what)
        let kind = words.removeFirst()
        var service: Int?, instance: Int?, args: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            func value(_ name: String) throws -> Int? {
                if w.hasPrefix(name + "=") { return Int(w.dropFirst(name.count + 1)) }
                guard w == name else { return nil }
                guard i + 1 < words.count, let n = Int(words[i + 1]) else { throw ValidationError("\(what): \(name) needs a number") }
                i += 1
                return n
            }
            if w == "--cpu" || w.hasPrefix("--cpu=") { throw ValidationError("\(what): members share the group's thread; pin the group with --cpu") }
            if let n = try value("--service") { service = n } else if let n = try value("--instance-id") { instance = n } else { args.append(w) }
            i += 1
        }
        guard let service else { throw ValidationError("\(what): --service is missing") }
        return NFLaunchSpec(kind: kind, service: service, args: args, instance: instance)
    }
}

struct CtlGroups: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groups", abstract: "Supervised NF groups: members, process, state.")
    @OptionGroup var o: CtlOptions
    func run() throws {
        let groups = try o.call { try $0.groups() }
        o.show(groups) {
            TextTable.render(["GROUP", "MEMBERS", "PID", "STATE", "RESTART", "RESTARTS", "CPU", "WEIGHT", "CAP", "CPU %"], groups.map {
                [$0.name, $0.members.map(String.init).joined(separator: ","), "\($0.pid)", $0.state, $0.restart.rawValue, "\($0.restarts)",
                 $0.cpu.map(String.init) ?? "-", "\($0.cpuWeight ?? 100)", $0.cpuCap.map { "\($0) %" } ?? "-",
                 $0.cpuPercent.map { StatsTable.fixed($0, 1) } ?? "-"]
            })
        }
    }
}

struct CtlStopGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop-group", abstract: "Stop a supervised NF group: every member, none restarted.")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The group's name.") var group: String
    func run() throws {
        let g = try o.call { try $0.stopGroup(group) }
        o.show(g) { "group \(g.name) (instances \(g.members.map(String.init).joined(separator: ", "))): \(g.state)" }
    }
}

struct CtlStop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop an NF instance (a supervised one is not restarted; a group's member stops its whole group).")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The instance ID.") var instance: Int
    func run() throws {
        let nf = try o.call { try $0.stop(instance) }
        o.show(nf) { "instance \(nf.instance) (\(nf.name)): stopping" }
    }
}

struct CtlScale: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Start or stop supervised instances until a service has N.")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The service.") var service: Int
    @Argument(help: "How many supervised instances it should have.") var instances: Int
    func run() throws {
        let r = try o.call { try $0.scale(service: service, to: instances) }
        o.show(r) { "service \(r.service): \(r.instances) instances; launched \(r.launched), stopping \(r.stopping)" }
    }
}

struct CtlReload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Ask an NF instance to reload its configuration.")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The instance ID.") var instance: Int
    func run() throws {
        let nf = try o.call { try $0.reload(instance) }
        o.show(nf) { "instance \(nf.instance) (\(nf.name)): reload sent" }
    }
}

struct CtlCPU: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cpu", abstract: "Change a supervised NF's CPU weight and cap, now and for its restarts.")
    @OptionGroup var o: CtlOptions
    @Argument(help: "The instance ID.") var instance: Int
    @Option(help: "Its weight (1...10000; 100: the default share).") var weight: Int?
    @Option(help: "Its cap, percent of one CPU (0: none).") var cap: Int?
    func run() throws {
        guard weight != nil || cap != nil else { throw ValidationError("give --weight, --cap or both") }
        let nf = try o.call { try $0.setCPU(instance, weight: weight, cap: cap) }
        o.show(nf) { "instance \(nf.instance) (\(nf.name)): weight \(nf.launch?.cpuWeight ?? 100), cap \(nf.launch?.cpuCap.map { "\($0) %" } ?? "none")" }
    }
}

struct CtlRule: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rule", abstract: "Add or remove a flow rule.",
                                                    subcommands: [Add.self, Remove.self])
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a rule, written as in rules: ('{src: 10.0.0.0/8, to: \"chain:scrub\"}').")
        @OptionGroup var o: CtlOptions
        @Argument(help: "The rule.") var rule: String
        func run() throws {
            let c = try o.call { try $0.addRule(rule) }
            o.show(c) { "rule \(c.rule?.id ?? 0) added (steering version \(c.version))" }
        }
    }
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a rule.")
        @OptionGroup var o: CtlOptions
        @Argument(help: "The rule's ID.") var id: UInt32
        func run() throws {
            let c = try o.call { try $0.removeRule(id) }
            o.show(c) { "rule \(id) removed (steering version \(c.version))" }
        }
    }
}

struct CtlChain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chain", abstract: "Add, replace or remove a chain.",
                                                    subcommands: [Add.self, Remove.self])
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add or replace a chain: nfv ctl chain add web 1,2 [--exit other].")
        @OptionGroup var o: CtlOptions
        @Argument(help: "Its name.") var chain: String
        @Argument(help: "Its services, in order: 1,2,3.") var steps: String
        @Option(help: "Where packets leave after it: input, other or a port.") var exit = "input"
        func run() throws {
            let list = steps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ Int($0) != nil }) else { throw ValidationError("steps '\(steps)': service IDs separated by commas, such as 1,2,3") }
            let exitJSON = Int(exit) != nil ? exit : "\"\(exit)\""
            let c = try o.call { try $0.setChain(chain, "{\"steps\": [\(list.joined(separator: ", "))], \"exit\": \(exitJSON)}") }
            o.show(c) { "chain \(chain) set (steering version \(c.version))" }
        }
    }
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a chain.")
        @OptionGroup var o: CtlOptions
        @Argument(help: "Its name.") var chain: String
        func run() throws {
            let c = try o.call { try $0.removeChain(chain) }
            o.show(c) { "chain \(chain) removed (steering version \(c.version))" }
        }
    }
}
