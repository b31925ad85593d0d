/// The records of parley's model (docs/PRODUCT.md), as plain values.

public struct User: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var role: AccountRole
    public var enabled: Bool
    public var hasPassword: Bool
    public var createdAt: Timestamp
    public init(id: Int64, email: String, name: String, role: AccountRole, enabled: Bool, hasPassword: Bool, createdAt: Timestamp) {
        self.id = id; self.email = email; self.name = name; self.role = role; self.enabled = enabled
        self.hasPassword = hasPassword; self.createdAt = createdAt
    }
}

public struct Team: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public init(id: Int64, name: String) { self.id = id; self.name = name }
}

/// The kind of a channel. Only Twitter is connected; the model keeps room for more.
public enum ChannelKind: String, Sendable, CaseIterable {
    case twitter
}

public struct Channel: Sendable, Equatable {
    public var id: Int64
    public var kind: ChannelKind
    /// The account's @handle, without the `@`.
    public var handle: String
    /// The platform's account id (for a sandbox channel: `sandbox:<handle>`).
    public var accountID: String
    public var displayName: String
    public var autoOwnership: Bool
    public var autoResolve: AutoResolveSettings
    public var resolveReason: String?
    public var allUsers: Bool
    public var allUsersRole: ChannelRole
    public var allTeams: Bool
    /// Whether the channel holds OAuth credentials (false for sandbox channels).
    public var connected: Bool
    public var createdAt: Timestamp

    public init(id: Int64, kind: ChannelKind, handle: String, accountID: String, displayName: String,
                autoOwnership: Bool = true, autoResolve: AutoResolveSettings = AutoResolveSettings(),
                resolveReason: String? = nil, allUsers: Bool = false, allUsersRole: ChannelRole = .contributor,
                allTeams: Bool = false, connected: Bool = false, createdAt: Timestamp = 0) {
        self.id = id; self.kind = kind; self.handle = handle; self.accountID = accountID
        self.displayName = displayName; self.autoOwnership = autoOwnership; self.autoResolve = autoResolve
        self.resolveReason = resolveReason; self.allUsers = allUsers; self.allUsersRole = allUsersRole
        self.allTeams = allTeams; self.connected = connected; self.createdAt = createdAt
    }

    /// How a channel is named to people: its display name.
    public var label: String { displayName }
    public var atHandle: String { "@" + handle }
}

public enum MessageDirection: String, Sendable {
    case inbound = "in"
    case outbound = "out"
}

/// Public (mention, reply) or private (direct message).
public enum MessageKind: String, Sendable {
    case publicTweet = "public"
    case directMessage = "dm"
}

public struct Message: Sendable, Equatable {
    public var id: Int64
    public var conversationID: Int64
    public var platformID: String
    public var direction: MessageDirection
    public var kind: MessageKind
    /// The agent who sent an outbound message; nil for inbound and system messages.
    public var authorUserID: Int64?
    public var authorLabel: String
    public var text: String
    public var at: Timestamp
    public init(id: Int64, conversationID: Int64, platformID: String, direction: MessageDirection, kind: MessageKind,
                authorUserID: Int64?, authorLabel: String, text: String, at: Timestamp) {
        self.id = id; self.conversationID = conversationID; self.platformID = platformID; self.direction = direction
        self.kind = kind; self.authorUserID = authorUserID; self.authorLabel = authorLabel; self.text = text; self.at = at
    }
}

public struct Conversation: Sendable, Equatable {
    public var id: Int64
    public var channelID: Int64
    public var contactHandle: String
    public var contactPlatformID: String
    public var state: ConversationState
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public init(id: Int64, channelID: Int64, contactHandle: String, contactPlatformID: String,
                state: ConversationState, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id; self.channelID = channelID; self.contactHandle = contactHandle
        self.contactPlatformID = contactPlatformID; self.state = state; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
