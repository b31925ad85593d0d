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
        package var firstResponses = DurationHistogram()
        package var resolutions = DurationHistogram()
        package init(key: String) { self.key = key }
    }
    package var total: Bucket
    package var buckets: [Bucket]
}

package enum ReportGrouping: String, Sendable { case day, agent }

package enum ReportQueries {
    /// Counts and times for the channel over [from, to), as `ReportRecount` defines them. Whole
    /// days come from the kept figures (one row a day, and a few a day for the times); a day the
    /// period cuts is corrected from the raw rows of the smaller part of it, so the figures are
    /// those of the exact period.
    package static func report(
        _ db: StoreAccess, channelID: Int64, from: Timestamp, to: Timestamp,
        by: ReportGrouping
    ) throws -> ChannelReport {
        let f = try figures(db, channelID: channelID, from: from, to: to, agents: by == .agent)
        var builder = ReportBuilder(db: db, by: by)
        return try builder.build(f)
    }

    /// The figures of the channel over [from, to).
    static func figures(
        _ db: StoreAccess, channelID: Int64, from: Timestamp, to: Timestamp, agents: Bool
    ) throws -> ReportFigures {
        let dayMs = ReportFigures.dayMs
        func raw(_ a: Timestamp, _ b: Timestamp) throws -> ReportFigures {
            try ReportRecount.figures(db, .channel(channelID, from: a, to: b), agents: agents)
        }
        guard to > from else { return ReportFigures() }
        if to - from <= dayMs { return try raw(from, to) }
        var first = ReportFigures.day(from)
        let last = ReportFigures.day(to - 1)
        let firstStart = first * dayMs
        // The first day, when the period starts inside it: its part in the period counted from
        // the raw rows, or the whole day kept less the part before the period, whichever is less.
        var head: (from: Timestamp, to: Timestamp, sign: Int64)?
        if from > firstStart {
            if from - firstStart > dayMs / 2 {
                head = (from, firstStart + dayMs, 1)
                first += 1
            } else {
                head = (firstStart, from, -1)
            }
        }
        var f = ReportFigures()
        if first <= last {
            f = try ReportFigureStore.load(db, channelID: channelID, days: first...last, agents: agents)
        }
        if let head { f.merge(try raw(head.from, head.to), sign: head.sign) }
        // The last day is kept whole: less what happened after the period (nothing, unless a
        // message's time is ahead of parley's clock).
        let end = (last + 1) * dayMs
        if to < end { f.merge(try raw(to, end), sign: -1) }
        return f
    }
}

/// One report being put together from figures: the totals, a bucket per day or agent.
private struct ReportBuilder {
    let db: StoreAccess
    let by: ReportGrouping
    var total = ChannelReport.Bucket(key: "total")
    var buckets: [String: ChannelReport.Bucket] = [:]
    var emails: [Int64: String] = [:]

    init(db: StoreAccess, by: ReportGrouping) {
        self.db = db
        self.by = by
    }

    mutating func email(_ id: Int64) throws -> String {
        if let e = emails[id] { return e }
        let e = try db.one(String.self, sql: "SELECT email FROM users WHERE id = ?", arguments: [id]) ?? "user #\(id)"
        emails[id] = e
        return e
    }

    mutating func bump(_ key: String?, _ body: (inout ChannelReport.Bucket) -> Void) {
        body(&total)
        guard let key else { return }
        body(&buckets[key, default: ChannelReport.Bucket(key: key)])
    }

    static func add(_ h: DurationHistogram, _ kind: ReportFigures.Kind, to b: inout ChannelReport.Bucket) {
        switch kind {
        case .firstResponse: b.firstResponses.merge(h)
        case .resolution: b.resolutions.merge(h)
        }
    }

    mutating func build(_ f: ReportFigures) throws -> ChannelReport {
        var days: [Int64: String] = [:]
        func dayKey(_ day: Int64) -> String? {
            guard by == .day else { return nil }
            if let k = days[day] { return k }
            let k = TimeFormat.day(day * ReportFigures.dayMs)
            days[day] = k
            return k
        }
        for (k, c) in f.days {
            bump(dayKey(k.day)) {
                $0.inbound += Int(c.inbound)
                $0.outbound += Int(c.outbound)
                $0.newConversations += Int(c.newConversations)
                $0.reopened += Int(c.reopened)
                $0.resolved += Int(c.resolved)
            }
        }
        for (k, h) in f.times where k.agentID == 0 {
            bump(dayKey(k.day)) { Self.add(h, k.kind, to: &$0) }
        }
        if by == .agent {
            for (k, c) in f.agents {
                let key = try email(k.agentID)
                buckets[key, default: ChannelReport.Bucket(key: key)].outbound += Int(c.outbound)
                buckets[key, default: ChannelReport.Bucket(key: key)].resolved += Int(c.resolved)
            }
            for (k, h) in f.times where k.agentID != 0 {
                let key = try email(k.agentID)
                Self.add(h, k.kind, to: &buckets[key, default: ChannelReport.Bucket(key: key)])
            }
        }
        return ChannelReport(total: total, buckets: buckets.values.sorted { $0.key < $1.key })
    }
}
