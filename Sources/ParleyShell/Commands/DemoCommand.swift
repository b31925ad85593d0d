import ParleyCore
import ParleyStore

/// `demo`: a sandbox organisation for training, with 30 simulated days of history.
enum DemoCommand {
    static var all: [CommandSpec] { [
        CommandSpec("demo", summary: "fill an empty database with a sample organisation for training (a sandbox)",
                    example: "demo", requirement: .anyone, secret: true, handler: run),
    ] }

    /// A small deterministic generator, so every demo tells the same story.
    struct Dice {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    static func password() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let db = ctx.db
        guard try Meta.isEmpty(db) else {
            throw ParleyError.refused("demo works only on an empty database: start parley with --db on a new file, e.g. parley --db /tmp/demo.db")
        }
        let day: Int64 = 86_400_000
        let end = ctx.session.systemClock.now()
        var now = end - 30 * day
        try Meta.set(db, "sandbox", "1")
        try Meta.setSandboxTime(db, now)
        let env = ctx.session.environment

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
            users[email] = try UserRepository.insert(db, email: email, name: name, role: role,
                                                     passwordHash: try Passwords.hash(pw, environment: env), now: now)
            credentials.append([.string(email), .string(label), .string(pw)])
        }
        let admin = users["ada@acme.example"]!
        let actor = AuditActor(actor: admin.email, session: "demo", userID: admin.id)
        try AuditLog.record(db, actor.entry("organisation.demo", "demo", new: "sandbox", at: now))

        let help = try ChannelRepository.insert(db, kind: .twitter, handle: "acme_help", accountID: "sandbox:acme_help", displayName: "Acme Help", now: now)
        let shop = try ChannelRepository.insert(db, kind: .twitter, handle: "acme_shop", accountID: "sandbox:acme_shop", displayName: "Acme Shop", now: now)
        var news = try ChannelRepository.insert(db, kind: .twitter, handle: "acme_news", accountID: "sandbox:acme_news", displayName: "Acme News", now: now)
        news.autoResolve = AutoResolveSettings(newAfter: .days(7), pendingAfter: .days(3))
        news.resolveReason = "No reply from customer"
        try ChannelRepository.save(db, news)
        var helpSettings = help
        helpSettings.autoResolve = AutoResolveSettings(newAfter: .days(14), pendingAfter: .days(5))
        helpSettings.resolveReason = "No reply within 5 days"
        try ChannelRepository.save(db, helpSettings)

        let support = try TeamRepository.insert(db, name: "Support", now: now)
        let social = try TeamRepository.insert(db, name: "Social", now: now)
        try TeamRepository.setMember(db, teamID: support.id, userID: users["cora@acme.example"]!.id, role: .contributor)
        try TeamRepository.setMember(db, teamID: support.id, userID: users["sam@acme.example"]!.id, role: .supervisor)
        try TeamRepository.setMember(db, teamID: support.id, userID: users["vic@acme.example"]!.id, role: .viewer)
        try TeamRepository.setMember(db, teamID: social.id, userID: users["kim@acme.example"]!.id, role: .contributor)
        try TeamRepository.setMember(db, teamID: social.id, userID: users["sam@acme.example"]!.id, role: .supervisor)
        try TeamRepository.addChannel(db, teamID: support.id, channelID: help.id)
        try TeamRepository.addChannel(db, teamID: support.id, channelID: shop.id)
        try TeamRepository.addChannel(db, teamID: social.id, channelID: news.id)
        try TeamRepository.addChannel(db, teamID: social.id, channelID: shop.id)
        try ChannelRepository.grant(db, channelID: news.id, userID: users["vic@acme.example"]!.id, role: .viewer)
        for t in ["Billing", "Delivery", "Returns", "Product"] { try TopicRepository.insert(db, name: t) }
        let topicIDs = try TopicRepository.list(db).map(\.id)

        let customers = ["carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
                         "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "xena", "yusuf", "zoe",
                         "amir", "bea", "chen", "dara", "eli"]
        let openers = ["My order hasn't arrived yet", "How do I return a jacket?", "I was charged twice this month",
                       "Is the blue one back in stock?", "Love the new app update!", "The tracking link doesn't work",
                       "Can I change my delivery address?", "Do you ship to Norway?", "My discount code is rejected",
                       "The zip broke after two days"]
        let replies = ["Sorry about that! Could you send us your order number by DM?", "Thanks for reaching out, checking now.",
                       "You can start a return from your account page; we'll email a label.", "We've refunded the duplicate charge.",
                       "Thank you! We'll pass it on to the team."]
        let tags = ["late", "refund", "vip", "bug", "praise", "stock"]
        var dice = Dice(state: 20261124)
        var seq = 0
        let channels = [helpSettings, shop, news]
        let agents = ["cora@acme.example", "kim@acme.example", "sam@acme.example"]

        var conversations = 0
        for d in 0..<30 {
            let dayStart = end - Int64(30 - d) * day
            let arrivals = dice.int(1...3)
            for _ in 0..<arrivals where conversations < 50 {
                now = dayStart + Int64(dice.int(8...17)) * 3_600_000 + Int64(dice.int(0...59)) * 60_000
                try Meta.setSandboxTime(db, now)
                _ = try Inbox.sweep(db, now: now)
                let channel = dice.pick(channels)
                let customer = dice.pick(customers) + (dice.chance(60) ? String(dice.int(1...9)) : "")
                seq += 1
                let result = try Inbox.recordInbound(db, channel: channel, contactPlatformID: "sandbox:" + customer, contactHandle: customer,
                                                     platformID: "sandbox-in-\(seq)", kind: dice.chance(25) ? .directMessage : .publicTweet,
                                                     text: dice.pick(openers), at: now, now: now)
                if result.effect == .created { conversations += 1 }
                let id = result.conversationID
                if dice.chance(70) { try ConversationRepository.addTag(db, conversationID: id, tag: dice.pick(tags)) }
                if dice.chance(60) { try ConversationRepository.setTopics(db, conversationID: id, topicIDs: [dice.pick(topicIDs)]) }
                // A reply after 5 minutes to 6 hours, unless that would pass the demo's end.
                let replyAt = now + Int64(dice.int(5...360)) * 60_000
                guard dice.chance(80), replyAt < end else { continue }
                now = replyAt
                try Meta.setSandboxTime(db, now)
                let agent = users[dice.pick(agents)]!
                let convo = try ConversationRepository.find(db, id: id)!
                seq += 1
                let latest = try ConversationRepository.latestInbound(db, conversationID: id)
                _ = try Inbox.recordOutbound(db, channel: channel, conversation: convo, author: agent, platformID: "sandbox-out-\(seq)",
                                             kind: latest?.kind ?? .publicTweet, text: dice.pick(replies), now: now,
                                             actor: AuditActor(actor: agent.email, session: "demo", userID: agent.id))
                let agentActor = AuditActor(actor: agent.email, session: "demo", userID: agent.id)
                if dice.chance(30) {
                    _ = try ConversationRepository.addNote(db, conversationID: id, authorID: agent.id, authorLabel: agent.email,
                                                           text: "Customer asked for a callback; see order history.", at: now)
                }
                let fate = dice.int(1...10)
                let after = try ConversationRepository.find(db, id: id)!
                let resolveAt = now + Int64(dice.int(10...600)) * 60_000
                if fate <= 5 && resolveAt < end {
                    now = resolveAt
                    try Meta.setSandboxTime(db, now)
                    _ = try Inbox.move(db, channel: channel, conversation: after, to: .resolved, cause: "agent", now: now, actor: agentActor)
                } else if fate <= 8 {
                    _ = try Inbox.move(db, channel: channel, conversation: after, to: .pending, cause: "agent", now: now, actor: agentActor)
                }
            }
        }
        try Meta.setSandboxTime(db, end)
        _ = try Inbox.sweep(db, now: end)
        ctx.session.setUser(admin, impersonator: nil, kind: "init")
        let total = try ConversationRepository.count(db)
        let message = """
        demo organisation ready (a sandbox, its clock at \(TimeFormat.iso(end))): 5 users, 2 teams, 3 channels, \(total) conversations over 30 days.
        You are logged in as ada@acme.example (admin). Passwords, shown only now:
        """
        let table = Renderer.aligned(Table(columns: ["email", "role", "password"], rows: credentials))
        let hint = "Try: login vic@acme.example; conversation list; report @acme_help (as sam)"
        let text = message + "\n" + table + "\n" + hint
        let userRecords = credentials.map { r in Value.object([("email", r[0]), ("role", r[1]), ("password", r[2])]) }
        return .lines(text.components(separatedBy: "\n"),
                      record: [("users", .array(userRecords)), ("conversations", .of(total))])
    }
}
