import ArgumentParser

@main
struct NFV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfv",
        abstract: "SwiftNFV: an NF manager and network functions on DPDK shared memory.",
        subcommands: [ManagerCommand.self, NFCommand.self, DemoCommand.self, BenchCommand.self, CtlCommand.self, UpCommand.self, DownCommand.self,
                      CleanupCommand.self])
}
