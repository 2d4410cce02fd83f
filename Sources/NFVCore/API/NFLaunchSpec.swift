/// What the manager needs to start an NF and keep it running: which
/// program, its service, its options, its CPU and its restart policy.
public struct NFLaunchSpec: Codable, Sendable, Equatable {
    /// A built-in NF (`nfv nf KIND`): forward, bridge, monitor,
    /// speed-tester, firewall, router, arp-responder, steer, detector; or `program`.
    public var kind: String
    /// With kind `program`: the executable (it takes the built-ins' common
    /// options: --service, --manager, --instance-id, --cpu).
    public var program: String?
    public var service: Int
    /// Options after the common ones, such as ["--to", "service:2"].
    public var args: [String]
    /// The CPU it runs on. `nil` with a `cpuWeight`: the manager chooses it
    /// so that the CPUs carry equal weight (cgroup weights divide each CPU
    /// on its own), writes it here (restarts keep it), and may move the NF
    /// when other such NFs are launched or stopped.
    public var cpu: Int?
    /// Its CPU weight against the platform's other supervised NFs (1...10000;
    /// `nil`: 100), enforced by the cgroup-v1 cpu controller (cpu.shares).
    public var cpuWeight: Int?
    /// The most CPU it may use, in percent of one CPU (1...100 per CPU; `nil`: no cap; cfs quota).
    public var cpuCap: Int?
    public var restart: RestartPolicy
    /// An instance ID to take (1...64); `nil`: the manager picks a free one.
    public var instance: Int?
    /// The supervised NF group (`NFGroupSpec`) it runs in, one process with
    /// the group's other members; `nil`: a process of its own. Set by the
    /// manager from the group's launch, never by a single NF's.
    public var group: String?

    public init(kind: String, program: String? = nil, service: Int, args: [String] = [], cpu: Int? = nil,
                restart: RestartPolicy = .onFailure, instance: Int? = nil, cpuWeight: Int? = nil, cpuCap: Int? = nil) {
        self.cpuWeight = cpuWeight; self.cpuCap = cpuCap
        self.kind = kind; self.program = program; self.service = service; self.args = args; self.cpu = cpu
        self.restart = restart; self.instance = instance
    }

    enum CodingKeys: String, CodingKey { case kind, program, service, args, cpu, restart, instance, cpuWeight, cpuCap, group }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        program = try c.decodeIfPresent(String.self, forKey: .program)
        service = try c.decode(Int.self, forKey: .service)
        args = try c.decodeIfPresent([String].self, forKey: .args) ?? []
        cpu = try c.decodeIfPresent(Int.self, forKey: .cpu)
        cpuWeight = try c.decodeIfPresent(Int.self, forKey: .cpuWeight)
        cpuCap = try c.decodeIfPresent(Int.self, forKey: .cpuCap)
        restart = try c.decodeIfPresent(RestartPolicy.self, forKey: .restart) ?? .onFailure
        instance = try c.decodeIfPresent(Int.self, forKey: .instance)
        group = try c.decodeIfPresent(String.self, forKey: .group)
    }

    public static let builtInKinds = ["forward", "bridge", "monitor", "speed-tester", "firewall", "router", "arp-responder", "steer", "detector"]

    /// What makes it impossible to start, if anything.
    public var problem: String? {
        if kind == "program" {
            guard let p = program, p.hasPrefix("/") else { return "kind 'program' needs 'program', an absolute path to the executable" }
        } else {
            guard Self.builtInKinds.contains(kind) else {
                return "kind '\(kind)' is not a built-in NF (\(Self.builtInKinds.joined(separator: ", "))) or 'program'"
            }
            if program != nil { return "'program' goes with kind 'program' only" }
        }
        guard (1..<Limits.maxServices).contains(service) else { return "service \(service) is out of range (1...\(Limits.maxServices - 1))" }
        if let cpu, cpu < 0 { return "cpu \(cpu): a CPU is a number from 0" }
        if let w = cpuWeight, !(1...10_000).contains(w) { return "cpuWeight \(w): must be 1...10000 (100: the default share)" }
        if let c = cpuCap, !(1...100 * 1024).contains(c) { return "cpuCap \(c): percent of one CPU, 1 or more" }
        if let i = instance, !(1...Limits.maxNFs).contains(i) { return "instance \(i) is out of range (1...\(Limits.maxNFs))" }
        let reserved = ["--service", "--manager", "--instance-id", "--cpu", "--cpu-weight", "--cpu-cap"]
        if let bad = args.first(where: { a in reserved.contains { a == $0 || a.hasPrefix($0 + "=") } }) {
            return "args: '\(bad)' is set by the manager (use the field of that name)"
        }
        return nil
    }

    /// The command line after the executable.
    public func arguments(platform: String, instance: Int) -> [String] {
        (kind == "program" ? [] : ["nf", kind]) + ["--service", "\(service)", "--manager", platform, "--instance-id", "\(instance)"]
            + (cpu.map { ["--cpu", "\($0)"] } ?? []) + args
    }
}

/// When the manager restarts a supervised NF that exited.
public enum RestartPolicy: String, Codable, Sendable, CaseIterable {
    /// Whenever it exits without being asked to stop.
    case always
    /// When it died (a signal) or exited with a failure status.
    case onFailure = "on-failure"
    case never
}
