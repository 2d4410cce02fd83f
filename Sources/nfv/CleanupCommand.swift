import ArgumentParser
import NFVManager
import NFVShared

struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Remove what stopped or crashed managers left (huge-page files, run-time folders), and put back the RPS masks they turned off.",
        discussion: "A platform whose manager runs, or whose huge pages a process still maps, is left alone.")

    @Option(help: "Only this platform (default: every platform that left something).") var name: String?

    func run() throws {
        var said = false
        for platform in name.map({ [$0] }) ?? Leftovers.platforms() {
            said = true
            switch Leftovers.clean(platform) {
            case .removed(let n) where n > 0:
                Terminal.out("platform '\(platform)': removed \(n) file(s) (huge pages, run-time folders)")
                ReceiveSteering.restoreLeftover(platform: platform) { Terminal.out("platform '\(platform)': \($0)") }
            case .removed:
                Terminal.out("platform '\(platform)': nothing to remove")
            case .running:
                Terminal.out("platform '\(platform)': its manager is running; left alone (stop it first)")
            case .inUse(let pids):
                Terminal.out("platform '\(platform)': processes \(pids.map(String.init).joined(separator: ", ")) still use its memory or files; left alone (stop them first)")
            }
        }
        if !said { Terminal.out("nothing to clean up") }
    }
}
