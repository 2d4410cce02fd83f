import ArgumentParser
import Foundation
import NFVKit
import NFVShared

/// `nfv nf standby`: what the manager keeps ready so that a launch does not
/// wait for DPDK's start-up. It attaches to the platform (the slow part:
/// DPDK's secondary init, which loads every driver Debian ships), then
/// waits on its standard input for one line, `{"argv": ["forward",
/// "--service", "1", ...], "launchedAt": NS}`, and runs that built-in NF
/// (or NF group: `["group", "--member", ...]`) on the attachment it already has (with `--ready-fd`, it says when it is
/// attached by writing a byte there). At the end of its input it detaches and
/// exits. Until it is attached, it is killed when the manager that started it ends.
struct StandbyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standby", abstract: "Attach to a platform, then run the NF named on standard input (the manager's launches use it).")

    @Option(help: "The platform (manager) to attach to.") var manager = "default"
    @Option(help: "Write one byte to this file descriptor once attached (then close it).") var readyFd: Int32?

    struct HandOver: Decodable {
        var argv: [String]
        var launchedAt: UInt64
    }

    func run() throws {
        // A standby still in DPDK's start-up when the manager dies would go
        // on writing the platform's run-time files while `nfv cleanup`
        // removes them: until attached, it ends with the manager. Once
        // attached, the end of its input tells it (it detaches).
        guard ChildProcess.endWithParent(parentPipe: 0) else { return }
        let attachment = try NFAttachment(platform: manager)
        ChildProcess.outliveParent()
        if let fd = readyFd {
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
            close(fd)
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            attachment.detach()
            return
        }
        guard let handOver = try? JSONDecoder().decode(HandOver.self, from: Data(line.utf8)) else {
            attachment.detach()
            throw ValidationError("standby: not a hand-over line: \(line)")
        }
        attachment.handedOverAt = handOver.launchedAt
        let command: ParsableCommand
        do { command = try NFCommand.parseAsRoot(handOver.argv) } catch {
            attachment.detach()
            throw error
        }
        if let group = command as? GroupCommand {
            try group.run(attachment: attachment)
            return
        }
        guard let nf = command as? any BuiltInNFCommand else {
            attachment.detach()
            throw ValidationError("standby: '\(handOver.argv.first ?? "")' is not a built-in NF")
        }
        try nf.run(attachment: attachment)
    }
}
