/// Every failure a user can see. Each case carries a message that says what was
/// wrong and, where it can, what would be right.
package enum ParleyError: Error, Equatable, Sendable, CustomStringConvertible {
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
    /// The database could not do what was asked, for a reason a person can act on.
    case storage(StorageFailure, String)

    package var message: String {
        switch self {
        case .usage(let m), .invalidValue(let m), .notFound(let m), .conflict(let m),
            .denied(let m), .notLoggedIn(let m), .refused(let m), .io(let m), .storage(_, let m):
            return m
        }
    }

    package var description: String { message }
}

/// Why the database failed: the store sorts its engine's errors into these, in one place.
package enum StorageFailure: String, Equatable, Sendable {
    /// Another writer held the database past the busy timeout.
    case busy
    /// A write broke one of the schema's rules (a duplicate, a missing row).
    case constraint
    /// The file is damaged.
    case corrupt
    /// The database may only be read (the file, its folder, or how it was opened).
    case readOnly = "read-only"
    /// The disk is full.
    case full
    /// The file is not a parley database: it was left untouched.
    case notParleys = "not-parleys"
    /// The database server could not be reached, or it refused or dropped the connection.
    case unavailable
    /// A concurrent transaction won (PostgreSQL's serialization failure or deadlock): nothing
    /// was written, and the same work may be run again.
    case serialization
    /// Anything else the engine reported.
    case other

    /// Running the same work again may succeed.
    package var isRetryable: Bool { self == .busy || self == .serialization }
}
