import Foundation
import ParleyCore
import ParleyStore

/// Turning the names people type into records, with errors that say what exists.
extension CommandContext {
    /// A user by email (or `me`), among those the session's user may see.
    package func user(_ email: String) throws -> User {
        // `me` names the logged-in user (or says how to log in): a name, not an access rule.
        if email.lowercased() == "me" { return try requireUser() }
        return try visibility.user(email)
    }

    /// A channel by `#id`, `@handle` or display name, among those the session's user may see.
    package func channel(_ name: String) throws -> Channel {
        try visibility.channel(name)
    }

    /// A team by name, among those the session's user may see.
    package func team(_ name: String) throws -> Team {
        try visibility.team(name)
    }

    /// A conversation by number, among those the session's user may see.
    package func conversation(_ text: String) throws -> (ConversationSummary, Channel) {
        try visibility.conversation(text)
    }

    /// The channels the user has any role on (the access rules decide), in display order.
    package func visibleChannels(_ user: User) throws -> [Channel] {
        user.id == session.user?.id
            ? try visibility.roleChannels() : try AccessRepository.visibleChannels(db, user: user)
    }
}
