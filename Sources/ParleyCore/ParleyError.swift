/// Every failure a user can see. Each case carries a message that says what was
/// wrong and, where it can, what would be right.
public enum ParleyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command line could not be understood (unknown command, wrong arity, bad option).
    case usage(String)
    /// A value is of the wrong form or out of range (duration, role, display name length).
    case invalidValue(String)
    /// A named thing does not exist (user, team, channel, conversation, topic).
    case notFound(String)
    /// The thing exists already (duplicate email, team name).
    case conflict(String)
    /// The access rules refuse the action; the message names the rule that decided.
    case denied(String)
    /// The action needs a logged-in user.
    case notLoggedIn(String)
    /// The action is not possible in the current state (sandbox-only command, last admin).
    case refused(String)
    /// A file, terminal or network operation failed.
    case io(String)

    public var message: String {
        switch self {
        case .usage(let m), .invalidValue(let m), .notFound(let m), .conflict(let m),
             .denied(let m), .notLoggedIn(let m), .refused(let m), .io(let m):
            return m
        }
    }

    public var description: String { message }
}
