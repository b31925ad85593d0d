/// The records of parley's model (docs/PRODUCT.md), as plain values.

package struct User: Sendable, Equatable {
    package var id: Int64
    package var email: String
    package var name: String
    package var role: AccountRole
    package var enabled: Bool
    package var hasPassword: Bool
    package var createdAt: Timestamp
    package init(
        id: Int64, email: String, name: String, role: AccountRole, enabled: Bool, hasPassword: Bool,
        createdAt: Timestamp
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.enabled = enabled
        self.hasPassword = hasPassword
        self.createdAt = createdAt
    }
}

package struct Team: Sendable, Equatable {
    package var id: Int64
    package var name: String
    package init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

/// The kind of a channel. Only Twitter is connected; the model keeps room for more.
package enum ChannelKind: String, Sendable, CaseIterable {
    case twitter
}

package struct Channel: Sendable, Equatable {
    package var id: Int64
    package var kind: ChannelKind
    /// The account's @handle, without the `@`.
    package var handle: String
    /// The platform's account id (for a sandbox channel: `sandbox:<handle>`).
    package var accountID: String
    package var displayName: String
    package var autoOwnership: Bool
    package var autoResolve: AutoResolveSettings
    package var resolveReason: String?
    package var allUsers: Bool
    package var allUsersRole: ChannelRole
    package var allTeams: Bool
    /// Whether the channel holds OAuth credentials (false for sandbox channels).
    package var connected: Bool
    package var createdAt: Timestamp

    package init(
        id: Int64, kind: ChannelKind, handle: String, accountID: String, displayName: String,
        autoOwnership: Bool = true, autoResolve: AutoResolveSettings = AutoResolveSettings(),
        resolveReason: String? = nil, allUsers: Bool = false, allUsersRole: ChannelRole = .contributor,
        allTeams: Bool = false, connected: Bool = false, createdAt: Timestamp = 0
    ) {
        self.id = id
        self.kind = kind
        self.handle = handle
        self.accountID = accountID
        self.displayName = displayName
        self.autoOwnership = autoOwnership
        self.autoResolve = autoResolve
        self.resolveReason = resolveReason
        self.allUsers = allUsers
        self.allUsersRole = allUsersRole
        self.allTeams = allTeams
        self.connected = connected
        self.createdAt = createdAt
    }

    /// How a channel is named to people: its display name.
    package var label: String { displayName }
    package var atHandle: String { "@" + handle }
}

package enum MessageDirection: String, Sendable {
    case inbound = "in"
    case outbound = "out"
}

/// Public (mention, reply) or private (direct message).
package enum MessageKind: String, Sendable {
    case publicTweet = "public"
    case directMessage = "dm"
}

package struct Message: Sendable, Equatable {
    package var id: Int64
    package var conversationID: Int64
    package var platformID: String
    package var direction: MessageDirection
    package var kind: MessageKind
    /// The agent who sent an outbound message; nil for inbound and system messages.
    package var authorUserID: Int64?
    package var authorLabel: String
    package var text: String
    package var at: Timestamp
    package init(
        id: Int64, conversationID: Int64, platformID: String, direction: MessageDirection, kind: MessageKind,
        authorUserID: Int64?, authorLabel: String, text: String, at: Timestamp
    ) {
        self.id = id
        self.conversationID = conversationID
        self.platformID = platformID
        self.direction = direction
        self.kind = kind
        self.authorUserID = authorUserID
        self.authorLabel = authorLabel
        self.text = text
        self.at = at
    }
}

package struct Conversation: Sendable, Equatable {
    package var id: Int64
    package var channelID: Int64
    package var contactHandle: String
    package var contactPlatformID: String
    package var state: ConversationState
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
    package init(
        id: Int64, channelID: Int64, contactHandle: String, contactPlatformID: String,
        state: ConversationState, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.channelID = channelID
        self.contactHandle = contactHandle
        self.contactPlatformID = contactPlatformID
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
