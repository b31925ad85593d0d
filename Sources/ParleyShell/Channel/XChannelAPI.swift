import ParleyCore

/// What parley needs from the X API for one channel. The libcurl client implements it;
/// tests can pass a fake. Every call may throw a `ParleyError` a user can act on.
package protocol XChannelAPI: AnyObject {
    /// The account the tokens belong to.
    func me() throws -> XAccount
    /// One page of mentions, newest first, newer than `sinceID`.
    func mentions(userID: String, sinceID: String?, paginationToken: String?) throws -> XPage<XInboundTweet>
    /// One page of DM events, newest first.
    func directMessages(paginationToken: String?) throws -> XPage<XDirectMessage>
    /// Asks for a page of mentions ahead, so that it comes while the caller stores the page
    /// before; the `mentions` call with the same arguments takes it.
    func prefetchMentions(userID: String, sinceID: String?, paginationToken: String?)
    /// `prefetchMentions` for a page of DM events.
    func prefetchDirectMessages(paginationToken: String?)
    /// Posts a tweet (a reply when `inReplyTo` is set); returns its id.
    func postTweet(text: String, inReplyTo: String?) throws -> String
    /// Sends a direct message to an account; returns the DM event id.
    func sendDirectMessage(to participantID: String, text: String) throws -> String
}

package struct XAccount: Sendable, Equatable {
    package var id: String
    package var username: String
    package var name: String
    package init(id: String, username: String, name: String) {
        self.id = id
        self.username = username
        self.name = name
    }
}

package struct XPage<Item: Sendable>: Sendable {
    package var items: [Item]
    package var nextToken: String?
    package init(items: [Item], nextToken: String?) {
        self.items = items
        self.nextToken = nextToken
    }
}

package struct XInboundTweet: Sendable, Equatable {
    package var id: String
    package var authorID: String
    /// The author's username; nil when X did not include the author (the stored handle stays).
    package var authorUsername: String?
    package var text: String
    package var createdAt: Timestamp?
    package init(id: String, authorID: String, authorUsername: String?, text: String, createdAt: Timestamp?) {
        self.id = id
        self.authorID = authorID
        self.authorUsername = authorUsername
        self.text = text
        self.createdAt = createdAt
    }
}

package struct XDirectMessage: Sendable, Equatable {
    package var id: String
    package var senderID: String
    /// X's `dm_conversation_id`: `lowId-highId` for a one-to-one conversation, one number for a group.
    package var conversationID: String?
    /// The sender's username; nil when X did not include the sender (the stored handle stays).
    package var senderUsername: String?
    package var text: String
    package var createdAt: Timestamp?
    package init(
        id: String, senderID: String, conversationID: String?, senderUsername: String?, text: String,
        createdAt: Timestamp?
    ) {
        self.id = id
        self.senderID = senderID
        self.conversationID = conversationID
        self.senderUsername = senderUsername
        self.text = text
        self.createdAt = createdAt
    }

    /// The customer of this message as seen from the account `accountID`: the sender of a message
    /// the account received; for a message the account sent, the other id of the one-to-one
    /// conversation `lowId-highId`. Nil when there is none (a group conversation, a malformed id,
    /// a conversation of the account with itself).
    package func customerID(accountID: String) -> String? {
        guard senderID == accountID else {
            return senderID.isEmpty ? nil : senderID
        }
        return conversationID.flatMap { Self.otherParticipant(conversationID: $0, accountID: accountID) }
    }

    /// The id in a one-to-one `dm_conversation_id` (`lowId-highId`) that is not the account's.
    package static func otherParticipant(conversationID: String, accountID: String) -> String? {
        let ids = conversationID.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard ids.count == 2, ids.allSatisfy(XID.isNumeric) else { return nil }
        if ids[0] == accountID && ids[1] != accountID { return ids[1] }
        if ids[1] == accountID && ids[0] != accountID { return ids[0] }
        return nil
    }
}

/// X ids are decimal numbers that do not fit every integer type: compare them as such.
package enum XID {
    /// Is this a user or event id as X writes them (decimal digits only)?
    package static func isNumeric(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { (48...57).contains($0) }
    }

    package static func isNewer(_ a: String, than b: String?) -> Bool {
        guard let b else { return true }
        if a.count != b.count { return a.count > b.count }
        return a > b
    }
}
