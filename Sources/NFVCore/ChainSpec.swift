/// A named service chain: up to `Limits.maxChainLength` services in order,
/// and where a packet leaves after the last.
public struct ChainSpec: Sendable, Equatable {
    public var name: String
    public var steps: [ServiceID]
    public var exit: ChainExit

    public init(name: String, steps: [ServiceID], exit: ChainExit = .inputPort) {
        self.name = name
        self.steps = steps
        self.exit = exit
    }

    /// The name of the chain that the old single-chain options (`chain:`,
    /// `--chain`) define, and that packets made by NFs follow.
    public static let defaultName = "default"
}
