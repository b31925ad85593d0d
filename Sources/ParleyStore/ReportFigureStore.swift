import ParleyCore

/// The kept report figures (`ReportFigures`): read by reports, changed in the transaction of every
/// write that changes what a report counts — a stored message, a queue event, the auto-resolve
/// sweep — and removed with their channel (the tables cascade from `channels`).
///
/// Counts are keyed by (channel, day) and (channel, day, agent), so writes on different channels
/// or days touch different rows (PostgreSQL's serializable transactions do not conflict over one
/// hot row).
package enum ReportFigureStore {
    /// A conversation's durations that a write at time `at` can change, read before the write:
    /// first responses of the openings after the last resolve before `at` (up to `at`), and the
    /// resolutions of the resolves from `at` up to the next opening. A message or queue event at
    /// `at` changes no other duration, and does not move these bounds.
    struct Window {
        var scope: ReportRecount.Scope
        var figures: ReportFigures
    }

    static func window(_ db: StoreAccess, conversationID: Int64, at: Timestamp) throws -> Window {
        let bounds = try db.row(
            sql: """
                SELECT (SELECT max(at) FROM queue_events WHERE conversation_id = ? AND to_queue = 'resolved' AND at < ?),
                       (SELECT min(at) FROM queue_events WHERE conversation_id = ? AND cause IN ('created', 'reopened') AND at > ?)
                """, arguments: [conversationID, at, conversationID, at])
        let scope = ReportRecount.Scope.conversation(
            conversationID, openingsAfter: bounds?[0] ?? Int64.min, at: at,
            resolvesBefore: bounds?[1] ?? Int64.max)
        return Window(scope: scope, figures: try ReportRecount.durationFigures(db, scope))
    }

    /// The durations of `window` as they are now, less what they were before the write.
    static func change(_ db: StoreAccess, since window: Window) throws -> ReportFigures {
        var delta = try ReportRecount.durationFigures(db, window.scope)
        delta.merge(window.figures, sign: -1)
        return delta
    }

    /// A message was stored. `window`: read before it, when it is a reply by a person.
    static func messageStored(
        _ db: StoreAccess, channelID: Int64, direction: MessageDirection, authorUserID: Int64?, at: Timestamp,
        window: Window?
    ) throws {
        var delta = window == nil ? ReportFigures() : try change(db, since: window!)
        count(&delta, channelID: channelID, direction: direction, authorUserID: authorUserID, at: at)
        try apply(db, delta)
    }

    /// Adds a stored message to the counts of `delta`: what `messageStored` applies, without the
    /// durations. A page of a sync adds its messages up and applies them once
    /// (`InboxBatch.record`): its messages have no author, so they change no duration.
    static func count(
        _ delta: inout ReportFigures, channelID: Int64, direction: MessageDirection, authorUserID: Int64?,
        at: Timestamp
    ) {
        let day = ReportFigures.day(at)
        let inbound = direction == .inbound
        delta.addDay(.init(channelID: channelID, day: day), .init(inbound: inbound ? 1 : 0, outbound: inbound ? 0 : 1))
        if !inbound, let authorUserID {
            delta.addAgent(.init(channelID: channelID, day: day, agentID: authorUserID), .init(outbound: 1))
        }
    }

    /// Whether a queue event changes durations: an opening or a resolve.
    static func changesTimes(cause: String, to: Queue) -> Bool {
        cause == "created" || cause == "reopened" || to == .resolved
    }

    /// A queue event was recorded. `window`: read before it, when `changesTimes`.
    static func queueEventRecorded(
        _ db: StoreAccess, channelID: Int64, at: Timestamp, cause: String, to: Queue, userID: Int64?,
        window: Window?
    ) throws {
        var delta = window == nil ? ReportFigures() : try change(db, since: window!)
        let day = ReportFigures.day(at)
        let resolved: Int64 = to == .resolved ? 1 : 0
        delta.addDay(
            .init(channelID: channelID, day: day),
            .init(
                newConversations: cause == "created" ? 1 : 0, reopened: cause == "reopened" ? 1 : 0, resolved: resolved)
        )
        if resolved == 1, let userID {
            delta.addAgent(.init(channelID: channelID, day: day, agentID: userID), .init(resolved: 1))
        }
        try apply(db, delta)
    }

    /// The sweep is about to resolve every conversation due by `now` as of its deadline: each
    /// resolve counts on its deadline's day, with its resolution from the latest opening. Nothing
    /// of a conversation happens after its deadline (every message and move sets a later one), so
    /// no first response changes.
    static func sweeping(_ db: StoreAccess, now: Timestamp) throws {
        var days: [ReportFigures.Day: Int64] = [:]
        var times: [ReportFigures.TimesKey: DurationHistogram] = [:]
        try db.each(
            sql: """
                SELECT c.channel_id, c.deadline,
                       (SELECT max(o.at) FROM queue_events o WHERE o.conversation_id = c.id
                          AND o.cause IN ('created', 'reopened') AND o.at <= c.deadline)
                FROM conversations c WHERE c.deadline IS NOT NULL AND c.deadline <= ?
                """, arguments: [now]
        ) { row in
            let channelID: Int64 = row[0]
            let deadline: Int64 = row[1]
            let day = ReportFigures.day(deadline)
            days[.init(channelID: channelID, day: day), default: 0] += 1
            if let opened: Int64 = row[2] {
                times[.init(channelID: channelID, day: day, agentID: 0, kind: .resolution), default: .init()].add(
                    deadline - opened)
            }
        }
        var delta = ReportFigures()
        for (key, n) in days { delta.addDay(key, .init(resolved: n)) }
        for (key, h) in times { delta.addTimes(key, h) }
        try apply(db, delta)
    }

    // MARK: Reading and writing the tables

    /// Adds `delta` to the kept figures.
    static func apply(_ db: StoreAccess, _ delta: ReportFigures) throws {
        for (k, c) in delta.days {
            try db.run(
                sql: """
                    INSERT INTO report_days(channel_id, day, inbound, outbound, new_conversations, reopened, resolved)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, day) DO UPDATE SET
                        inbound = report_days.inbound + excluded.inbound, outbound = report_days.outbound + excluded.outbound,
                        new_conversations = report_days.new_conversations + excluded.new_conversations,
                        reopened = report_days.reopened + excluded.reopened, resolved = report_days.resolved + excluded.resolved
                    """,
                arguments: [k.channelID, k.day, c.inbound, c.outbound, c.newConversations, c.reopened, c.resolved])
        }
        for (k, c) in delta.agents {
            try db.run(
                sql: """
                    INSERT INTO report_agent_days(channel_id, day, agent_id, outbound, resolved) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (channel_id, day, agent_id) DO UPDATE SET
                        outbound = report_agent_days.outbound + excluded.outbound,
                        resolved = report_agent_days.resolved + excluded.resolved
                    """, arguments: [k.channelID, k.day, k.agentID, c.outbound, c.resolved])
        }
        for (k, h) in delta.times {
            for (bucket, bin) in h.bins { try applyBin(db, k, bucket: bucket, bin) }
        }
    }

    static func applyBin(
        _ db: StoreAccess, _ k: ReportFigures.TimesKey, bucket: Int64, _ bin: DurationHistogram.Bin
    ) throws {
        if k.agentID == 0 {
            try db.run(
                sql: """
                    INSERT INTO report_times(channel_id, day, kind, bucket, count, total_ms) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (channel_id, day, kind, bucket) DO UPDATE SET
                        count = report_times.count + excluded.count, total_ms = report_times.total_ms + excluded.total_ms
                    """, arguments: [k.channelID, k.day, k.kind.rawValue, bucket, bin.count, bin.totalMs])
            if bin.count < 0 {
                try db.run(
                    sql: """
                        DELETE FROM report_times WHERE channel_id = ? AND day = ? AND kind = ? AND bucket = ? AND count = 0
                        """, arguments: [k.channelID, k.day, k.kind.rawValue, bucket])
            }
        } else {
            try db.run(
                sql: """
                    INSERT INTO report_agent_times(channel_id, day, agent_id, kind, bucket, count, total_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, day, agent_id, kind, bucket) DO UPDATE SET
                        count = report_agent_times.count + excluded.count,
                        total_ms = report_agent_times.total_ms + excluded.total_ms
                    """, arguments: [k.channelID, k.day, k.agentID, k.kind.rawValue, bucket, bin.count, bin.totalMs])
            if bin.count < 0 {
                try db.run(
                    sql: """
                        DELETE FROM report_agent_times
                        WHERE channel_id = ? AND day = ? AND agent_id = ? AND kind = ? AND bucket = ? AND count = 0
                        """, arguments: [k.channelID, k.day, k.agentID, k.kind.rawValue, bucket])
            }
        }
    }

    /// The kept figures of one channel over days `days` (every channel and day when nil); per
    /// agent too when `agents`.
    static func load(
        _ db: StoreAccess, channelID: Int64? = nil, days: ClosedRange<Int64>? = nil, agents: Bool = true
    ) throws -> ReportFigures {
        var condition = "1 = 1"
        var args: SQLArguments = []
        if let channelID, let days {
            condition = "channel_id = ? AND day >= ? AND day <= ?"
            args = [channelID, days.lowerBound, days.upperBound]
        }
        var f = ReportFigures()
        try db.each(
            sql: """
                SELECT channel_id, day, inbound, outbound, new_conversations, reopened, resolved FROM report_days
                WHERE \(condition)
                """, arguments: args
        ) { row in
            f.addDay(
                .init(channelID: row[0], day: row[1]),
                .init(inbound: row[2], outbound: row[3], newConversations: row[4], reopened: row[5], resolved: row[6]))
        }
        try db.each(
            sql: "SELECT channel_id, day, kind, bucket, count, total_ms FROM report_times WHERE \(condition)",
            arguments: args
        ) { row in
            var h = DurationHistogram()
            h.add(bucket: row[3], count: row[4], totalMs: row[5])
            f.addTimes(.init(channelID: row[0], day: row[1], agentID: 0, kind: ReportRecount.kind(row[2])), h)
        }
        guard agents else { return f }
        try db.each(
            sql: "SELECT channel_id, day, agent_id, outbound, resolved FROM report_agent_days WHERE \(condition)",
            arguments: args
        ) { row in
            f.addAgent(
                .init(channelID: row[0], day: row[1], agentID: row[2]), .init(outbound: row[3], resolved: row[4]))
        }
        try db.each(
            sql: """
                SELECT channel_id, day, agent_id, kind, bucket, count, total_ms FROM report_agent_times WHERE \(condition)
                """, arguments: args
        ) { row in
            var h = DurationHistogram()
            h.add(bucket: row[4], count: row[5], totalMs: row[6])
            f.addTimes(
                .init(channelID: row[0], day: row[1], agentID: row[2], kind: ReportRecount.kind(row[3])), h)
        }
        return f
    }

    // MARK: Checking and rebuilding

    /// The channels whose kept figures differ from a recount of the raw rows (empty when all agree).
    /// Window by window (`ReportRecount.Window`), in one snapshot: the memory it takes is that of
    /// a channel's figures over 30 days, whatever the size of the database.
    package static func verify(_ db: StoreAccess) throws -> Set<Int64> {
        try db.atomically(write: false) {
            var differing: Set<Int64> = []
            var withRows: Set<Int64> = []
            for window in try ReportRecount.windows(db) {
                withRows.insert(window.channelID)
                if differing.contains(window.channelID) { continue }
                let recount = try ReportRecount.figures(db, window.scope)
                let stored = try load(db, channelID: window.channelID, days: window.days)
                if !stored.channelsDiffering(from: recount).isEmpty { differing.insert(window.channelID) }
            }
            // Figures kept for a channel with no message or queue event left are all wrong.
            for channelID in Set(try db.integers(sql: keptChannelsSQL)).subtracting(withRows) {
                if !(try load(db, channelID: channelID, days: Int64.min...Int64.max)).isEmpty {
                    differing.insert(channelID)
                }
            }
            return differing
        }
    }

    /// The channels that have kept figures.
    static let keptChannelsSQL = """
        SELECT channel_id FROM report_days UNION SELECT channel_id FROM report_agent_days
        UNION SELECT channel_id FROM report_times UNION SELECT channel_id FROM report_agent_times
        """

    /// Replaces every kept figure with a recount of the raw rows.
    package static func rebuild(_ db: StoreAccess) throws {
        for table in ["report_days", "report_agent_days", "report_times", "report_agent_times"] {
            try db.run(sql: "DELETE FROM \(table)")
        }
        for statement in ReportRecount.fill { try db.run(sql: statement) }
    }
}
