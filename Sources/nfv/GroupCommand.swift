import ArgumentParser
import Foundation
import NFVKit

/// `nfv nf group`: several built-in NFs in one process, on one thread
/// (`NFGroupRunner`). Each `--member` is an NF's command line as for
/// `nfv nf` (`'forward --service 2 --cycles 50'`), split at white space,
/// with '…' or "…" to keep spaces in a value.
struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Run several built-in NFs in one process, on one thread: no context switch between them.",
        discussion: """
            Each member registers as an NF of its own (its service, instance, counters); the group runs whichever \
            has packets, a burst each in turn. They share the group's CPU and stop together (a signal to the \
            process stops every member). Example: nfv nf group --member 'forward --service 1' --member \
            'forward --service 2' --cpu 1
            """)
    @Option(help: "The platform (manager) to attach to.") var manager = "default"
    @Option(help: "A member: a built-in NF's command line, such as 'forward --service 2 --to next' (repeat).") var member: [String] = []
    @Option(parsing: .unconditional, help: "Pin the group to this CPU (default: the scheduler places it).") var cpu: Int?
    @Option(help: "Empty passes over all members before sleeping.") var spins = IdlePolicy().spins
    @Option(help: "While idle, yield the CPU once every this many passes.") var yieldEvery = IdlePolicy().yieldEvery

    func validate() throws {
        guard (1...NFGroupRunner.maxMembers).contains(member.count) else {
            throw ValidationError("give 1...\(NFGroupRunner.maxMembers) --member options, not \(member.count)")
        }
        if let c = cpu, c < 0 { throw ValidationError("--cpu \(c): a CPU is a number from 0") }
    }

    func run() throws { try run(attachment: nil) }

    /// Runs the group on `attachment` when a standby process made it (`nfv
    /// nf standby`), else on a fresh one.
    func run(attachment: NFAttachment?) throws {
        let members = try member.enumerated().map { i, line in try Self.member(line, number: i + 1, manager: manager) }
        let summaries = try NFGroupRunner.run(members, platform: manager, cpu: cpu, idle: IdlePolicy(spins: spins, yieldEvery: yieldEvery),
                                              attachment: attachment)
        for (m, s) in zip(members, summaries) {
            let c = s.counters
            Terminal.log("\(m.options.name) #\(s.instance.rawValue) (group): \(s.reason); rx \(c.rx), tx \(c.tx), dropped \(c.dropped + c.noRoute + c.ringFull), freed \(s.freedAtStop) queued at stop")
        }
        if summaries.contains(where: { $0.reason == .managerDied }) { throw ExitCode(1) }
    }

    /// Parses one `--member` into the NF it names; a bad one is refused
    /// with its number and text.
    static func member(_ line: String, number: Int, manager: String) throws -> NFGroupMember {
        let what = "--member \(number) '\(line)'"
        let args = try words(line, what: what)
        let command: ParsableCommand
        do { command = try NFCommand.parseAsRoot(args) } catch {
            throw ValidationError("\(what): \(NFCommand.message(for: error))")
        }
        guard let nf = command as? any BuiltInNFCommand else {
            throw ValidationError("\(what): '\(args.first ?? "")' is not a built-in NF that can run in a group")
        }
        if nf.common.cpu != nil { throw ValidationError("\(what): members share the group's thread; pin the group with --cpu") }
        if nf.common.cpuWeight != nil || nf.common.cpuCap != nil {
            throw ValidationError("\(what): members share the group's process and its CPU share; a supervised group takes a weight and a cap (nfv ctl launch-group)")
        }
        if nf.common.manager != "default" && nf.common.manager != manager {
            throw ValidationError("\(what): a member attaches to the group's manager ('\(manager)'); give --manager to the group")
        }
        return try nf.groupMember()
    }

    /// `line` split at white space outside '…' and "…".
    static func words(_ line: String, what: String) throws -> [String] {
        var words: [String] = [], word = "", quote: Character?, inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c.isWhitespace {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw ValidationError("\(what): a quote is not closed") }
        if inWord { words.append(word) }
        guard !words.isEmpty else { throw ValidationError("\(what): empty") }
        return words
    }
}
