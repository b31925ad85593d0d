import ParleyCore

/// Who a change is recorded against in the audit log.
package struct AuditActor: Sendable, Equatable {
    package var actor: String
    package var asUser: String?
    package var session: String
    package var userID: Int64?
    package init(actor: String, asUser: String? = nil, session: String, userID: Int64?) {
        self.actor = actor
        self.asUser = asUser
        self.session = session
        self.userID = userID
    }
    /// Changes parley makes by itself: auto-resolve, sync.
    package static let system = AuditActor(actor: "system", session: "system", userID: nil)

    package func entry(
        _ action: String, _ target: String, channelID: Int64? = nil, old: String? = nil,
        new: String? = nil, at: Timestamp
    ) -> AuditEntry {
        AuditEntry(
            at: at, actor: actor, asUser: asUser, session: session, action: action, target: target,
            channelID: channelID, oldValue: old, newValue: new)
    }
}

/// The result of storing one inbound message.
package struct InboundResult: Sendable, Equatable {
    package var conversationID: Int64
    /// False when the message was already stored (same platform id on the channel).
    package var stored: Bool
    package var effect: InboundEffect?
}

/// What became of a message the channel's account sent outside parley.
package enum OutboundFromPlatformResult: Sendable, Equatable {
    /// Stored in this conversation.
    case stored(Int64)
    /// Stored before (parley sent it, or an earlier sync stored it): nothing changed.
    case alreadyStored(Int64)
    /// The other party has no conversation on the channel: nothing stored.
    case noConversation
}

/// The inbox operations: the queue rules (docs/PRODUCT.md) applied to stored conversations, each change
/// recorded in the queue history and the audit log. Callers run them inside a transaction.
package enum Inbox {
    /// A customer's message: creates, reopens or returns the conversation to New; stored once.
    /// `contactHandle` is the customer's username, or nil when the platform did not give it (the
    /// stored handle is kept; see `ContactHandle`).
    package static func recordInbound(
        _ db: StoreAccess, channel: Channel, contactPlatformID: String,
        contactHandle: String?, platformID: String, kind: MessageKind, text: String,
        at: Timestamp, now: Timestamp
    ) throws -> InboundResult {
        let contact = try ConversationRepository.contact(
            db, channelID: channel.id, platformID: contactPlatformID,
            handle: contactHandle)
        let contactID = contact.id
        let existing = try ConversationRepository.find(db, contactID: contactID)
        if existing != nil, try ConversationRepository.messageExists(db, channelID: channel.id, platformID: platformID)
        {
            return InboundResult(conversationID: existing!.id, stored: false, effect: nil)
        }
        let (state, effect) = ConversationQueue.inbound(existing?.state, settings: channel.autoResolve, now: now)
        let conversationID: Int64
        if let existing {
            conversationID = existing.id
            try ConversationRepository.setState(db, id: conversationID, state, now: now)
        } else {
            conversationID = try ConversationRepository.insert(
                db, channelID: channel.id, contactID: contactID, state: state, now: now)
        }
        let stored = try ConversationRepository.insertMessage(
            db, conversationID: conversationID, channelID: channel.id, platformID: platformID, direction: .inbound,
            kind: kind, authorUserID: nil, authorLabel: "@" + contact.handle, text: text, at: at)
        if effect != .stayed {
            try ConversationRepository.recordQueueEvent(
                db, conversationID: conversationID, channelID: channel.id, at: now,
                from: existing?.state.queue, to: .new, cause: effect.rawValue, userID: nil)
            if let old = existing?.state {
                try AuditLog.record(
                    db,
                    AuditActor.system.entry(
                        "conversation.\(effect == .reopened ? "reopen" : "queue")", "conversation \(conversationID)",
                        channelID: channel.id, old: describe(old), new: describe(state), at: now))
            }
        }
        return InboundResult(conversationID: conversationID, stored: stored, effect: effect)
    }

    /// An agent's reply, after the platform accepted it (or on a sandbox channel).
    package static func recordOutbound(
        _ db: StoreAccess, channel: Channel, conversation: ConversationSummary, author: User,
        platformID: String, kind: MessageKind, text: String, now: Timestamp,
        actor: AuditActor
    ) throws -> ConversationState {
        try ConversationRepository.insertMessage(
            db, conversationID: conversation.id, channelID: channel.id, platformID: platformID, direction: .outbound,
            kind: kind, authorUserID: author.id, authorLabel: author.email, text: text, at: now)
        let state = ConversationQueue.outbound(
            conversation.state, replier: author.id, autoOwnership: channel.autoOwnership, now: now)
        try ConversationRepository.setState(db, id: conversation.id, state, now: now)
        try AuditLog.record(
            db,
            actor.entry(
                kind == .directMessage ? "conversation.dm" : "conversation.reply",
                "conversation \(conversation.id)", channelID: channel.id,
                new: "\(platformID): \(text.prefix(200))", at: now))
        if state.ownerID != conversation.state.ownerID {
            try AuditLog.record(
                db,
                actor.entry(
                    "conversation.owner", "conversation \(conversation.id)", channelID: channel.id,
                    old: conversation.ownerEmail ?? "none", new: author.email + " (auto-ownership)", at: now))
        }
        return state
    }

    /// A message the channel's account sent outside parley (X's own app, another tool), found by a
    /// sync: stored once in the conversation with that customer, with no author but the account.
    /// Like any outbound message it does not move the queue and gives no owner; it moves the
    /// deadline.
    @discardableResult
    package static func recordOutboundFromPlatform(
        _ db: StoreAccess, channel: Channel, contactPlatformID: String,
        platformID: String, kind: MessageKind, text: String, at: Timestamp,
        now: Timestamp
    ) throws -> OutboundFromPlatformResult {
        guard
            let contactID = try ConversationRepository.contactID(
                db, channelID: channel.id,
                platformID: contactPlatformID),
            let conversation = try ConversationRepository.find(db, contactID: contactID)
        else {
            return .noConversation
        }
        let stored = try ConversationRepository.insertMessage(
            db, conversationID: conversation.id, channelID: channel.id, platformID: platformID, direction: .outbound,
            kind: kind, authorUserID: nil, authorLabel: channel.atHandle, text: text, at: at)
        guard stored else {
            return .alreadyStored(conversation.id)
        }
        let state = ConversationQueue.activity(conversation.state, now: now)
        try ConversationRepository.setState(db, id: conversation.id, state, now: now)
        return .stored(conversation.id)
    }

    /// Moves a conversation to a queue. Returns the new state (unchanged when it was there already).
    package static func move(
        _ db: StoreAccess, channel: Channel, conversation: ConversationSummary, to queue: Queue,
        cause: String, reason: String? = nil, now: Timestamp, actor: AuditActor
    ) throws -> ConversationState {
        let old = conversation.state
        let state = ConversationQueue.move(old, to: queue, settings: channel.autoResolve, now: now)
        guard state != old else { return state }
        try ConversationRepository.setState(db, id: conversation.id, state, now: now)
        try ConversationRepository.recordQueueEvent(
            db, conversationID: conversation.id, channelID: channel.id, at: now,
            from: old.queue, to: queue, cause: cause, userID: actor.userID)
        var newValue = describe(state)
        if let reason, !reason.isEmpty { newValue += " (reason: \(reason))" }
        try AuditLog.record(
            db,
            actor.entry(
                cause == "auto-resolve" ? "conversation.auto-resolve" : "conversation.move",
                "conversation \(conversation.id)", channelID: channel.id,
                old: describe(old, owner: conversation.ownerEmail), new: newValue, at: now))
        return state
    }

    /// Resolves every conversation whose deadline has passed, with its channel's resolve reason,
    /// and returns their ids. Each is resolved as of its deadline (the moment it became due), so
    /// reports count it there even when the sweep runs later.
    ///
    /// This is `ConversationQueue.enter(.resolved)` (no owner, no deadline) done as three set
    /// statements, so a sweep of 100,000 conversations costs about what the raw UPDATE does;
    /// `InboxSweepTests` checks it against the rule conversation by conversation.
    @discardableResult
    package static func sweep(_ db: StoreAccess, now: Timestamp) throws -> [Int64] {
        let ids = try db.all(
            Int64.self,
            sql: "SELECT id FROM conversations WHERE deadline IS NOT NULL AND deadline <= ? ORDER BY deadline, id",
            arguments: [now])
        guard !ids.isEmpty else { return [] }
        try ReportFigureStore.sweeping(db, now: now)
        try db.run(
            sql: """
                INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id, reason)
                SELECT c.id, c.channel_id, c.deadline, c.queue, 'resolved', 'auto-resolve', NULL, nullif(ch.resolve_reason, '')
                FROM conversations c JOIN channels ch ON ch.id = c.channel_id WHERE c.deadline IS NOT NULL AND c.deadline <= ?
                """, arguments: [now])
        try db.run(
            sql: """
                INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value)
                SELECT c.deadline, 'system', NULL, 'system', 'conversation.auto-resolve', 'conversation ' || c.id, c.channel_id,
                       c.queue || coalesce(', owner ' || u.email, ''),
                       'resolved' || CASE WHEN coalesce(ch.resolve_reason, '') = '' THEN '' ELSE ' (reason: ' || ch.resolve_reason || ')' END
                FROM conversations c JOIN channels ch ON ch.id = c.channel_id LEFT JOIN users u ON u.id = c.owner_id
                WHERE c.deadline IS NOT NULL AND c.deadline <= ?
                """, arguments: [now])
        try db.run(
            sql: """
                UPDATE conversations SET queue = 'resolved', owner_id = NULL, updated_at = deadline, deadline = NULL, limit_seconds = NULL
                WHERE deadline IS NOT NULL AND deadline <= ?
                """, arguments: [now])
        return ids
    }

    package static func describe(_ s: ConversationState, owner: String? = nil) -> String {
        var text = s.queue.rawValue
        if let owner { text += ", owner \(owner)" }
        return text
    }
}
