import Foundation
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyStore

extension SplitMix {
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
}

/// The kept report figures against a recount of the raw rows, after random writes through every
/// path that changes them: inbound messages, replies by people and from the platform, queue moves,
/// the auto-resolve sweep, the clock moving (often not at all, so events share a millisecond),
/// and channels removed.
@Suite struct ReportFiguresTests {
    /// A story on one database: channels, people, a clock, and the writes parley makes.
    struct Story {
        let db: StoreAccess
        var rng: SplitMix
        var now: Timestamp = 1_700_000_000_000
        var channels: [Channel] = []
        var users: [User] = []
        var added = 0
        var seq = 0
        /// Messages stored, over every channel (removed ones too).
        var stored = 0

        init(db: StoreAccess, seed: UInt64) throws {
            self.db = db
            rng = SplitMix(state: seed)
            users = try db.atomically {
                try (0..<3).map {
                    try UserRepository.insert(
                        db, email: "a\($0)@x.example", name: "A\($0)", role: .agent, passwordHash: nil, now: 0)
                }
            }
            for _ in 0..<3 { try db.atomically { try addChannel() } }
        }

        mutating func addChannel() throws {
            added += 1
            var c = try ChannelRepository.insert(
                db, kind: .twitter, handle: "c\(added)", accountID: "sandbox:c\(added)", displayName: "C\(added)",
                now: now)
            c.autoResolve = AutoResolveSettings(
                newAfter: rng.pick([nil, .minutes(10), .hours(6)]), pendingAfter: rng.pick([nil, .hours(1), .days(2)]))
            try ChannelRepository.save(db, c)
            channels.append(c)
        }

        func conversation() throws -> (ConversationSummary, Channel)? {
            let ids = try db.all(Int64.self, sql: "SELECT id FROM conversations ORDER BY id")
            guard !ids.isEmpty else { return nil }
            var r = rng
            guard let c = try ConversationRepository.find(db, id: r.pick(ids)),
                let channel = channels.first(where: { $0.id == c.channelID })
            else { return nil }
            return (c, channel)
        }

        /// One random write, in a transaction, after the sweep the shell runs before each command.
        mutating func step() throws {
            let op = rng.int(0...99)
            let now = self.now
            try db.atomically {
                if try ConversationRepository.anyDue(db, now: now) { try Inbox.sweep(db, now: now) }
            }
            seq += 1
            let pick = try conversation()
            _ = rng.next()
            try db.atomically {
                switch op {
                case 0..<30:
                    let channel = rng.pick(channels)
                    let contact = "k\(rng.int(0...5))"
                    // Sometimes a message the platform dates a little earlier than parley's clock.
                    let at = now - Int64(rng.pick([0, 0, 0, 5_000]))
                    let r = try Inbox.recordInbound(
                        db, channel: channel, contactPlatformID: contact, contactHandle: contact,
                        platformID: "in\(seq)", kind: .publicTweet, text: "hi", at: at, now: now)
                    if r.stored { stored += 1 }
                case 30..<55:
                    guard let (c, channel) = pick else { return }
                    let author = rng.pick(users)
                    let actor = AuditActor(actor: author.email, session: "test", userID: author.id)
                    _ = try Inbox.recordOutbound(
                        db, channel: channel, conversation: c, author: author, platformID: "out\(seq)",
                        kind: .publicTweet, text: "on it", now: now, actor: actor)
                    stored += 1
                case 55..<60:
                    guard let (c, channel) = pick else { return }
                    try Inbox.recordOutboundFromPlatform(
                        db, channel: channel, contactPlatformID: c.contactPlatformID, platformID: "app\(seq)",
                        kind: .publicTweet, text: "from the app", at: now, now: now)
                case 60..<80:
                    guard let (c, channel) = pick else { return }
                    let user = rng.pick(users)
                    let actor = AuditActor(actor: user.email, session: "test", userID: user.id)
                    _ = try Inbox.move(
                        db, channel: channel, conversation: c, to: rng.pick(Queue.allCases), cause: "agent", now: now,
                        actor: actor)
                case 80..<83:
                    try Inbox.sweep(db, now: now)
                case 83..<85:
                    let gone = channels.remove(at: rng.int(0...channels.count - 1))
                    try ChannelRepository.delete(db, id: gone.id)
                    try self.addChannel()
                default:
                    break
                }
            }
            if op >= 85 {
                self.now += Int64(rng.pick([1, 1_000, 60_000, 20 * 60_000, 3_600_000, 86_400_000, 3 * 86_400_000]))
            }
        }
    }

    /// Plays `steps` random writes, checking every `every` steps that the kept figures equal a
    /// recount, then that reports over random periods equal the raw rows' figures.
    func play(_ database: ParleyDatabase, seed: UInt64, steps: Int, every: Int) throws {
        try database.withConnection { db in
            var story = try Story(db: db, seed: seed)
            for i in 1...steps {
                try story.step()
                if i % every == 0 || i == steps {
                    let differing = try ReportFigureStore.verify(db)
                    #expect(differing.isEmpty, "seed \(seed), step \(i): channels \(differing.sorted())")
                    if !differing.isEmpty { return }
                }
            }
            #expect(story.stored > steps / 3)
            for _ in 0..<12 {
                let channel = story.rng.pick(story.channels)
                let to = story.now + 1 - Int64(story.rng.int(0...3)) * 3_600_000
                let from = to - Int64(story.rng.int(1...(20 * 24))) * 3_600_000 - Int64(story.rng.int(0...59_999))
                for agents in [false, true] {
                    let kept = try ReportQueries.figures(db, channelID: channel.id, from: from, to: to, agents: agents)
                    let raw = try ReportRecount.figures(db, .channel(channel.id, from: from, to: to), agents: agents)
                    #expect(kept == raw, "seed \(seed): report of \(channel.atHandle) over [\(from), \(to))")
                }
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func keptFiguresEqualARecountOnSQLite(seed: UInt64) throws {
        try play(try ParleyDatabase(path: ":memory:"), seed: seed, steps: 400, every: 1)
    }

    @Test func keptFiguresEqualARecountOnPostgreSQL() throws {
        guard let conninfo = try PostgresScratch.database() else { return }
        let database = try ParleyDatabase(path: conninfo)
        defer { database.close() }
        for seed: UInt64 in [11, 12] {
            try database.withConnection { db in
                for table in ["channels", "users"] { try db.run(sql: "DELETE FROM \(table)") }
            }
            try play(database, seed: seed, steps: 200, every: 40)
        }
    }

    @Test func aMismatchIsFoundAndARebuildMendsIt() throws {
        let database = try ParleyDatabase(path: ":memory:")
        try database.withConnection { db in
            var story = try Story(db: db, seed: 42)
            for _ in 0..<150 { try story.step() }
            #expect(try ReportFigureStore.verify(db).isEmpty)
            let channel = try #require(
                try db.one(Int64.self, sql: "SELECT channel_id FROM report_days ORDER BY channel_id LIMIT 1"))
            try db.run(sql: "UPDATE report_days SET inbound = inbound + 1 WHERE channel_id = ?", arguments: [channel])
            try db.run(sql: "DELETE FROM report_times")
            #expect(try ReportFigureStore.verify(db).contains(channel))
            try ReportFigureStore.rebuild(db)
            #expect(try ReportFigureStore.verify(db).isEmpty)
        }
    }

    /// `verify` recounts a channel 30 days at a time (`ReportRecount.Window`): a wrong figure is
    /// found in any window, on a day without a single raw row too, and on a channel without any.
    @Test func aWrongFigureIsFoundInAnyWindow() throws {
        let database = try ParleyDatabase(path: ":memory:")
        try database.withConnection { db in
            var story = try Story(db: db, seed: 99)
            let day = ReportFigures.dayMs
            for round in 0..<4 {
                for _ in 0..<80 { try story.step() }
                // Next to a cut (a multiple of 30 days after the epoch), then well past it.
                let cut = (story.now / (30 * day) + 1) * (30 * day)
                story.now = cut - Int64(round + 1) * 1_000
                for _ in 0..<20 { try story.step() }
                story.now += Int64(31 + round * 7) * day
            }
            let windows = try ReportRecount.windows(db)
            #expect(Dictionary(grouping: windows, by: \.channelID).values.contains { $0.count >= 3 })
            #expect(try ReportFigureStore.verify(db).isEmpty)
            let kept = try db.rows(sql: "SELECT channel_id, day FROM report_days ORDER BY channel_id, day")
            let picks = [kept.first!, kept[kept.count / 2], kept.last!]
            for row in picks {
                let channel: Int64 = row[0]
                let when: Int64 = row[1]
                try db.run(
                    sql: "UPDATE report_days SET inbound = inbound + 1 WHERE channel_id = ? AND day = ?",
                    arguments: [channel, when])
                #expect(try ReportFigureStore.verify(db) == [channel])
                try ReportFigureStore.rebuild(db)
                #expect(try ReportFigureStore.verify(db).isEmpty)
            }
            // A figure on a day far from any message, and one of a channel without any.
            let channel: Int64 = picks[0][0]
            try db.run(
                sql: "INSERT INTO report_days(channel_id, day, inbound) VALUES (?, ?, 1)",
                arguments: [channel, story.now / day + 400])
            #expect(try ReportFigureStore.verify(db) == [channel])
            try ReportFigureStore.rebuild(db)
            try story.addChannel()
            let quiet = story.channels.last!.id
            try db.run(sql: "INSERT INTO report_days(channel_id, day, outbound) VALUES (?, 3, 2)", arguments: [quiet])
            #expect(try ReportFigureStore.verify(db) == [quiet])
            try ReportFigureStore.rebuild(db)
            #expect(try ReportFigureStore.verify(db).isEmpty)
        }
    }

    /// The windows of a channel tile the time line, cut only at midnights after the epoch, so that
    /// no day (`at / 86400000`, day 0 holding the times of both signs) is split between two.
    @Test func windowsTileTheTimeLineAndNeverSplitADay() {
        let day = ReportFigures.dayMs
        var rng = SplitMix(state: 5)
        let cases: [(Int64, Int64)] =
            [(0, 0), (-1, 1), (-100 * day, 100 * day), (1_700_000_000_000, 1_700_000_000_000 + 95 * day)]
            + (0..<200).map { _ in
                let first = Int64(rng.int(-400...800)) * day / 3 + Int64(rng.int(0...9))
                return (first, first + Int64(rng.int(0...300)) * day / 2)
            }
        for (first, last) in cases {
            let windows = ReportRecount.windows(channelID: 7, first: first, last: last)
            #expect(windows.first?.from == Int64.min && windows.last?.to == Int64.max)
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.to == $1.from && $0.from < $0.to })
            #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.days.upperBound + 1 == $1.days.lowerBound })
            for window in windows.dropFirst() {
                #expect(window.from > 0 && window.from % (ReportRecount.windowDays * day) == 0)
            }
            #expect(windows.dropLast().allSatisfy { $0.to > first && $0.to <= last })
        }
    }

    @Test func removingAChannelRemovesItsFigures() throws {
        let database = try ParleyDatabase(path: ":memory:")
        try database.withConnection { db in
            var story = try Story(db: db, seed: 7)
            for _ in 0..<100 { try story.step() }
            let channel = story.channels[0]
            #expect(
                try db.one(
                    Int.self, sql: "SELECT count(*) FROM report_days WHERE channel_id = ?", arguments: [channel.id])
                    ?? 0 > 0)
            try ChannelRepository.delete(db, id: channel.id)
            for table in ["report_days", "report_agent_days", "report_times", "report_agent_times"] {
                #expect(
                    try db.one(
                        Int.self, sql: "SELECT count(*) FROM \(table) WHERE channel_id = ?", arguments: [channel.id])
                        == 0)
            }
        }
    }
}

/// A new, empty PostgreSQL database on the test cluster (`PARLEY_TEST_PG`), or nil without one.
enum PostgresScratch {
    static func database() throws -> String? {
        guard let conninfo = ProcessInfo.processInfo.environment["PARLEY_TEST_PG"], !conninfo.isEmpty else {
            return nil
        }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresConnection(conninfo)
        try admin.execute("CREATE DATABASE \(name)")
        return conninfo + " dbname=\(name)"
    }
}
