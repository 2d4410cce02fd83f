/// What an NF asks the manager for (`NFContext.request`), by message.
public enum ManagerRequest: Sendable, Equatable {
    /// Install a flow rule (an ID of 0: the manager picks one). Needs the
    /// `install_rules` permission for the NF's service; counts against its
    /// rate and its rule limit.
    case addRule(FlowRule)
    /// Remove a rule this instance installed.
    case removeRule(id: UInt32)
    /// Add a chain, or replace the chain of that name (packets inside it go
    /// on from their position in the new definition). Needs `change_chains`.
    case setChain(ChainSpec)
    /// Remove a chain no rule or port default names. Needs `change_chains`.
    case removeChain(name: String)
    /// Report that a threshold passed (`text`: what, such as the source
    /// and its rate). Needs no permission; the manager publishes it as an
    /// `alarm` event for controllers to act on, and answers `done`.
    case alarm(String)
}

/// What the manager sends an NF: the answer to one of its requests, or a
/// command of its own.
public enum ManagerMessage: Sendable, Equatable {
    case reply(ManagerReply)
    /// Reload your configuration (what SIGHUP asks too).
    case reload
}

/// What the manager answers an NF's request `seq` with.
public enum ManagerReply: Sendable, Equatable {
    /// Carried out (`ruleID`: the rule's, 0 for a chain request): the
    /// steering table's `version` has it (a packet that
    /// enters after that version is current meets the change).
    case done(seq: UInt32, ruleID: UInt32, version: UInt64)
    /// Refused, and why; nothing changed.
    case refused(seq: UInt32, reason: String)
}
