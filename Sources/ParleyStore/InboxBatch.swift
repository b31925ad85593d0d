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
/// page's contacts and their conversations are read in one statement, the messages stored before
/// in another, the new messages are inserted together (multi-row INSERTs), the conversations
/// whose deadline alone moved are updated together, each written once with its last state, and
/// the report counts are added up and written once per day. A page of 100 mentions from known
/// customers costs two lookups and a handful of writes, where one message at a time costs five
/// statements a message. Callers run it inside a transaction.
package enum InboxBatch {
    package static func record(
        _ db: StoreAccess, channel: Channel, _ messages: [PageMessage], now: Timestamp
    ) throws -> [PageMessageResult] {
        guard !messages.isEmpty else { return [] }
        var page = try PageState.load(db, channelID: channel.id, contactPlatformIDs: messages.map(\.contactPlatformID))
        page.storedBefore = try PageState.stored(db, channelID: channel.id, platformIDs: messages.map(\.platformID))
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
        try page.insertMessages(db)
        try page.writeConversations(db, now: now)
        try ReportFigureStore.apply(db, page.figures)
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
    /// The page's messages already in the store, then with each message the page stores.
    var storedBefore: Set<String> = []
    /// The page's new messages, in its order: inserted together once the page is read
    /// (`insertMessages`). Nothing the page reads in between reads them: what it reads of
    /// messages is replies by a person (first responses), and a sync's messages have no author.
    var newMessages: [SQLValue] = []
    var newMessageCount = 0
    /// The report counts of the messages the page stored, applied once with the page.
    var figures = ReportFigures()

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

    /// Which of `platformIDs` the channel holds already, in lookups of `lookupWidth` ids.
    static func stored(_ db: StoreAccess, channelID: Int64, platformIDs: [String]) throws -> Set<String> {
        var found = Set<String>()
        for chunk in chunks(of: platformIDs) {
            for r in try db.rows(sql: storedSQL, arguments: SQLArguments(values: [channelID.sqlValue] + chunk)) {
                found.insert(r[0])
            }
        }
        return found
    }

    static let placeholders = Array(repeating: "?", count: lookupWidth).joined(separator: ", ")
    static let storedSQL = """
        SELECT platform_id FROM messages WHERE channel_id = ? AND platform_id IN (\(placeholders))
        """
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

    /// Takes a message to store with the page, counted in `figures`; false when it was stored
    /// before (by an earlier page, or earlier on this one), and then nothing changes.
    mutating func insertMessage(
        _ db: StoreAccess, _ channel: Channel, _ m: PageMessage, conversationID: Int64, direction: MessageDirection,
        label: String
    ) throws -> Bool {
        guard storedBefore.insert(m.platformID).inserted else { return false }
        newMessages += [
            conversationID.sqlValue, channel.id.sqlValue, .text(m.platformID), .text(direction.rawValue),
            .text(m.kind.rawValue), .null(.integer), .text(label), .text(m.text), m.at.sqlValue,
        ]
        newMessageCount += 1
        ReportFigureStore.count(&figures, channelID: channel.id, direction: direction, authorUserID: nil, at: m.at)
        return true
    }

    /// Rows in one multi-row INSERT: as many as the page has, in statements of these many rows
    /// (the first that fits, largest first), so that a few statements, each prepared once, serve
    /// every page.
    static let insertWidths = [100, 10, 1]
    static let messageColumns = 9
    static let insertSQL: [Int: String] = Dictionary(
        uniqueKeysWithValues: insertWidths.map { width in
            let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
            return (
                width,
                """
                INSERT INTO messages(conversation_id, channel_id, platform_id, direction, kind, author_user_id, author_label, text, at)
                VALUES \(Array(repeating: row, count: width).joined(separator: ", ")) ON CONFLICT DO NOTHING
                """
            )
        })

    /// Inserts the page's new messages, in its order. Each was looked for in the store first, in
    /// this transaction: one found by the insert now (a writer that stored it meanwhile) would
    /// make the page's results wrong, so it fails the page (on PostgreSQL such a writer makes
    /// the transaction fail as a conflict first, and it is run again).
    func insertMessages(_ db: StoreAccess) throws {
        let columns = Self.messageColumns
        var start = 0
        while start < newMessageCount {
            let width = Self.insertWidths.first { $0 <= newMessageCount - start }!
            let values = Array(newMessages[(start * columns)..<((start + width) * columns)])
            let inserted = try db.run(sql: Self.insertSQL[width]!, arguments: SQLArguments(values: values))
            guard inserted == width else {
                throw ParleyError.storage(.other, "database error: a message of the page was stored meanwhile")
            }
            start += width
        }
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
    /// and the time alone, for `lookupWidth` conversations at a time: it leaves the queue's and
    /// the owner's indexes and checks alone.
    func writeConversations(_ db: StoreAccess, now: Timestamp) throws {
        var deadlines: [(id: Int64, deadline: Timestamp?)] = []
        for id in changeOrder {
            let c = changed[id]!
            if c.inserted && c.state == c.stored { continue }
            if c.state.queue == c.stored.queue && c.state.ownerID == c.stored.ownerID
                && c.state.limitSeconds == c.stored.limitSeconds
            {
                deadlines.append((id, c.state.deadline))
            } else {
                try ConversationRepository.setState(db, id: id, c.state, now: now)
            }
        }
        for start in stride(from: 0, to: deadlines.count, by: Self.lookupWidth) {
            let part = deadlines[start..<min(start + Self.lookupWidth, deadlines.count)]
            let padding = Self.lookupWidth - part.count
            var values: [SQLValue] = []
            values.reserveCapacity(3 * Self.lookupWidth + 1)
            for d in part { values += [d.id.sqlValue, d.deadline.sqlValue] }
            values += Array(repeating: .null(.integer), count: 2 * padding)
            values.append(now.sqlValue)
            values += part.map { $0.id.sqlValue }
            values += Array(repeating: .null(.integer), count: padding)
            try db.run(sql: Self.deadlinesSQL, arguments: SQLArguments(values: values))
        }
    }

    /// New deadlines of `lookupWidth` conversations (padded with NULL ids, which match nothing).
    static let deadlinesSQL = """
        UPDATE conversations SET deadline = CASE id \(
            Array(repeating: "WHEN ? THEN ?", count: lookupWidth).joined(separator: " ")) ELSE deadline END,
            updated_at = ?
        WHERE id IN (\(placeholders))
        """
}
