import ParleyCore

/// What parley needs from the X API for one channel. The libcurl client implements it;
/// tests can pass a fake. Every call may throw a `ParleyError` a user can act on.
public protocol XChannelAPI: AnyObject {
    /// The account the tokens belong to.
    func me() throws -> XAccount
    /// One page of mentions, newest first, newer than `sinceID`.
    func mentions(userID: String, sinceID: String?, paginationToken: String?) throws -> XPage<XInboundTweet>
    /// One page of DM events, newest first.
    func directMessages(paginationToken: String?) throws -> XPage<XDirectMessage>
    /// Posts a tweet (a reply when `inReplyTo` is set); returns its id.
    func postTweet(text: String, inReplyTo: String?) throws -> String
    /// Sends a direct message to an account; returns the DM event id.
    func sendDirectMessage(to participantID: String, text: String) throws -> String
}

public struct XAccount: Sendable, Equatable {
    public var id: String
    public var username: String
    public var name: String
    public init(id: String, username: String, name: String) { self.id = id; self.username = username; self.name = name }
}

public struct XPage<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextToken: String?
    public init(items: [Item], nextToken: String?) { self.items = items; self.nextToken = nextToken }
}

public struct XInboundTweet: Sendable, Equatable {
    public var id: String
    public var authorID: String
    public var authorUsername: String
    public var text: String
    public var createdAt: Timestamp?
    public init(id: String, authorID: String, authorUsername: String, text: String, createdAt: Timestamp?) {
        self.id = id; self.authorID = authorID; self.authorUsername = authorUsername; self.text = text; self.createdAt = createdAt
    }
}

public struct XDirectMessage: Sendable, Equatable {
    public var id: String
    public var senderID: String
    /// The other participant's id (for an event the channel sent, the recipient).
    public var participantIDs: [String]
    public var senderUsername: String?
    public var text: String
    public var createdAt: Timestamp?
    public init(id: String, senderID: String, participantIDs: [String], senderUsername: String?, text: String, createdAt: Timestamp?) {
        self.id = id; self.senderID = senderID; self.participantIDs = participantIDs; self.senderUsername = senderUsername
        self.text = text; self.createdAt = createdAt
    }
}

/// X ids are decimal numbers that do not fit every integer type: compare them as such.
public enum XID {
    public static func isNewer(_ a: String, than b: String?) -> Bool {
        guard let b else { return true }
        if a.count != b.count { return a.count > b.count }
        return a > b
    }
}
