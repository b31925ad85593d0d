// Stand-in for the one ParleyShell type TerminalSecret.swift uses, so the
// demo builds without the parley package (its copy is in Session.swift).
public enum PromptAnswer: Equatable, Sendable {
    case text(String)
    case cancelled
}
