import ArgumentParser
import Foundation
import NFVCore
import NFVShared

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show a running manager's statistics (refreshed once a second).")

    @Option(help: "The platform name.") var name = "default"
    @Flag(help: "Print the JSON as the manager wrote it.") var json = false

    func run() throws {
        let names = SharedNames(platform: name)
        guard PrimaryLock.isHeld(names) else {
            throw ValidationError(NFVError.managerNotRunning(platform: name).description)
        }
        guard let data = FileManager.default.contents(atPath: names.statsFile) else {
            throw ValidationError("the manager has not written statistics yet (\(names.statsFile)); try again in a second")
        }
        if json {
            Terminal.out(String(decoding: data, as: UTF8.self))
        } else {
            Terminal.out(StatsTable.render(try JSONDecoder().decode(PlatformStats.self, from: data)))
        }
    }
}
