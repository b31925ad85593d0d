import ParleyCore
import ParleyStore

/// `demo`: a sandbox organisation for training, with 30 simulated days of history.
enum DemoCommand {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "demo", summary: "fill an empty database with a sample organisation for training (a sandbox)",
                example: "demo", requirement: .anyone, secret: true, handler: run)
        ]
    }

    /// A small deterministic generator, so every demo tells the same story.
    struct Dice {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    static func password() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    static let day: Int64 = 86_400_000

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let db = ctx.db
        guard try Meta.isEmpty(db) else {
            throw ParleyError.refused(
                "demo works only on an empty database: start parley with --db on a new file, e.g. parley --db /tmp/demo.db"
            )
        }
        let end = ctx.session.systemClock.now()
        let start = end - 30 * day
        try Meta.set(db, "sandbox", "1")
        try Meta.setSandboxTime(db, start)
        let (users, credentials) = try addPeople(db, now: start, environment: ctx.session.environment)
        let admin = users["ada@acme.example"]!
        let actor = AuditActor(actor: admin.email, session: "demo", userID: admin.id)
        try AuditLog.record(db, actor.entry("organisation.demo", "demo", new: "sandbox", at: start))
        let channels = try addChannelsAndTeams(db, users: users, now: start)
        var story = DemoStory(
            db: db, users: users, channels: channels, topicIDs: try TopicRepository.list(db).map(\.id),
            end: end)
        try story.playThirtyDays()
        try Meta.setSandboxTime(db, end)
        _ = try Inbox.sweep(db, now: end)
        ctx.session.setUser(admin, impersonator: nil, kind: "init")
        return try summary(db, end: end, credentials: credentials)
    }

    /// The five people of the story, with passwords shown once.
    static func addPeople(
        _ db: StoreAccess, now: Timestamp,
        environment: [String: String]
    ) throws -> ([String: User], [[Value]]) {
        let people: [(String, String, AccountRole, String)] = [
            ("ada@acme.example", "Ada Admin", .admin, "admin"),
            ("vic@acme.example", "Vic Viewer", .agent, "viewer"),
            ("cora@acme.example", "Cora Contributor", .agent, "contributor"),
            ("sam@acme.example", "Sam Supervisor", .agent, "supervisor"),
            ("kim@acme.example", "Kim Contributor", .agent, "contributor"),
        ]
        var users: [String: User] = [:]
        var credentials: [[Value]] = []
        for (email, name, role, label) in people {
            let pw = password()
            users[email] = try UserRepository.insert(
                db, email: email, name: name, role: role,
                passwordHash: try Passwords.hash(pw, environment: environment), now: now)
            credentials.append([.string(email), .string(label), .string(pw)])
        }
        return (users, credentials)
    }

    /// Three channels with their settings, two teams, a direct grant and the topic list.
    static func addChannelsAndTeams(_ db: StoreAccess, users: [String: User], now: Timestamp) throws -> [Channel] {
        var help = try ChannelRepository.insert(
            db, kind: .twitter, handle: "acme_help", accountID: "sandbox:acme_help",
            displayName: "Acme Help", now: now)
        let shop = try ChannelRepository.insert(
            db, kind: .twitter, handle: "acme_shop", accountID: "sandbox:acme_shop",
            displayName: "Acme Shop", now: now)
        var news = try ChannelRepository.insert(
            db, kind: .twitter, handle: "acme_news", accountID: "sandbox:acme_news",
            displayName: "Acme News", now: now)
        news.autoResolve = AutoResolveSettings(newAfter: .days(7), pendingAfter: .days(3))
        news.resolveReason = "No reply from customer"
        try ChannelRepository.save(db, news)
        help.autoResolve = AutoResolveSettings(newAfter: .days(14), pendingAfter: .days(5))
        help.resolveReason = "No reply within 5 days"
        try ChannelRepository.save(db, help)

        let support = try TeamRepository.insert(db, name: "Support", now: now)
        let social = try TeamRepository.insert(db, name: "Social", now: now)
        for (team, email, role) in [
            (support, "cora@acme.example", ChannelRole.contributor), (support, "sam@acme.example", .supervisor),
            (support, "vic@acme.example", .viewer), (social, "kim@acme.example", .contributor),
            (social, "sam@acme.example", .supervisor),
        ] {
            try TeamRepository.setMember(db, teamID: team.id, userID: users[email]!.id, role: role)
        }
        for (team, channel) in [(support, help), (support, shop), (social, news), (social, shop)] {
            try TeamRepository.addChannel(db, teamID: team.id, channelID: channel.id)
        }
        try ChannelRepository.grant(db, channelID: news.id, userID: users["vic@acme.example"]!.id, role: .viewer)
        for t in ["Billing", "Delivery", "Returns", "Product"] { try TopicRepository.insert(db, name: t) }
        return [help, shop, news]
    }

    /// What `demo` prints: the story in one sentence, the passwords, what to try.
    static func summary(_ db: StoreAccess, end: Timestamp, credentials: [[Value]]) throws -> CommandOutput {
        let total = try ConversationRepository.count(db)
        let message = """
            demo organisation ready (a sandbox, its clock at \(TimeFormat.iso(end))): 5 users, 2 teams, 3 channels, \(total) conversations over 30 days.
            You are logged in as ada@acme.example (admin). Passwords, shown only now:
            """
        let table = Renderer.aligned(Table(columns: ["email", "role", "password"], rows: credentials))
        let hint = "Try: login vic@acme.example; conversation list; report @acme_help (as sam)"
        let text = message + "\n" + table + "\n" + hint
        let userRecords = credentials.map { r in Value.object([("email", r[0]), ("role", r[1]), ("password", r[2])]) }
        return .lines(
            text.components(separatedBy: "\n"),
            record: [("users", .array(userRecords)), ("conversations", .of(total))])
    }
}

/// Thirty simulated days: customers write, agents reply, tag, note, move and resolve, all from one
/// seeded generator so every demo tells the same story.
struct DemoStory {
    let db: StoreAccess
    let users: [String: User]
    let channels: [Channel]
    let topicIDs: [Int64]
    let end: Timestamp
    var dice = DemoCommand.Dice(state: 20_261_124)
    var seq = 0
    var now: Timestamp = 0
    var conversations = 0

    static let customers = [
        "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
        "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "xena", "yusuf", "zoe",
        "amir", "bea", "chen", "dara", "eli",
    ]
    static let openers = [
        "My order hasn't arrived yet", "How do I return a jacket?", "I was charged twice this month",
        "Is the blue one back in stock?", "Love the new app update!", "The tracking link doesn't work",
        "Can I change my delivery address?", "Do you ship to Norway?", "My discount code is rejected",
        "The zip broke after two days",
    ]
    static let replies = [
        "Sorry about that! Could you send us your order number by DM?", "Thanks for reaching out, checking now.",
        "You can start a return from your account page; we'll email a label.", "We've refunded the duplicate charge.",
        "Thank you! We'll pass it on to the team.",
    ]
    static let tags = ["late", "refund", "vip", "bug", "praise", "stock"]
    static let agents = ["cora@acme.example", "kim@acme.example", "sam@acme.example"]

    init(db: StoreAccess, users: [String: User], channels: [Channel], topicIDs: [Int64], end: Timestamp) {
        self.db = db
        self.users = users
        self.channels = channels
        self.topicIDs = topicIDs
        self.end = end
    }

    /// One to three new messages a day, up to 50 conversations.
    mutating func playThirtyDays() throws {
        for d in 0..<30 {
            let dayStart = end - Int64(30 - d) * DemoCommand.day
            let arrivals = dice.int(1...3)
            for _ in 0..<arrivals where conversations < 50 {
                try playOneConversation(dayStart: dayStart)
            }
        }
    }

    mutating func moveClock(to t: Timestamp) throws {
        now = t
        try Meta.setSandboxTime(db, now)
    }

    /// A customer writes; maybe a tag and a topic; maybe an agent replies, notes, and moves it on.
    mutating func playOneConversation(dayStart: Timestamp) throws {
        try moveClock(to: dayStart + Int64(dice.int(8...17)) * 3_600_000 + Int64(dice.int(0...59)) * 60_000)
        _ = try Inbox.sweep(db, now: now)
        let channel = dice.pick(channels)
        let customer = dice.pick(Self.customers) + (dice.chance(60) ? String(dice.int(1...9)) : "")
        seq += 1
        let result = try Inbox.recordInbound(
            db, channel: channel, contactPlatformID: "sandbox:" + customer, contactHandle: customer,
            platformID: "sandbox-in-\(seq)", kind: dice.chance(25) ? .directMessage : .publicTweet,
            text: dice.pick(Self.openers), at: now, now: now)
        if result.effect == .created { conversations += 1 }
        let id = result.conversationID
        if dice.chance(70) { try ConversationRepository.addTag(db, conversationID: id, tag: dice.pick(Self.tags)) }
        if dice.chance(60) {
            try ConversationRepository.setTopics(db, conversationID: id, topicIDs: [dice.pick(topicIDs)])
        }
        // A reply after 5 minutes to 6 hours, unless that would pass the demo's end.
        let replyAt = now + Int64(dice.int(5...360)) * 60_000
        guard dice.chance(80), replyAt < end else { return }
        try moveClock(to: replyAt)
        try reply(to: id, on: channel)
    }

    mutating func reply(to id: Int64, on channel: Channel) throws {
        let agent = users[dice.pick(Self.agents)]!
        let convo = try ConversationRepository.find(db, id: id)!
        seq += 1
        let latest = try ConversationRepository.latestInbound(db, conversationID: id)
        let agentActor = AuditActor(actor: agent.email, session: "demo", userID: agent.id)
        _ = try Inbox.recordOutbound(
            db, channel: channel, conversation: convo, author: agent, platformID: "sandbox-out-\(seq)",
            kind: latest?.kind ?? .publicTweet, text: dice.pick(Self.replies), now: now,
            actor: agentActor)
        if dice.chance(30) {
            _ = try ConversationRepository.addNote(
                db, conversationID: id, authorID: agent.id, authorLabel: agent.email,
                text: "Customer asked for a callback; see order history.", at: now)
        }
        let fate = dice.int(1...10)
        let after = try ConversationRepository.find(db, id: id)!
        let resolveAt = now + Int64(dice.int(10...600)) * 60_000
        if fate <= 5 && resolveAt < end {
            try moveClock(to: resolveAt)
            _ = try Inbox.move(
                db, channel: channel, conversation: after, to: .resolved, cause: "agent", now: now, actor: agentActor)
        } else if fate <= 8 {
            _ = try Inbox.move(
                db, channel: channel, conversation: after, to: .pending, cause: "agent", now: now, actor: agentActor)
        }
    }
}
