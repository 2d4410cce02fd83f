/// What the NFs of one service may change in the steering table through
/// their messages to the manager (the manager's `permissions:`). The
/// default allows nothing.
public struct NFPermissions: Sendable, Equatable {
    /// Whether they may install and remove flow rules (only their own).
    public var installRules: Bool = false
    /// Whether they may add, replace and remove chains.
    public var changeChains: Bool = false
    /// Rule and chain changes one instance may make per second (a token bucket of
    /// this many, refilled continuously).
    public var rulesPerSecond: Int = 100
    /// Rules one instance may have installed at once.
    public var maxRules: Int = 1000

    public init(installRules: Bool = false, changeChains: Bool = false, rulesPerSecond: Int = 100, maxRules: Int = 1000) {
        self.installRules = installRules
        self.changeChains = changeChains
        self.rulesPerSecond = rulesPerSecond
        self.maxRules = maxRules
    }
}
