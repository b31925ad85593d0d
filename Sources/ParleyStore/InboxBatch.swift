import ParleyCore

/// A message as a page of the platform lists it, for `InboxBatch.record`.
package struct PageMessage: Sendable, Equatable {
    package enum Origin: Sendable, Equatable {
        /// Written by the customer; `handle` is their username, nil when the platform did not give it.
        case customer(handle: String?)
        /// Sent by the channel's account to the customer, outside parley.
        case account
    }
    package var origin: Origin
    /// The customer: the author of an inbound message, the recipient of one the account sent.
    package var contactPlatformID: String
    package var platformID: String
    package var kind: MessageKind
    package var text: String
    package var at: Timestamp

    package init(
        origin: Origin, contactPlatformID: String, platformID: String, kind: MessageKind, text: String,
        at: Timestamp
    ) {
        self.origin = origin
        self.contactPlatformID = contactPlatformID
        self.platformID = platformID
        self.kind = kind
        self.text = text
        self.at = at
    }
}

/// What became of one message of a page: `Inbox.recordInbound`'s or `Inbox.recordOutboundFromPlatform`'s result.
package enum PageMessageResult: Sendable, Equatable {
    case inbound(InboundResult)
    case outbound(OutboundFromPlatformResult)
}

/// A page of a sync stored at once: the same rules, rows and results as `Inbox.recordInbound` and
/// `Inbox.recordOutboundFromPlatform` called message by message, in the page's order, but the
/// page's contacts and their conversations are read in one statement, a message stored before is
/// found by its own insert (which then changes nothing), and each conversation is written once
/// (with its last state), not once per message. A page of 100 mentions costs one lookup, 100
/// inserts and one update per conversation, where one message at a time costs five statements.
/// Callers run it inside a transaction.
package enum InboxBatch {
    package static func record(
        _ db: StoreAccess, channel: Channel, _ messages: [PageMessage], now: Timestamp
    ) throws -> [PageMessageResult] {
        guard !messages.isEmpty else { return [] }
        var page = try PageState.load(db, channelID: channel.id, contactPlatformIDs: messages.map(\.contactPlatformID))
        var results: [PageMessageResult] = []
        results.reserveCapacity(messages.count)
        for m in messages {
            switch m.origin {
            case .customer(let handle):
                results.append(.inbound(try page.inbound(db, channel, m, handle: handle, now: now)))
            case .account:
                results.append(.outbound(try page.outbound(db, channel, m, now: now)))
            }
        }
        try page.writeConversations(db, now: now)
        return results
    }
}

/// What one page knows of the store: its customers' contacts and conversations. Read once, then
/// kept in step with what the page writes.
struct PageState {
    struct Known {
        var contactID: Int64
        var handle: String
        var conversationID: Int64?
        var state: ConversationState?
    }
    /// A conversation the page changed: its state in the store, and its state now.
    struct Changed {
        var stored: ConversationState
        var state: ConversationState
        /// Inserted by this page, with `now` as its time: unchanged, it needs no update.
        var inserted: Bool
    }

    /// Ids in one lookup statement. The list is padded with NULLs (which match nothing) so that
    /// every lookup is the same statement, prepared once.
    static let lookupWidth = 100

    var contacts: [String: Known] = [:]
    var changed: [Int64: Changed] = [:]
    var changeOrder: [Int64] = []

    static func load(
        _ db: StoreAccess, channelID: Int64, contactPlatformIDs: [String]
    ) throws -> PageState {
        var page = PageState()
        for chunk in chunks(of: contactPlatformIDs) {
            let rows = try db.rows(sql: contactsSQL, arguments: SQLArguments(values: [channelID.sqlValue] + chunk))
            for r in rows {
                let queue: String? = r[4]
                let state = queue.map {
                    ConversationState(
                        queue: Queue(rawValue: $0) ?? .new, ownerID: r[5], deadline: r[6], limitSeconds: r[7])
                }
                page.contacts[r[0]] = Known(contactID: r[1], handle: r[2], conversationID: r[3], state: state)
            }
        }
        return page
    }

    static let placeholders = Array(repeating: "?", count: lookupWidth).joined(separator: ", ")
    static let contactsSQL = """
        SELECT k.platform_id, k.id, k.handle, c.id, c.queue, c.owner_id, c.deadline, c.limit_seconds
        FROM contacts k LEFT JOIN conversations c ON c.contact_id = k.id
        WHERE k.channel_id = ? AND k.platform_id IN (\(placeholders))
        """

    /// The distinct ids in lists of `lookupWidth`, padded with NULLs.
    static func chunks(of ids: [String]) -> [[SQLValue]] {
        var seen = Set<String>()
        let distinct = ids.filter { seen.insert($0).inserted }
        return stride(from: 0, to: distinct.count, by: lookupWidth).map { start in
            let part: [SQLValue] = distinct[start..<min(start + lookupWidth, distinct.count)].map { .text($0) }
            return part + Array(repeating: .null(.text), count: lookupWidth - part.count)
        }
    }

    /// `Inbox.recordInbound`, with the page's knowledge in place of its lookups.
    mutating func inbound(
        _ db: StoreAccess, _ channel: Channel, _ m: PageMessage, handle: String?, now: Timestamp
    ) throws -> InboundResult {
        let contact = try contact(db, channel, m.contactPlatformID, handle: handle)
        let existing = contact.state
        let (state, effect) = ConversationQueue.inbound(existing, settings: channel.autoResolve, now: now)
        let label = "@" + contact.handle
        let conversationID: Int64
        let stored: Bool
        if let id = contact.conversationID, let existing {
            // A message stored before changes nothing: its insert finds it and does nothing.
            guard try insertMessage(db, channel, m, conversationID: id, direction: .inbound, label: label) else {
                return InboundResult(conversationID: id, stored: false, effect: nil)
            }
            conversationID = id
            stored = true
            change(id, from: existing, to: state, inserted: false)
        } else {
            conversationID = try ConversationRepository.insert(
                db, channelID: channel.id, contactID: contact.contactID, state: state, now: now)
            contacts[m.contactPlatformID]?.conversationID = conversationID
            change(conversationID, from: state, to: state, inserted: true)
            stored = try insertMessage(
                db, channel, m, conversationID: conversationID, direction: .inbound, label: label)
        }
        contacts[m.contactPlatformID]?.state = state
        if effect != .stayed {
            try ConversationRepository.recordQueueEvent(
                db, conversationID: conversationID, channelID: channel.id, at: now,
                from: existing?.queue, to: .new, cause: effect.rawValue, userID: nil)
            if let old = existing {
                try AuditLog.record(
                    db,
                    AuditActor.system.entry(
                        "conversation.\(effect == .reopened ? "reopen" : "queue")", "conversation \(conversationID)",
                        channelID: channel.id, old: Inbox.describe(old), new: Inbox.describe(state), at: now))
            }
        }
        return InboundResult(conversationID: conversationID, stored: stored, effect: effect)
    }

    /// `Inbox.recordOutboundFromPlatform`, with the page's knowledge in place of its lookups.
    mutating func outbound(_ db: StoreAccess, _ channel: Channel, _ m: PageMessage, now: Timestamp) throws
        -> OutboundFromPlatformResult
    {
        guard let known = contacts[m.contactPlatformID], let id = known.conversationID, let state = known.state else {
            return .noConversation
        }
        let stored = try insertMessage(
            db, channel, m, conversationID: id, direction: .outbound, label: channel.atHandle)
        guard stored else { return .alreadyStored(id) }
        let next = ConversationQueue.activity(state, now: now)
        change(id, from: state, to: next, inserted: false)
        contacts[m.contactPlatformID]?.state = next
        return .stored(id)
    }

    /// The contact of an inbound message: known to the page, else created (or renamed) by
    /// `ConversationRepository.contact`, as `Inbox.recordInbound` does.
    mutating func contact(_ db: StoreAccess, _ channel: Channel, _ platformID: String, handle: String?) throws
        -> Known
    {
        if let known = contacts[platformID],
            ContactHandle.choose(given: handle, stored: known.handle, platformID: platformID) == known.handle
        {
            return known
        }
        let (id, chosen) = try ConversationRepository.contact(
            db, channelID: channel.id, platformID: platformID, handle: handle)
        var known = contacts[platformID] ?? Known(contactID: id, handle: chosen)
        known.handle = chosen
        contacts[platformID] = known
        return known
    }

    func insertMessage(
        _ db: StoreAccess, _ channel: Channel, _ m: PageMessage, conversationID: Int64, direction: MessageDirection,
        label: String
    ) throws -> Bool {
        try ConversationRepository.insertMessage(
            db, conversationID: conversationID, channelID: channel.id, platformID: m.platformID,
            direction: direction, kind: m.kind, authorUserID: nil, authorLabel: label, text: m.text, at: m.at)
    }

    mutating func change(_ id: Int64, from stored: ConversationState, to state: ConversationState, inserted: Bool) {
        if changed[id] == nil {
            changed[id] = Changed(stored: stored, state: state, inserted: inserted)
            changeOrder.append(id)
        } else {
            changed[id]!.state = state
        }
    }

    /// Each conversation the page changed, written once with its last state. When only its
    /// deadline moved (a message in New, an answer from the account), the update sets the deadline
    /// and the time alone: it leaves the queue's and the owner's indexes and checks alone.
    func writeConversations(_ db: StoreAccess, now: Timestamp) throws {
        for id in changeOrder {
            let c = changed[id]!
            if c.inserted && c.state == c.stored { continue }
            if c.state.queue == c.stored.queue && c.state.ownerID == c.stored.ownerID
                && c.state.limitSeconds == c.stored.limitSeconds
            {
                try db.run(
                    sql: "UPDATE conversations SET deadline = ?, updated_at = ? WHERE id = ?",
                    arguments: [c.state.deadline, now, id])
            } else {
                try ConversationRepository.setState(db, id: id, c.state, now: now)
            }
        }
    }
}
