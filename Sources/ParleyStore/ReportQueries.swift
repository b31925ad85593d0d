import ParleyCore

/// The figures of a channel's report over a period [from, to).
package struct ChannelReport: Sendable, Equatable {
    package struct Bucket: Sendable, Equatable {
        /// The UTC day (`2026-11-24`) or the agent's email.
        package var key: String
        package var inbound = 0
        package var outbound = 0
        package var newConversations = 0
        package var reopened = 0
        package var resolved = 0
        package var firstResponses: [Int64] = []
        package var resolutions: [Int64] = []
        package init(key: String) { self.key = key }
    }
    package var total: Bucket
    package var buckets: [Bucket]
}

package enum ReportGrouping: String, Sendable { case day, agent }

package enum ReportQueries {
    /// Counts and times for the channel. First response: from the first inbound message of a
    /// conversation's opening (created or reopened) to the first reply by a person before it was
    /// resolved. Resolution: from that opening to the resolve.
    package static func report(
        _ db: StoreAccess, channelID: Int64, from: Timestamp, to: Timestamp,
        by: ReportGrouping
    ) throws -> ChannelReport {
        var builder = ReportBuilder(db: db, by: by)
        let range: SQLArguments = [channelID, from, to]
        try builder.countMessages(range)
        try builder.countQueueEvents(range)
        try builder.addFirstResponses(range)
        try builder.addResolutions(range)
        return builder.report()
    }
}

/// One report being counted: the totals, a bucket per day or agent, and the lookups it caches.
private struct ReportBuilder {
    let db: StoreAccess
    let by: ReportGrouping
    var total = ChannelReport.Bucket(key: "total")
    var buckets: [String: ChannelReport.Bucket] = [:]
    /// Formatting a date costs more than reading a row: one string per day, not per row.
    var days: [Int64: String] = [:]
    var emails: [Int64: String] = [:]

    init(db: StoreAccess, by: ReportGrouping) {
        self.db = db
        self.by = by
    }

    mutating func dayKey(_ t: Timestamp) -> String {
        let day = t >= 0 ? t / 86_400_000 : (t - 86_399_999) / 86_400_000
        if let k = days[day] { return k }
        let k = TimeFormat.day(t)
        days[day] = k
        return k
    }

    mutating func bump(_ key: String?, _ body: (inout ChannelReport.Bucket) -> Void) {
        body(&total)
        guard let key else { return }
        body(&buckets[key, default: ChannelReport.Bucket(key: key)])
    }

    mutating func email(_ id: Int64?) throws -> String? {
        guard let id else { return nil }
        if let e = emails[id] { return e }
        let e = try db.one(String.self, sql: "SELECT email FROM users WHERE id = ?", arguments: [id]) ?? "user #\(id)"
        emails[id] = e
        return e
    }

    /// Messages: one walk of the covering index range, counted here (a GROUP BY would sort a
    /// million rows in a temporary b-tree; the index already yields them in time order).
    mutating func countMessages(_ range: SQLArguments) throws {
        var perDay: [Int64: (inbound: Int, outbound: Int)] = [:]
        var perAuthor: [Int64?: Int] = [:]
        try db.each(
            sql: """
                SELECT at / 86400000, direction = 'in', author_user_id FROM messages
                WHERE channel_id = ? AND at >= ? AND at < ?
                """, arguments: range
        ) { row in
            let inbound: Bool = row[1]
            if by == .day {
                let day: Int64 = row[0]
                if inbound {
                    perDay[day, default: (0, 0)].inbound += 1
                } else {
                    perDay[day, default: (0, 0)].outbound += 1
                }
            } else if inbound {
                total.inbound += 1
            } else {
                perAuthor[row[2] as Int64?, default: 0] += 1
            }
        }
        for (day, n) in perDay {
            bump(dayKey(day * 86_400_000)) {
                $0.inbound += n.inbound
                $0.outbound += n.outbound
            }
        }
        for (author, n) in perAuthor {
            bump(try email(author)) { $0.outbound += n }
        }
    }

    /// New, reopened and resolved conversations, from the queue events.
    mutating func countQueueEvents(_ range: SQLArguments) throws {
        try db.each(
            sql: """
                SELECT at, cause, to_queue, user_id FROM queue_events WHERE channel_id = ? AND at >= ? AND at < ?
                """, arguments: range
        ) { row in
            let at: Int64 = row[0]
            let cause: String = row[1]
            let toQueue: String = row[2]
            let key: String? = by == .day ? dayKey(at) : (toQueue == "resolved" ? try email(row[3]) : nil)
            if cause == "created" { bump(by == .day ? key : nil) { $0.newConversations += 1 } }
            if cause == "reopened" { bump(by == .day ? key : nil) { $0.reopened += 1 } }
            if toQueue == "resolved" { bump(key) { $0.resolved += 1 } }
        }
    }

    /// First responses, per opening in the period: the first reply by a person before the resolve.
    mutating func addFirstResponses(_ range: SQLArguments) throws {
        try db.each(
            sql: """
                SELECT e.at AS opened, m.at AS replied, m.author_user_id AS author
                FROM queue_events e
                JOIN messages m ON m.id = (
                    SELECT m2.id FROM messages m2
                    WHERE m2.conversation_id = e.conversation_id AND m2.direction = 'out' AND m2.author_user_id IS NOT NULL
                      AND m2.at >= e.at
                      AND m2.at <= coalesce((SELECT min(r.at) FROM queue_events r
                                             WHERE r.conversation_id = e.conversation_id AND r.to_queue = 'resolved' AND r.at >= e.at), 9223372036854775807)
                    ORDER BY m2.at, m2.id LIMIT 1)
                WHERE e.channel_id = ? AND e.at >= ? AND e.at < ? AND e.cause IN ('created', 'reopened')
                """, arguments: range
        ) { row in
            let opened: Int64 = row[0]
            let replied: Int64 = row[1]
            let key = by == .day ? dayKey(opened) : try email(row[2])
            bump(key) { $0.firstResponses.append(replied - opened) }
        }
    }

    /// Resolutions in the period, from their opening.
    mutating func addResolutions(_ range: SQLArguments) throws {
        try db.each(
            sql: """
                SELECT r.at AS resolved, r.user_id AS user_id,
                       (SELECT max(o.at) FROM queue_events o WHERE o.conversation_id = r.conversation_id
                          AND o.cause IN ('created', 'reopened') AND o.at <= r.at) AS opened
                FROM queue_events r WHERE r.channel_id = ? AND r.at >= ? AND r.at < ? AND r.to_queue = 'resolved'
                """, arguments: range
        ) { row in
            guard let opened: Int64 = row[2] else { return }
            let resolved: Int64 = row[0]
            let key = by == .day ? dayKey(resolved) : try email(row[1])
            bump(key) { $0.resolutions.append(resolved - opened) }
        }
    }

    func report() -> ChannelReport {
        ChannelReport(total: total, buckets: buckets.values.sorted { $0.key < $1.key })
    }
}
