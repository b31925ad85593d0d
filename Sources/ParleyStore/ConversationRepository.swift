import ParleyCore

/// A conversation as lists and `show` present it.
package struct ConversationSummary: Sendable, Equatable {
    package var id: Int64
    package var channelID: Int64
    package var channelHandle: String
    package var channelName: String
    package var contact: String
    package var contactPlatformID: String
    package var state: ConversationState
    package var ownerEmail: String?
    package var tags: [String]
    package var topics: [String]
    package var createdAt: Timestamp
    package var updatedAt: Timestamp
}

package struct Note: Sendable, Equatable {
    package var id: Int64
    package var author: String
    package var text: String
    package var at: Timestamp
}

/// The filters of `conversation list`.
package struct ConversationFilter: Sendable {
    package enum Owner: Sendable, Equatable {
        case user(Int64)
        case none
    }
    package var channelIDs: [Int64]
    package var queue: Queue?
    package var owner: Owner?
    package var tag: String?
    package var topicID: Int64?
    package var afterID: Int64?
    package var limit: Int
    package init(
        channelIDs: [Int64], queue: Queue? = nil, owner: Owner? = nil, tag: String? = nil,
        topicID: Int64? = nil, afterID: Int64? = nil, limit: Int = 50
    ) {
        self.channelIDs = channelIDs
        self.queue = queue
        self.owner = owner
        self.tag = tag
        self.topicID = topicID
        self.afterID = afterID
        self.limit = limit
    }
}

package enum ConversationRepository {
    static let summaryColumns = """
        c.id, c.channel_id, ch.handle AS channel_handle, ch.display_name AS channel_name, k.handle AS contact,
        k.platform_id AS contact_platform_id, c.queue, c.owner_id, c.deadline, c.limit_seconds,
        u.email AS owner_email, c.created_at, c.updated_at
        """
    static let summaryJoins = """
        FROM conversations c JOIN channels ch ON ch.id = c.channel_id JOIN contacts k ON k.id = c.contact_id
        LEFT JOIN users u ON u.id = c.owner_id
        """

    /// A row that starts with `summaryColumns`, decoded by position (hot: every list and command).
    static func summary(_ row: StoreRow) -> ConversationSummary {
        ConversationSummary(
            id: row[0], channelID: row[1], channelHandle: row[2], channelName: row[3],
            contact: row[4], contactPlatformID: row[5],
            state: ConversationState(
                queue: Queue(rawValue: row[6]) ?? .new, ownerID: row[7],
                deadline: row[8], limitSeconds: row[9]),
            ownerEmail: row[10], tags: [], topics: [], createdAt: row[11], updatedAt: row[12])
    }

    /// `summaryColumns` followed by the conversation's tags and topics, each in order and joined
    /// by a character no tag or topic holds (`labelledSummary` reads them).
    static func labelledColumns(_ db: StoreAccess) -> String {
        switch db.engine {
        case .sqlite: return labelledColumnsSQLite
        case .postgres: return labelledColumnsPostgres
        }
    }
    static let labelledColumnsSQLite = labelledColumns(.sqlite)
    static let labelledColumnsPostgres = labelledColumns(.postgres)

    static func labelledColumns(_ dialect: SQLDialect) -> String {
        """
        \(summaryColumns),
               (SELECT \(dialect.joinedBySeparator("tag")) FROM (SELECT tag FROM conversation_tags WHERE conversation_id = c.id ORDER BY tag) AS ordered_tags) AS tag_list,
               (SELECT \(dialect.joinedBySeparator("name")) FROM (SELECT t.name FROM conversation_topics ct JOIN topics t ON t.id = ct.topic_id
                                                          WHERE ct.conversation_id = c.id ORDER BY t.name) AS ordered_topics) AS topic_list
        """
    }

    /// A row of `labelledColumns`, decoded by position.
    static func labelledSummary(_ row: StoreRow) -> ConversationSummary {
        var s = summary(row)
        s.tags = (row[13] as String?).map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        s.topics = (row[14] as String?).map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        return s
    }

    package static func find(_ db: StoreAccess, id: Int64) throws -> ConversationSummary? {
        try db.row(
            sql: "SELECT \(labelledColumns(db)) \(summaryJoins) WHERE c.id = ?", arguments: [id]
        ).map(labelledSummary)
    }

    package static func list(_ db: StoreAccess, _ f: ConversationFilter) throws -> [ConversationSummary] {
        guard !f.channelIDs.isEmpty else { return [] }
        if f.owner == nil && f.tag == nil && f.topicID == nil {
            // The queue page: a merge of per-channel index ranges, bounded whatever the skew.
            let ids = try pageIDs(db, channelIDs: f.channelIDs, queue: f.queue, after: f.afterID ?? 0, limit: f.limit)
            return try summaries(db, ids: ids)
        }
        var conditions = ["c.channel_id IN (\(f.channelIDs.map(String.init).joined(separator: ",")))"]
        var args: [any SQLBindable] = []
        if let q = f.queue {
            conditions.append("c.queue = ?")
            args.append(q.rawValue)
        }
        switch f.owner {
        case .user(let id)?:
            conditions.append("c.owner_id = ?")
            args.append(id)
        case .none?: conditions.append("c.owner_id IS NULL")
        case nil: break
        }
        if let tag = f.tag {
            conditions.append("c.id IN (SELECT conversation_id FROM conversation_tags WHERE tag = ?)")
            args.append(tag)
        }
        if let topic = f.topicID {
            conditions.append("c.id IN (SELECT conversation_id FROM conversation_topics WHERE topic_id = ?)")
            args.append(topic)
        }
        if let after = f.afterID {
            conditions.append("c.id > ?")
            args.append(after)
        }
        args.append(f.limit)
        let rows = try db.uncachedRows(
            sql: """
                SELECT \(summaryColumns) \(summaryJoins) WHERE \(conditions.joined(separator: " AND ")) ORDER BY c.id LIMIT ?
                """, arguments: SQLArguments(args)
        ).map(summary)
        return try withLabels(db, rows)
    }

    /// The first `limit` conversation ids above `after` in `queue` (any queue when nil) on these
    /// channels, in id order. First a walk of the queue's index in id order, keeping the ids on
    /// these channels: a few statements when the channels hold a fair share of the traffic.
    /// When that walk has read `scanBudget` entries without filling the page (the channels are
    /// quiet ones among busy others), the merge of per-channel ranges takes over from where it
    /// stopped, so a page costs at most `scanBudget` entries plus the merge's bound.
    static func pageIDs(
        _ db: StoreAccess, channelIDs: [Int64], queue: Queue?, after: Int64, limit: Int
    ) throws -> [Int64] {
        let wanted = Set(channelIDs)
        let chunk = max(64, limit * 8)
        let sql =
            queue == nil
            ? "SELECT id, channel_id FROM conversations WHERE id > ? ORDER BY id LIMIT ?"
            : "SELECT id, channel_id FROM conversations WHERE queue = ? AND id > ? ORDER BY id LIMIT ?"
        var result: [Int64] = []
        var last = after
        var read = 0
        while result.count < limit && read < scanBudget(limit) {
            let arguments: SQLArguments = queue.map { [$0.rawValue, last, chunk] } ?? [last, chunk]
            // Read until the page is full: the rest of the chunk is never read.
            let count = try db.eachIntegerPair(sql: sql, arguments: arguments) { id, channel in
                last = id
                if wanted.contains(channel) { result.append(id) }
                return result.count < limit
            }
            if result.count == limit || count < chunk { return result }
            read += count
        }
        let queues = queue.map { [$0] } ?? Queue.allCases
        return result
            + (try pageIDs(
                db, streams: channelIDs.flatMap { c in queues.map { (c, $0) } }, after: last,
                limit: limit - result.count))
    }

    /// How many index entries the walk reads before the merge takes over.
    static func scanBudget(_ limit: Int) -> Int { max(2_000, limit * 40) }

    /// The first `limit` conversation ids above `after` across (channel, queue) streams, in id
    /// order: a k-way merge reading each stream's index range in small batches, so the work is
    /// about `limit + streams × batch` index entries however the traffic is spread.
    package static func pageIDs(
        _ db: StoreAccess, streams: [(Int64, Queue)], after: Int64,
        limit: Int
    ) throws -> [Int64] {
        let batch = max(4, min(64, limit / 4 + 1))
        let sql = "SELECT id FROM conversations WHERE channel_id = ? AND queue = ? AND id > ? ORDER BY id LIMIT ?"
        struct Stream {
            var channel: Int64
            var queue: Queue
            var buffer: [Int64]
            var index = 0
            var exhausted: Bool
        }
        var live: [Stream] = []
        live.reserveCapacity(streams.count)
        for (channel, queue) in streams {
            let ids = try db.integers(sql: sql, arguments: [channel, queue.rawValue, after, batch])
            if !ids.isEmpty {
                live.append(Stream(channel: channel, queue: queue, buffer: ids, exhausted: ids.count < batch))
            }
        }
        var result: [Int64] = []
        result.reserveCapacity(limit)
        while result.count < limit && !live.isEmpty {
            var best = 0
            for i in 1..<live.count where live[i].buffer[live[i].index] < live[best].buffer[live[best].index] {
                best = i
            }
            let id = live[best].buffer[live[best].index]
            result.append(id)
            live[best].index += 1
            if live[best].index == live[best].buffer.count {
                if live[best].exhausted {
                    live.remove(at: best)
                } else {
                    let more = try db.integers(
                        sql: sql, arguments: [live[best].channel, live[best].queue.rawValue, id, batch])
                    if more.isEmpty {
                        live.remove(at: best)
                    } else {
                        live[best].buffer = more
                        live[best].index = 0
                        live[best].exhausted = more.count < batch
                    }
                }
            }
        }
        return result
    }

    /// Summaries of these conversations, in id order, with their tags and topics: one statement.
    /// Its list of ids has a power of two of places, the last id repeated in those left over, so
    /// a few prepared statements serve every page.
    static func summaries(_ db: StoreAccess, ids: [Int64]) throws -> [ConversationSummary] {
        guard let last = ids.last else { return [] }
        var places = 1
        while places < ids.count { places *= 2 }
        let arguments = SQLArguments(
            values: ids.map(SQLValue.integer) + repeatElement(.integer(last), count: places - ids.count))
        let list = String(repeating: "?, ", count: places - 1) + "?"
        return try db.rows(
            sql: "SELECT \(labelledColumns(db)) \(summaryJoins) WHERE c.id IN (\(list)) ORDER BY c.id",
            arguments: arguments
        ).map(labelledSummary)
    }

    /// Fills in tags and topics for a page of conversations: two queries for the page.
    static func withLabels(_ db: StoreAccess, _ page: [ConversationSummary]) throws -> [ConversationSummary] {
        var rows = page
        guard !rows.isEmpty else { return rows }
        let ids = rows.map { String($0.id) }.joined(separator: ",")
        var tagsByID: [Int64: [String]] = [:]
        for r in try db.uncachedRows(
            sql: "SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN (\(ids)) ORDER BY tag")
        {
            tagsByID[r["conversation_id"], default: []].append(r["tag"])
        }
        var topicsByID: [Int64: [String]] = [:]
        for r in try db.uncachedRows(
            sql:
                "SELECT ct.conversation_id, t.name FROM conversation_topics ct JOIN topics t ON t.id = ct.topic_id WHERE ct.conversation_id IN (\(ids)) ORDER BY t.name"
        ) {
            topicsByID[r["conversation_id"], default: []].append(r["name"])
        }
        for i in rows.indices {
            rows[i].tags = tagsByID[rows[i].id] ?? []
            rows[i].topics = topicsByID[rows[i].id] ?? []
        }
        return rows
    }

    /// Conversation ids starting with `prefix` on the given channels (completion's source).
    package static func ids(_ db: StoreAccess, channelIDs: [Int64], prefix: String, limit: Int) throws -> [Int64] {
        guard !channelIDs.isEmpty else { return [] }
        return try db.uncachedAll(
            Int64.self,
            sql: """
                SELECT id FROM conversations WHERE channel_id IN (\(channelIDs.map(String.init).joined(separator: ",")))
                AND CAST(id AS TEXT) LIKE ? ORDER BY id LIMIT ?
                """, arguments: [likePrefix(prefix), limit])
    }

    // MARK: Contacts and conversations

    /// The contact for a platform account on a channel, created on first sight, and the handle it
    /// has now. `handle` is the username the platform gave, or nil when it gave none: the stored
    /// handle is then kept (`ContactHandle.choose`).
    package static func contact(
        _ db: StoreAccess, channelID: Int64, platformID: String,
        handle: String?
    ) throws -> (id: Int64, handle: String) {
        let sql = "SELECT id, handle FROM contacts WHERE channel_id = ? AND platform_id = ?"
        if let row = try db.row(sql: sql, arguments: [channelID, platformID]) {
            let id: Int64 = row[0]
            let stored: String = row[1]
            let chosen = ContactHandle.choose(given: handle, stored: stored, platformID: platformID)
            if chosen != stored {
                try db.run(sql: "UPDATE contacts SET handle = ? WHERE id = ?", arguments: [chosen, id])
            }
            return (id, chosen)
        }
        let chosen = ContactHandle.choose(given: handle, stored: nil, platformID: platformID)
        let insertedID = try db.insert(
            sql: "INSERT INTO contacts(channel_id, platform_id, handle) VALUES (?, ?, ?)",
            arguments: [channelID, platformID, chosen])
        return (insertedID, chosen)
    }

    /// The contact for a platform account on a channel, if parley has seen it.
    package static func contactID(_ db: StoreAccess, channelID: Int64, platformID: String) throws -> Int64? {
        try db.one(
            Int64.self, sql: "SELECT id FROM contacts WHERE channel_id = ? AND platform_id = ?",
            arguments: [channelID, platformID])
    }

    package static func find(_ db: StoreAccess, contactID: Int64) throws -> ConversationSummary? {
        try db.row(sql: "SELECT \(summaryColumns) \(summaryJoins) WHERE c.contact_id = ?", arguments: [contactID]).map(
            summary)
    }

    package static func insert(
        _ db: StoreAccess, channelID: Int64, contactID: Int64, state: ConversationState, now: Timestamp
    ) throws -> Int64 {
        let insertedID = try db.insert(
            sql: """
                INSERT INTO conversations(channel_id, contact_id, queue, owner_id, deadline, limit_seconds, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                channelID, contactID, state.queue.rawValue, state.ownerID, state.deadline, state.limitSeconds, now, now,
            ])
        return insertedID
    }

    package static func setState(_ db: StoreAccess, id: Int64, _ s: ConversationState, now: Timestamp) throws {
        try db.run(
            sql:
                "UPDATE conversations SET queue = ?, owner_id = ?, deadline = ?, limit_seconds = ?, updated_at = ? WHERE id = ?",
            arguments: [s.queue.rawValue, s.ownerID, s.deadline, s.limitSeconds, now, id])
    }

    package static func touch(_ db: StoreAccess, id: Int64, now: Timestamp) throws {
        try db.run(sql: "UPDATE conversations SET updated_at = ? WHERE id = ?", arguments: [now, id])
    }

    // MARK: Messages

    static func message(_ row: StoreRow) -> Message {
        Message(
            id: row["id"], conversationID: row["conversation_id"], platformID: row["platform_id"],
            direction: MessageDirection(rawValue: row["direction"]) ?? .inbound,
            kind: MessageKind(rawValue: row["kind"]) ?? .publicTweet, authorUserID: row["author_user_id"],
            authorLabel: row["author_label"], text: row["text"], at: row["at"])
    }

    /// Stores a message once: returns false when the platform id is already stored on the channel.
    @discardableResult
    package static func insertMessage(
        _ db: StoreAccess, conversationID: Int64, channelID: Int64, platformID: String,
        direction: MessageDirection, kind: MessageKind, authorUserID: Int64?,
        authorLabel: String, text: String, at: Timestamp
    ) throws -> Bool {
        // A reply by a person may be a first response: the report figures it can change, before.
        let window =
            direction == .outbound && authorUserID != nil
            ? try ReportFigureStore.window(db, conversationID: conversationID, at: at) : nil
        let stored = try insertMessageRow(
            db, conversationID: conversationID, channelID: channelID, platformID: platformID, direction: direction,
            kind: kind, authorUserID: authorUserID, authorLabel: authorLabel, text: text, at: at)
        if stored {
            try ReportFigureStore.messageStored(
                db, channelID: channelID, direction: direction, authorUserID: authorUserID, at: at, window: window)
        }
        return stored
    }

    /// The message's row alone, without its report figures (the caller counts them); false when
    /// the message was stored before.
    static func insertMessageRow(
        _ db: StoreAccess, conversationID: Int64, channelID: Int64, platformID: String,
        direction: MessageDirection, kind: MessageKind, authorUserID: Int64?,
        authorLabel: String, text: String, at: Timestamp
    ) throws -> Bool {
        try db.run(
            sql: """
                INSERT INTO messages(conversation_id, channel_id, platform_id, direction, kind, author_user_id, author_label, text, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
            arguments: [
                conversationID, channelID, platformID, direction.rawValue, kind.rawValue, authorUserID, authorLabel,
                text, at,
            ]) > 0
    }

    package static func messageExists(_ db: StoreAccess, channelID: Int64, platformID: String) throws -> Bool {
        try db.one(
            Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE channel_id = ? AND platform_id = ?)",
            arguments: [channelID, platformID]) ?? false
    }

    package static func messages(_ db: StoreAccess, conversationID: Int64, limit: Int = 1000) throws -> [Message] {
        try db.rows(
            sql: """
                SELECT * FROM (SELECT * FROM messages WHERE conversation_id = ? ORDER BY at DESC, id DESC LIMIT ?) AS recent ORDER BY at, id
                """, arguments: [conversationID, limit]
        ).map(message)
    }

    package static func latestInbound(_ db: StoreAccess, conversationID: Int64) throws -> Message? {
        try db.row(
            sql:
                "SELECT * FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY at DESC, id DESC LIMIT 1",
            arguments: [conversationID]
        ).map(message)
    }

    package static func messageCount(_ db: StoreAccess, conversationID: Int64) throws -> Int {
        try db.one(
            Int.self, sql: "SELECT count(*) FROM messages WHERE conversation_id = ?", arguments: [conversationID]) ?? 0
    }

    // MARK: Tags, topics, notes

    package static func tags(_ db: StoreAccess, conversationID: Int64) throws -> [String] {
        try db.all(
            String.self, sql: "SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag",
            arguments: [conversationID])
    }

    /// Adds a tag; false when it was there already.
    @discardableResult
    package static func addTag(_ db: StoreAccess, conversationID: Int64, tag: String) throws -> Bool {
        let changed = try db.run(
            sql: "INSERT INTO conversation_tags(conversation_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
            arguments: [conversationID, tag])
        return changed > 0
    }

    @discardableResult
    package static func removeTag(_ db: StoreAccess, conversationID: Int64, tag: String) throws -> Bool {
        let changed = try db.run(
            sql: "DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?",
            arguments: [conversationID, tag])
        return changed > 0
    }

    /// Tags in use starting with `prefix` (completion's source).
    /// Tags starting with `prefix` on conversations of these channels.
    package static func tagNames(
        _ db: StoreAccess, prefix: String, limit: Int,
        channelIDs: [Int64]
    ) throws -> [String] {
        guard !channelIDs.isEmpty else { return [] }
        return try db.uncachedAll(
            String.self,
            sql: """
                SELECT DISTINCT t.tag FROM conversation_tags t WHERE \(db.dialect.caselessLike("t.tag")) ? ESCAPE '\\'
                AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = t.conversation_id
                            AND c.channel_id IN (\(channelIDs.map(String.init).joined(separator: ","))))
                ORDER BY t.tag LIMIT ?
                """, arguments: [likePrefix(prefix), limit])
    }

    /// How a resolved conversation got there: who (nil: auto-resolve) and the reason recorded.
    package struct Resolution: Sendable, Equatable {
        package var at: Timestamp
        package var byEmail: String?
        package var automatic: Bool
        package var reason: String?
    }

    /// The last move of the conversation to Resolved, if any.
    package static func lastResolution(_ db: StoreAccess, conversationID: Int64) throws -> Resolution? {
        try db.row(
            sql: """
                SELECT e.at, u.email, e.cause, e.reason FROM queue_events e LEFT JOIN users u ON u.id = e.user_id
                WHERE e.conversation_id = ? AND e.to_queue = 'resolved' ORDER BY e.at DESC, e.id DESC LIMIT 1
                """, arguments: [conversationID]
        ).map {
            Resolution(at: $0[0], byEmail: $0[1], automatic: ($0[2] as String) == "auto-resolve", reason: $0[3])
        }
    }

    package static func topics(_ db: StoreAccess, conversationID: Int64) throws -> [String] {
        try db.all(
            String.self,
            sql:
                "SELECT t.name FROM conversation_topics ct JOIN topics t ON t.id = ct.topic_id WHERE ct.conversation_id = ? ORDER BY t.name",
            arguments: [conversationID])
    }

    /// The ids of the topics a conversation has.
    package static func topicIDs(_ db: StoreAccess, conversationID: Int64) throws -> [Int64] {
        try db.all(
            Int64.self, sql: "SELECT topic_id FROM conversation_topics WHERE conversation_id = ?",
            arguments: [conversationID])
    }

    /// How many conversations the database holds, over all channels.
    package static func count(_ db: StoreAccess) throws -> Int {
        try db.one(Int.self, sql: "SELECT count(*) FROM conversations") ?? 0
    }

    package static func setTopics(_ db: StoreAccess, conversationID: Int64, topicIDs: [Int64]) throws {
        try db.run(sql: "DELETE FROM conversation_topics WHERE conversation_id = ?", arguments: [conversationID])
        for id in topicIDs {
            try db.run(
                sql: "INSERT INTO conversation_topics(conversation_id, topic_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                arguments: [conversationID, id])
        }
    }

    package static func addNote(
        _ db: StoreAccess, conversationID: Int64, authorID: Int64, authorLabel: String, text: String, at: Timestamp
    ) throws -> Int64 {
        let insertedID = try db.insert(
            sql: "INSERT INTO notes(conversation_id, author_id, author_label, text, at) VALUES (?, ?, ?, ?, ?)",
            arguments: [conversationID, authorID, authorLabel, text, at])
        return insertedID
    }

    package static func notes(_ db: StoreAccess, conversationID: Int64) throws -> [Note] {
        try db.rows(
            sql: "SELECT id, author_label, text, at FROM notes WHERE conversation_id = ? ORDER BY at, id",
            arguments: [conversationID]
        )
        .map { Note(id: $0["id"], author: $0["author_label"], text: $0["text"], at: $0["at"]) }
    }

    // MARK: Queue history and auto-resolve

    package static func recordQueueEvent(
        _ db: StoreAccess, conversationID: Int64, channelID: Int64, at: Timestamp,
        from: Queue?, to: Queue, cause: String, userID: Int64?
    ) throws {
        let window =
            ReportFigureStore.changesTimes(cause: cause, to: to)
            ? try ReportFigureStore.window(db, conversationID: conversationID, at: at) : nil
        try db.run(
            sql:
                "INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [conversationID, channelID, at, from?.rawValue, to.rawValue, cause, userID])
        try ReportFigureStore.queueEventRecorded(
            db, channelID: channelID, at: at, cause: cause, to: to, userID: userID, window: window)
    }

    /// Is anything past its deadline? One probe of the deadline index.
    package static func anyDue(_ db: StoreAccess, now: Timestamp) throws -> Bool {
        try db.one(
            Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM conversations WHERE deadline IS NOT NULL AND deadline <= ?)",
            arguments: [now]) ?? false
    }

    /// Conversations past their deadline (or due by `now`), oldest deadline first.
    package static func due(_ db: StoreAccess, by now: Timestamp, channelIDs: [Int64]? = nil, limit: Int = 1_000_000)
        throws -> [ConversationSummary]
    {
        var sql = "SELECT \(summaryColumns) \(summaryJoins) WHERE c.deadline IS NOT NULL AND c.deadline <= ?"
        if let ids = channelIDs { sql += " AND c.channel_id IN (\(ids.map(String.init).joined(separator: ",")))" }
        sql += " ORDER BY c.deadline, c.id LIMIT ?"
        return try
            (channelIDs == nil
            ? db.rows(sql: sql, arguments: [now, limit]) : db.uncachedRows(sql: sql, arguments: [now, limit])).map(
                summary)
    }
}
