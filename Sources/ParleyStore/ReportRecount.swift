import ParleyCore

/// A report's figures counted from the raw rows (messages and queue history), the way a report
/// defines them: what the kept figures must equal (`ReportFigureStore.verify`), what a migration
/// or `doctor --rebuild-report-figures` fills them with, and what a report reads for the part of
/// a day its period cuts.
///
/// - Messages in and out, by the day of the message; replies by a person, per author.
/// - New and reopened conversations by the day of the queue event; resolved ones by the day of
///   the resolve, per person who resolved (auto-resolve has none).
/// - First response: from an opening (the conversation created or reopened) to the first reply by
///   a person at or after it and at or before the next resolve; by the opening's day and the
///   replier.
/// - Resolution: from the latest opening at or before a resolve to the resolve; by the resolve's
///   day and the person who resolved.
enum ReportRecount {
    /// Which raw rows a count reads: conditions on messages `m`, counted queue events `e`,
    /// openings `e` and resolves `r`, each with its arguments.
    struct Scope {
        var messages = "1 = 1"
        var messageArguments: SQLArguments = []
        var events = "1 = 1"
        var eventArguments: SQLArguments = []
        var openings = "1 = 1"
        var openingArguments: SQLArguments = []
        var resolves = "1 = 1"
        var resolveArguments: SQLArguments = []

        /// Everything in the database.
        static let all = Scope()

        /// A channel's rows that happened in [from, to).
        static func channel(_ id: Int64, from: Timestamp, to: Timestamp) -> Scope {
            let args: SQLArguments = [id, from, to]
            return Scope(
                messages: "m.channel_id = ? AND m.at >= ? AND m.at < ?", messageArguments: args,
                events: "e.channel_id = ? AND e.at >= ? AND e.at < ?", eventArguments: args,
                openings: "e.channel_id = ? AND e.at >= ? AND e.at < ?", openingArguments: args,
                resolves: "r.channel_id = ? AND r.at >= ? AND r.at < ?", resolveArguments: args)
        }

        /// A conversation's durations that a write at one time can change (`ReportFigureStore`):
        /// openings in (after, at], resolves in [at, before).
        static func conversation(
            _ id: Int64, openingsAfter after: Timestamp, at: Timestamp, resolvesBefore before: Timestamp
        )
            -> Scope
        {
            Scope(
                messages: "1 = 0", events: "1 = 0",
                openings: "e.conversation_id = ? AND e.at > ? AND e.at <= ?", openingArguments: [id, after, at],
                resolves: "r.conversation_id = ? AND r.at >= ? AND r.at < ?", resolveArguments: [id, at, before])
        }
    }

    /// Counts per channel and day: channel_id, day, inbound, outbound, new_conversations, reopened, resolved.
    static func days(_ s: Scope) -> (sql: String, arguments: SQLArguments) {
        (
            """
            SELECT channel_id, day, sum(inbound), sum(outbound), sum(new_conversations), sum(reopened), sum(resolved) FROM (
                SELECT m.channel_id AS channel_id, m.at / 86400000 AS day,
                       CASE WHEN m.direction = 'in' THEN 1 ELSE 0 END AS inbound,
                       CASE WHEN m.direction = 'out' THEN 1 ELSE 0 END AS outbound,
                       0 AS new_conversations, 0 AS reopened, 0 AS resolved
                FROM messages m WHERE \(s.messages)
                UNION ALL
                SELECT e.channel_id, e.at / 86400000, 0, 0,
                       CASE WHEN e.cause = 'created' THEN 1 ELSE 0 END, CASE WHEN e.cause = 'reopened' THEN 1 ELSE 0 END,
                       CASE WHEN e.to_queue = 'resolved' THEN 1 ELSE 0 END
                FROM queue_events e WHERE (e.cause IN ('created', 'reopened') OR e.to_queue = 'resolved') AND \(s.events)
            ) AS counted GROUP BY channel_id, day
            """, s.messageArguments + s.eventArguments
        )
    }

    /// Replies and resolves per person: channel_id, day, agent_id, outbound, resolved.
    static func agentDays(_ s: Scope) -> (sql: String, arguments: SQLArguments) {
        (
            """
            SELECT channel_id, day, agent_id, sum(outbound), sum(resolved) FROM (
                SELECT m.channel_id AS channel_id, m.at / 86400000 AS day, m.author_user_id AS agent_id,
                       1 AS outbound, 0 AS resolved
                FROM messages m WHERE m.direction = 'out' AND m.author_user_id IS NOT NULL AND \(s.messages)
                UNION ALL
                SELECT e.channel_id, e.at / 86400000, e.user_id, 0, 1
                FROM queue_events e WHERE e.to_queue = 'resolved' AND e.user_id IS NOT NULL AND \(s.events)
            ) AS counted GROUP BY channel_id, day, agent_id
            """, s.messageArguments + s.eventArguments
        )
    }

    /// One row per duration: channel_id, day, agent_id (NULL: none), kind, ms.
    static func durations(_ s: Scope) -> (sql: String, arguments: SQLArguments) {
        (
            """
            SELECT e.channel_id AS channel_id, e.at / 86400000 AS day, m.author_user_id AS agent_id,
                   'first_response' AS kind, m.at - e.at AS ms
            FROM queue_events e
            JOIN messages m ON m.id = (
                SELECT m2.id FROM messages m2
                WHERE m2.conversation_id = e.conversation_id AND m2.direction = 'out' AND m2.author_user_id IS NOT NULL
                  AND m2.at >= e.at
                  AND m2.at <= coalesce((SELECT min(r2.at) FROM queue_events r2
                                         WHERE r2.conversation_id = e.conversation_id AND r2.to_queue = 'resolved'
                                           AND r2.at >= e.at), 9223372036854775807)
                ORDER BY m2.at, m2.id LIMIT 1)
            WHERE e.cause IN ('created', 'reopened') AND \(s.openings)
            UNION ALL
            SELECT channel_id, at / 86400000, user_id, 'resolution', at - opened FROM (
                SELECT r.channel_id AS channel_id, r.at AS at, r.user_id AS user_id,
                       (SELECT max(o.at) FROM queue_events o WHERE o.conversation_id = r.conversation_id
                          AND o.cause IN ('created', 'reopened') AND o.at <= r.at) AS opened
                FROM queue_events r WHERE r.to_queue = 'resolved' AND \(s.resolves)
            ) AS resolves WHERE opened IS NOT NULL
            """, s.openingArguments + s.resolveArguments
        )
    }

    /// The bucket of the column `ms`, as SQL: a long expression, built once (a report, and each
    /// window `verify` checks, would build it again at every count).
    static let bucketOfMs = DurationHistogram.bucketSQL("ms")

    /// Durations per bucket, every agent together: channel_id, day, kind, bucket, count, total_ms.
    static func times(_ s: Scope) -> (sql: String, arguments: SQLArguments) {
        let d = durations(s)
        return (
            """
            SELECT channel_id, day, kind, \(bucketOfMs), count(*), sum(ms)
            FROM (\(d.sql)) AS durations GROUP BY 1, 2, 3, 4
            """, d.arguments
        )
    }

    /// Durations per bucket and person: channel_id, day, agent_id, kind, bucket, count, total_ms.
    static func agentTimes(_ s: Scope) -> (sql: String, arguments: SQLArguments) {
        let d = durations(s)
        return (
            """
            SELECT channel_id, day, agent_id, kind, \(bucketOfMs), count(*), sum(ms)
            FROM (\(d.sql)) AS durations WHERE agent_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5
            """, d.arguments
        )
    }

    /// A part of one channel's history, [from, to): what `ReportFigureStore.verify` recounts and
    /// compares at once, so that it holds one window's figures, not the database's (two copies of
    /// every figure of a 3,000,000-message database took 1.1 GB).
    struct Window: Equatable {
        let channelID: Int64
        let from: Timestamp
        let to: Timestamp

        var scope: Scope { .channel(channelID, from: from, to: to) }

        /// The days whose figures lie in the window (every day lies in one window).
        var days: ClosedRange<Int64> {
            (from == .min ? .min : from / ReportFigures.dayMs)...(to == .max ? .max : (to - 1) / ReportFigures.dayMs)
        }
    }

    /// How many days a window spans.
    static let windowDays: Int64 = 30

    /// The windows of a channel whose messages and queue events lie in [first, last]: they tile
    /// the whole time line, the first from the earliest time and the last to the latest, and cut
    /// it only at midnights (UTC) after the epoch, multiples of `windowDays` days. A figure
    /// belongs to one day (`at / 86400000`, which puts the times of both signs around the epoch
    /// in day 0), so every day lies in one window.
    static func windows(channelID: Int64, first: Timestamp, last: Timestamp) -> [Window] {
        let span = windowDays * ReportFigures.dayMs
        var cut = max(1, first / span + 1) * span  // the first cut after `first`, and after day 0
        var windows: [Window] = []
        var from = Timestamp.min
        while cut <= last {
            windows.append(Window(channelID: channelID, from: from, to: cut))
            from = cut
            cut += span
        }
        windows.append(Window(channelID: channelID, from: from, to: Timestamp.max))
        return windows
    }

    /// The windows of every channel with messages or queue events, channel by channel. The spans
    /// come from two walks of the (channel_id, at) indexes, grouped in index order.
    static func windows(_ db: StoreAccess) throws -> [Window] {
        var spans: [Int64: (first: Timestamp, last: Timestamp)] = [:]
        for table in ["messages", "queue_events"] {
            try db.each(sql: "SELECT channel_id, min(at), max(at) FROM \(table) GROUP BY channel_id") { row in
                let channelID: Int64 = row[0]
                let first: Timestamp = row[1]
                let last: Timestamp = row[2]
                let known = spans[channelID] ?? (first, last)
                spans[channelID] = (min(known.first, first), max(known.last, last))
            }
        }
        return spans.sorted { $0.key < $1.key }.flatMap { id, span in
            windows(channelID: id, first: span.first, last: span.last)
        }
    }

    /// The statements that fill the empty figure tables from every raw row (a migration, a rebuild).
    static let fill: [String] = [
        "INSERT INTO report_days(channel_id, day, inbound, outbound, new_conversations, reopened, resolved) "
            + days(.all).sql,
        "INSERT INTO report_agent_days(channel_id, day, agent_id, outbound, resolved) " + agentDays(.all).sql,
        "INSERT INTO report_times(channel_id, day, kind, bucket, count, total_ms) " + times(.all).sql,
        "INSERT INTO report_agent_times(channel_id, day, agent_id, kind, bucket, count, total_ms) "
            + agentTimes(.all).sql,
    ]

    /// The figures of `scope`, counted from the raw rows; per agent too when `agents`.
    static func figures(_ db: StoreAccess, _ scope: Scope, agents: Bool = true) throws -> ReportFigures {
        var f = ReportFigures()
        let d = days(scope)
        try db.each(sql: d.sql, arguments: d.arguments) { row in
            f.addDay(
                .init(channelID: row[0], day: row[1]),
                .init(inbound: row[2], outbound: row[3], newConversations: row[4], reopened: row[5], resolved: row[6]))
        }
        let t = times(scope)
        try db.each(sql: t.sql, arguments: t.arguments) { row in
            var h = DurationHistogram()
            h.add(bucket: row[3], count: row[4], totalMs: row[5])
            f.addTimes(.init(channelID: row[0], day: row[1], agentID: 0, kind: kind(row[2])), h)
        }
        guard agents else { return f }
        let a = agentDays(scope)
        try db.each(sql: a.sql, arguments: a.arguments) { row in
            f.addAgent(
                .init(channelID: row[0], day: row[1], agentID: row[2]), .init(outbound: row[3], resolved: row[4]))
        }
        let at = agentTimes(scope)
        try db.each(sql: at.sql, arguments: at.arguments) { row in
            var h = DurationHistogram()
            h.add(bucket: row[4], count: row[5], totalMs: row[6])
            f.addTimes(.init(channelID: row[0], day: row[1], agentID: row[2], kind: kind(row[3])), h)
        }
        return f
    }

    /// The durations of `scope` one by one, as figures (few rows: a conversation's window).
    static func durationFigures(_ db: StoreAccess, _ scope: Scope) throws -> ReportFigures {
        var f = ReportFigures()
        let d = durations(scope)
        for row in try db.rows(sql: d.sql, arguments: d.arguments) {
            f.addDuration(channelID: row[0], day: row[1], agentID: row[2], kind: kind(row[3]), ms: row[4])
        }
        return f
    }

    static func kind(_ text: String) -> ReportFigures.Kind {
        ReportFigures.Kind(rawValue: text) ?? .resolution
    }
}
