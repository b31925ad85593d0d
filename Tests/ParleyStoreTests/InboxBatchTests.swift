import GRDB
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyStore

/// A page stored at once must leave the store exactly as the same messages stored one by one.
@Suite struct InboxBatchTests {
    static let texts = [
        "hello", "it's \"broken\"; DROP TABLE messages; --", "\u{1b}[2J\u{7}cleared?", "naïve café 日本 🎉",
        "line one\nline two\r\n\ttab", "%s %n {0} \\u0000", "",
    ]

    func openStore() throws -> (ParleyDatabase, Channel, User) {
        let database = try ParleyDatabase(path: ":memory:")
        let (channel, owner) = try database.withConnection { db in
            var channel = try ChannelRepository.insert(
                db, kind: .twitter, handle: "acme", accountID: "100", displayName: "Acme", now: 0)
            channel.autoResolve = AutoResolveSettings(newAfter: .minutes(10), pendingAfter: .hours(1))
            try ChannelRepository.save(db, channel)
            let owner = try UserRepository.insert(
                db, email: "o@x.example", name: "O", role: .agent, passwordHash: nil, now: 0)
            return (channel, owner)
        }
        return (database, channel, owner)
    }

    /// A page of messages from a few customers: repeats within the page, messages stored by an
    /// earlier page, the account's answers (some to customers with no conversation), renamed and
    /// unnamed customers, hostile text.
    func page(_ rng: inout SplitMix, number: Int, earlier: [String]) -> [PageMessage] {
        (0..<Int.random(in: 1...30, using: &rng)).map { i in
            let customer = String(200 + Int.random(in: 0..<12, using: &rng))
            var id = "\(number)-\(i)"
            if !earlier.isEmpty, Int.random(in: 0..<8, using: &rng) == 0 { id = earlier.randomElement(using: &rng)! }
            let names: [String?] = [nil, "user\(customer)", "renamed\(customer)", ""]
            let origin: PageMessage.Origin =
                Int.random(in: 0..<5, using: &rng) == 0
                ? .account : .customer(handle: names.randomElement(using: &rng)!)
            return PageMessage(
                origin: origin, contactPlatformID: customer, platformID: id,
                kind: Bool.random(using: &rng) ? .publicTweet : .directMessage,
                text: Self.texts.randomElement(using: &rng)!, at: Int64(number * 1000 + i))
        }
    }

    /// `Inbox`'s operations, one message at a time.
    func oneByOne(_ db: StoreAccess, _ channel: Channel, _ messages: [PageMessage], now: Timestamp) throws
        -> [PageMessageResult]
    {
        try messages.map { m in
            switch m.origin {
            case .customer(let handle):
                return .inbound(
                    try Inbox.recordInbound(
                        db, channel: channel, contactPlatformID: m.contactPlatformID, contactHandle: handle,
                        platformID: m.platformID, kind: m.kind, text: m.text, at: m.at, now: now))
            case .account:
                return .outbound(
                    try Inbox.recordOutboundFromPlatform(
                        db, channel: channel, contactPlatformID: m.contactPlatformID, platformID: m.platformID,
                        kind: m.kind, text: m.text, at: m.at, now: now))
            }
        }
    }

    /// Moves a few conversations to Pending or Resolved and gives some an owner, the same in both stores.
    func work(_ db: StoreAccess, _ channel: Channel, owner: User, _ rng: inout SplitMix, now: Timestamp) throws {
        let ids = try db.all(Int64.self, sql: "SELECT id FROM conversations ORDER BY id")
        for id in ids where Int.random(in: 0..<3, using: &rng) == 0 {
            let c = try ConversationRepository.find(db, id: id)!
            let queue: Queue = Bool.random(using: &rng) ? .pending : .resolved
            var state = try Inbox.move(
                db, channel: channel, conversation: c, to: queue, cause: "agent", now: now,
                actor: AuditActor(actor: "o@x.example", session: "test", userID: owner.id))
            if queue == .pending, Bool.random(using: &rng) {
                state.ownerID = owner.id
                try ConversationRepository.setState(db, id: id, state, now: now)
            }
        }
    }

    func dump(_ database: ParleyDatabase) throws -> [[[String?]]] {
        try database.withConnection { db in
            try ["contacts", "conversations", "messages", "queue_events", "audit"].map {
                try db.rows(sql: "SELECT * FROM \($0) ORDER BY id").map { $0.values.map(\.text) }
            }
        }
    }

    @Test func aPageStoredAtOnceEqualsItsMessagesStoredOneByOne() throws {
        let (batched, channel, owner) = try openStore()
        let (single, _, _) = try openStore()
        var pages = SplitMix(state: 7)
        var moves = SplitMix(state: 11)
        var earlier: [String] = []
        var now: Timestamp = 1_000_000
        for number in 0..<40 {
            now += 7 * 60_000
            let messages = page(&pages, number: number, earlier: earlier)
            earlier += messages.map(\.platformID)
            let a = try batched.withConnection { db in
                try db.atomically { try InboxBatch.record(db, channel: channel, messages, now: now) }
            }
            let b = try single.withConnection { db in
                try db.atomically { try oneByOne(db, channel, messages, now: now) }
            }
            #expect(a == b, "page \(number)")
            let state = moves
            for database in [batched, single] {
                moves = state
                try database.withConnection { db in
                    try db.atomically { try work(db, channel, owner: owner, &moves, now: now + 1) }
                }
            }
        }
        let (x, y) = (try dump(batched), try dump(single))
        #expect(x.map(\.count) == y.map(\.count))
        #expect(x[1].count > 5 && x[2].count > 300 && x[3].count > 50 && x[4].count > 50)
        for (table, (rowsA, rowsB)) in zip(
            ["contacts", "conversations", "messages", "queue_events", "audit"], zip(x, y))
        {
            #expect(rowsA == rowsB, "\(table) differs")
        }
    }

    @Test func aPageOfMentionsCostsTwoLookupsAndAFewWrites() throws {
        let (database, channel, _) = try openStore()
        func mentions(_ page: Int) -> [PageMessage] {
            (0..<100).map { i in
                PageMessage(
                    origin: .customer(handle: "user\(i % 40)"), contactPlatformID: String(1000 + i % 40),
                    platformID: "\(page)-\(i)", kind: .publicTweet, text: "hi", at: Int64(i))
            }
        }
        // The first page creates the 40 contacts and conversations; the second finds them.
        _ = try database.withConnection { db in
            try db.atomically { try InboxBatch.record(db, channel: channel, mentions(1), now: 1) }
        }
        var statements: [String] = []
        let results = try database.withConnection { db in
            db.sqlite!.trace { statements.append($0.description) }
            defer { db.sqlite!.trace(options: [], nil) }
            return try db.atomically { try InboxBatch.record(db, channel: channel, mentions(2), now: 2) }
        }
        #expect(results.count == 100)
        #expect(results.allSatisfy { if case .inbound(let r) = $0 { r.stored && r.effect == .stayed } else { false } })
        let kinds = statements.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        // The customers and their conversations; the messages stored before.
        #expect(kinds.filter { $0 == "SELECT" }.count == 2)
        // The 100 messages in one statement.
        #expect(statements.filter { $0.hasPrefix("INSERT INTO messages") }.count == 1)
        // The stored messages count in their day's report figures once, in the same transaction.
        #expect(statements.filter { $0.hasPrefix("INSERT INTO report_days") }.count == 1)
        #expect(kinds.filter { $0 == "INSERT" }.count == 2)
        // The 40 conversations' deadlines in one statement.
        #expect(kinds.filter { $0 == "UPDATE" }.count == 1)
        #expect(statements.filter { $0.hasPrefix("UPDATE conversations SET deadline = CASE id") }.count == 1)
    }

    @Test func aPageStoresItsMessagesInStatementsOfAHundredTenAndOneRows() throws {
        let (database, channel, _) = try openStore()
        let messages = (0..<123).map { i in
            PageMessage(
                origin: .customer(handle: "user\(i % 7)"), contactPlatformID: String(1000 + i % 7),
                platformID: "m\(i)", kind: .publicTweet, text: Self.texts[i % Self.texts.count], at: Int64(i))
        }
        var inserts: [String] = []
        _ = try database.withConnection { db in
            db.sqlite!.trace { if $0.description.hasPrefix("INSERT INTO messages") { inserts.append($0.description) } }
            defer { db.sqlite!.trace(options: [], nil) }
            return try db.atomically { try InboxBatch.record(db, channel: channel, messages, now: 1) }
        }
        // 100 + 2 × 10 + 3 × 1.
        #expect(inserts.count == 6)
        let stored = try database.withConnection { db in
            try db.rows(sql: "SELECT platform_id, text, at FROM messages ORDER BY id").map {
                [$0.values[0].text, $0.values[1].text, $0.values[2].text]
            }
        }
        #expect(stored == messages.map { [$0.platformID, $0.text, String($0.at)] as [String?] })
    }

    @Test func moreCustomersThanOneLookupHoldsAreLookedUpInSeveral() throws {
        let (database, channel, _) = try openStore()
        func page(_ n: Int) -> [PageMessage] {
            (0..<250).map { i in
                PageMessage(
                    origin: .customer(handle: "c\(i)"), contactPlatformID: "c\(i)", platformID: "\(n)-\(i)",
                    kind: .directMessage, text: "hi", at: Int64(i))
            }
        }
        _ = try database.withConnection { db in
            try db.atomically { try InboxBatch.record(db, channel: channel, page(1), now: 1) }
        }
        var lookups = 0
        let results = try database.withConnection { db in
            db.sqlite!.trace { if $0.description.hasPrefix("SELECT") { lookups += 1 } }
            defer { db.sqlite!.trace(options: [], nil) }
            return try db.atomically { try InboxBatch.record(db, channel: channel, page(2), now: 2) }
        }
        // 250 customers in three lookups, and their 250 messages in three more.
        #expect(lookups == 6)
        #expect(results.allSatisfy { if case .inbound(let r) = $0 { r.stored && r.effect == .stayed } else { false } })
        #expect(
            try database.withConnection { try $0.one(Int.self, sql: "SELECT count(*) FROM conversations") } == 250)
    }
}
