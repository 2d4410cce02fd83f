/// Several built-in NFs the manager starts as one process on one thread
/// (`nfv nf group`) and supervises as one: they start together, share the
/// group's CPU, weight, cap and restart policy, and end together (a kill
/// or a crash of the process restarts them all, by the group's policy).
/// Each member is still an NF of its own to the platform (its instance,
/// service, counters).
public struct NFGroupSpec: Codable, Sendable, Equatable {
    /// Its name: 1...31 letters, digits, '-' or '_', unique among the
    /// platform's supervised groups that have not stopped.
    public var name: String
    /// Its members in the order the group's loop serves them: built-in NFs
    /// (`kind`, `service`, `args`, optionally `instance`); the CPU, weight,
    /// cap and restart policy are the group's.
    public var members: [NFLaunchSpec]
    /// The CPU its thread runs on (`nil`: the scheduler places it).
    public var cpu: Int?
    /// Its CPU weight against the platform's other supervised NFs and
    /// groups (the group is one process to the kernel: one weight).
    public var cpuWeight: Int?
    /// The most CPU it may use, in percent of one CPU.
    public var cpuCap: Int?
    public var restart: RestartPolicy

    public init(name: String, members: [NFLaunchSpec], cpu: Int? = nil, cpuWeight: Int? = nil, cpuCap: Int? = nil,
                restart: RestartPolicy = .onFailure) {
        self.name = name; self.members = members; self.cpu = cpu; self.cpuWeight = cpuWeight; self.cpuCap = cpuCap
        self.restart = restart
    }

    enum CodingKeys: String, CodingKey { case name, members, cpu, cpuWeight, cpuCap, restart }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        members = try c.decode([NFLaunchSpec].self, forKey: .members)
        cpu = try c.decodeIfPresent(Int.self, forKey: .cpu)
        cpuWeight = try c.decodeIfPresent(Int.self, forKey: .cpuWeight)
        cpuCap = try c.decodeIfPresent(Int.self, forKey: .cpuCap)
        restart = try c.decodeIfPresent(RestartPolicy.self, forKey: .restart) ?? .onFailure
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(members.map { Member(kind: $0.kind, service: $0.service, args: $0.args, instance: $0.instance) }, forKey: .members)
        try c.encodeIfPresent(cpu, forKey: .cpu)
        try c.encodeIfPresent(cpuWeight, forKey: .cpuWeight)
        try c.encodeIfPresent(cpuCap, forKey: .cpuCap)
        try c.encode(restart, forKey: .restart)
    }

    /// A member as the API takes it: what is its own, not the group's.
    private struct Member: Encodable {
        var kind: String
        var service: Int
        var args: [String]
        var instance: Int?
    }

    /// What makes it impossible to start, if anything.
    public var problem: String? {
        guard !name.isEmpty, name.count <= Limits.maxNameLength,
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }) else {
            return "group name '\(name)': 1...\(Limits.maxNameLength) letters, digits, '-' or '_'"
        }
        guard (1...Limits.maxGroupMembers).contains(members.count) else {
            return "group '\(name)' has \(members.count) members; a group has 1...\(Limits.maxGroupMembers)"
        }
        for (n, m) in members.enumerated() {
            let what = "group '\(name)', member \(n + 1) (\(m.kind))"
            if m.kind == "program" { return "\(what): a group runs built-in NFs only; run a program as an NF of its own" }
            if m.cpu != nil || m.cpuWeight != nil || m.cpuCap != nil || m.restart != .onFailure || m.group != nil {
                return "\(what): cpu, CPU weight and cap and restart are the group's, not a member's"
            }
            if let p = m.problem { return "\(what): \(p)" }
            if let bad = m.args.first(where: { $0.contains("'") && $0.contains("\"") }) {
                return "\(what): args: '\(bad)' has both kinds of quote, which a group member's command line cannot carry"
            }
        }
        let asked = members.compactMap(\.instance)
        if Set(asked).count != asked.count { return "group '\(name)': two members ask for the same instance" }
        return Self.withGroupFields(self, NFLaunchSpec(kind: "forward", service: 1)).problem
    }

    /// Member `i`'s spec as the supervisor keeps it: with the group's name,
    /// CPU, weight, cap and restart policy.
    public func member(_ i: Int) -> NFLaunchSpec { Self.withGroupFields(self, members[i]) }

    private static func withGroupFields(_ g: NFGroupSpec, _ m: NFLaunchSpec) -> NFLaunchSpec {
        var s = m
        s.group = g.name; s.cpu = g.cpu; s.cpuWeight = g.cpuWeight; s.cpuCap = g.cpuCap; s.restart = g.restart
        return s
    }

    /// The group's command line after the executable, its members taking
    /// `instances` (one each, in order): `nf group --manager P [--cpu C]
    /// --member 'KIND --service S --instance-id I ARGS' ...`.
    public func arguments(platform: String, instances: [Int]) -> [String] {
        var line = ["nf", "group", "--manager", platform] + (cpu.map { ["--cpu", "\($0)"] } ?? [])
        for (m, i) in zip(members, instances) {
            let words = [m.kind, "--service", "\(m.service)", "--instance-id", "\(i)"] + m.args
            line += ["--member", words.map(Self.quoted).joined(separator: " ")]
        }
        return line
    }

    /// `word` as `nfv nf group` splits a member's line: as it is, or in
    /// quotes when it is empty or has white space or quotes.
    static func quoted(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) else { return word }
        return word.contains("'") ? "\"\(word)\"" : "'\(word)'"
    }
}
