import ParleyCore
import ParleyStore

enum ConversationCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "conversation list",
                options: [
                    OptionSpec("queue", .queue, "only this queue"),
                    OptionSpec("channel", .channel, "only this channel", valueName: "CHANNEL"),
                    OptionSpec(
                        "owner", .userOrNone, "owned by EMAIL, me, or none",
                        valueName: "EMAIL|me|none"),
                    OptionSpec("tag", .tag, "only with this tag", valueName: "TAG"),
                    OptionSpec("topic", .topic, "only with this topic", valueName: "TOPIC"),
                    OptionSpec(
                        "limit", .number, "at most N (default 50)", valueName: "N",
                        range: 1...10_000),
                    OptionSpec(
                        "after", .number, "the page after conversation ID", valueName: "ID",
                        range: 0...Int.max),
                ],
                summary: "conversations on your channels, oldest first",
                example: "conversation list --queue new --owner none",
                requirement: .onChannel(.view), access: .read, handler: list),
            CommandSpec(
                "conversation show", args: [ArgSpec("N", .conversation)],
                summary: "a conversation with its messages and notes",
                example: "conversation show 12", requirement: .onConversation(.view), access: .read,
                handler: show),
            CommandSpec(
                "conversation reply", args: [ArgSpec("N", .conversation), ArgSpec("TEXT", .text, rest: true)],
                options: [OptionSpec("dm", nil, "reply by direct message")],
                summary: "reply to the customer (public reply, or DM)",
                example: "conversation reply 12 \"Thanks, we're on it!\"",
                requirement: .onConversation(.reply), access: .none, handler: ConversationReply.reply),
            CommandSpec(
                "conversation move", args: [ArgSpec("N", .conversation), ArgSpec("QUEUE", .queue)],
                summary: "move to New, Pending or Resolved", example: "conversation move 12 pending",
                requirement: .onConversation(.move), handler: move),
            CommandSpec(
                "conversation assign", args: [ArgSpec("N", .conversation), ArgSpec("EMAIL", .user)],
                summary: "make a user (contributor or higher) the owner", example: "conversation assign 12 me",
                requirement: .onConversation(.assign), handler: assign),
            CommandSpec(
                "conversation unassign", args: [ArgSpec("N", .conversation)], summary: "clear the owner",
                example: "conversation unassign 12", requirement: .onConversation(.assign), handler: unassign),
            CommandSpec(
                "conversation tag", args: [ArgSpec("N", .conversation), ArgSpec("TAG", .tag, variadic: true)],
                summary: "add tags", example: "conversation tag 12 refund urgent",
                requirement: .onConversation(.tag), handler: { try tag($0, $1, add: true) }),
            CommandSpec(
                "conversation untag", args: [ArgSpec("N", .conversation), ArgSpec("TAG", .tag, variadic: true)],
                summary: "remove tags", example: "conversation untag 12 urgent",
                requirement: .onConversation(.tag), handler: { try tag($0, $1, add: false) }),
            CommandSpec(
                "conversation topic", args: [ArgSpec("N", .conversation), ArgSpec("TOPIC", .topic, variadic: true)],
                summary: "add topics from the organisation's list", example: "conversation topic 12 Billing",
                requirement: .onConversation(.topic), handler: { try topic($0, $1, add: true) }),
            CommandSpec(
                "conversation untopic", args: [ArgSpec("N", .conversation), ArgSpec("TOPIC", .topic, variadic: true)],
                summary: "remove topics", example: "conversation untopic 12 Billing",
                requirement: .onConversation(.topic), handler: { try topic($0, $1, add: false) }),
            CommandSpec(
                "conversation note", args: [ArgSpec("N", .conversation), ArgSpec("TEXT", .text, rest: true)],
                summary: "add an internal note (never sent to the customer)",
                example: "conversation note 12 \"Refund approved by Kim\"",
                requirement: .onConversation(.note), handler: note),
            CommandSpec(
                "conversation inbound", args: [ArgSpec("CHANNEL", .channel), ArgSpec("TEXT", .text, rest: true)],
                options: [
                    OptionSpec("from", .handle, "the customer's @handle", valueName: "@HANDLE"),
                    OptionSpec("dm", nil, "as a direct message"),
                ],
                summary: "play a customer's message (sandbox, admins)",
                example: "conversation inbound @acme_help --from @carol \"My order is late\"",
                requirement: .sandboxAdmin, handler: inbound),
        ]
    }

    static let columns = ["id", "channel", "contact", "queue", "owner", "tags", "topics", "updated_at"]

    static func row(_ c: ConversationSummary) -> [Value] {
        [
            .int(c.id), .string("@" + c.channelHandle), .string("@" + c.contact), .string(c.state.queue.rawValue),
            .of(c.ownerEmail), .strings(c.tags), .strings(c.topics), .string(TimeFormat.iso(c.updatedAt)),
        ]
    }

    static func record(_ c: ConversationSummary, channel: Channel) -> [(String, Value)] {
        [
            ("id", .int(c.id)), ("channel", .string(channel.atHandle)), ("channel_name", .string(channel.displayName)),
            ("contact", .string("@" + c.contact)), ("queue", .string(c.state.queue.rawValue)),
            ("owner", .of(c.ownerEmail)),
            ("tags", .strings(c.tags)), ("topics", .strings(c.topics)),
            ("auto_resolve_at", c.state.deadline.map { .string(TimeFormat.iso($0)) } ?? .null),
            ("created_at", .string(TimeFormat.iso(c.createdAt))), ("updated_at", .string(TimeFormat.iso(c.updatedAt))),
        ]
    }

    static func list(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let u = ctx.me
        let channelIDs = try inv.given("--channel")?.channel.map { [$0.id] } ?? ctx.visibleChannels(u).map(\.id)
        var filter = ConversationFilter(channelIDs: channelIDs)
        filter.queue = inv.given("--queue")?.queue
        switch inv.given("--owner") {
        case .nobody?: filter.owner = ConversationFilter.Owner.none
        case .user(let owner)?: filter.owner = .user(owner.id)
        default: break
        }
        filter.tag = inv.given("--tag")?.text
        filter.topicID = inv.given("--topic")?.topic?.id
        filter.limit = inv.given("--limit")?.number ?? 50
        filter.afterID = inv.given("--after")?.number.map(Int64.init)
        let rows = try ConversationRepository.list(ctx.db, filter)
        let footer = rows.count == filter.limit ? "more with --after \(rows.last!.id)" : nil
        if channelIDs.isEmpty {
            let how =
                ctx.visibility.seesWholeOrganisation
                ? "`channel grant CHANNEL \(u.email) ROLE` gives you one"
                : "an admin grants one with `channel grant` or a team"
            return .table(Table(columns: columns, rows: [], footer: "(none: you have no role on any channel; \(how))"))
        }
        return .table(Table(columns: columns, rows: rows.map(row), footer: footer))
    }

    static func show(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        let messages = try ConversationRepository.messages(ctx.db, conversationID: c.id)
        let notes = try ConversationRepository.notes(ctx.db, conversationID: c.id)
        var fields = record(c, channel: ch)
        if c.state.queue == .resolved, let r = try ConversationRepository.lastResolution(ctx.db, conversationID: c.id) {
            fields.append(("resolved_at", .string(TimeFormat.iso(r.at))))
            fields.append(("resolved_by", .string(r.automatic ? "auto-resolve" : r.byEmail ?? "-")))
            if r.automatic { fields.append(("resolve_reason", .of(r.reason))) }
        }
        return .record(
            fields,
            sections: [
                (
                    "messages",
                    Table(
                        columns: ["at", "direction", "kind", "author", "text"],
                        rows: messages.map {
                            [
                                .string(TimeFormat.iso($0.at)), .string($0.direction == .inbound ? "in" : "out"),
                                .string($0.kind.rawValue), .string($0.authorLabel), .string($0.text),
                            ]
                        })
                ),
                (
                    "notes",
                    Table(
                        columns: ["at", "author", "text"],
                        rows: notes.map { [.string(TimeFormat.iso($0.at)), .string($0.author), .string($0.text)] })
                ),
            ])
    }

    static func move(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        let queue = inv.queue()
        if c.state.queue == queue {
            return .done("conversation \(c.id) is in \(queue.title) already", record: record(c, channel: ch))
        }
        _ = try Inbox.move(
            ctx.db, channel: ch, conversation: c, to: queue, cause: "agent", now: ctx.now, actor: ctx.session.auditActor
        )
        var message = "conversation \(c.id) moved to \(queue.title)"
        if queue == .resolved, let owner = c.ownerEmail { message += " (owner \(owner) cleared)" }
        return .done(
            message,
            record: ctx.wantsRecord ? record(try ConversationRepository.find(ctx.db, id: c.id)!, channel: ch) : [])
    }

    static func assign(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        let assignee = inv.user()
        let d = AccessPolicy.canOwn(try AccessRepository.facts(ctx.db, user: assignee, channel: ch))
        guard d.allowed else {
            throw ParleyError.refused(
                "\(assignee.email) cannot own conversation \(c.id): an owner needs contributor or higher (\(d.explanation))"
            )
        }
        if c.state.queue == .resolved {
            throw ParleyError.refused(
                "conversation \(c.id) is Resolved and has no owner: move it to New or Pending first")
        }
        if c.state.ownerID == assignee.id { return .done("\(assignee.email) owns conversation \(c.id) already") }
        var s = c.state
        s.ownerID = assignee.id
        try ConversationRepository.setState(ctx.db, id: c.id, s, now: ctx.now)
        try ctx.audit(
            "conversation.owner", "conversation \(c.id)", channelID: ch.id, old: c.ownerEmail ?? "none",
            new: assignee.email)
        return .done(
            "conversation \(c.id) is owned by \(assignee.email)",
            record: record(try ConversationRepository.find(ctx.db, id: c.id)!, channel: ch))
    }

    static func unassign(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        guard let owner = c.ownerEmail else { return .done("conversation \(c.id) has no owner") }
        var s = c.state
        s.ownerID = nil
        try ConversationRepository.setState(ctx.db, id: c.id, s, now: ctx.now)
        try ctx.audit("conversation.owner", "conversation \(c.id)", channelID: ch.id, old: owner, new: "none")
        return .done(
            "conversation \(c.id) has no owner now (was \(owner))",
            record: record(try ConversationRepository.find(ctx.db, id: c.id)!, channel: ch))
    }

    static func tag(_ inv: Invocation, _ ctx: CommandContext, add: Bool) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        var changed: [String] = []
        for raw in inv.all("TAG").compactMap(\.text) {
            let t = try Validation.tag(raw)
            let did =
                add
                ? try ConversationRepository.addTag(ctx.db, conversationID: c.id, tag: t)
                : try ConversationRepository.removeTag(ctx.db, conversationID: c.id, tag: t)
            if did { changed.append(t) }
        }
        var tags = c.tags
        if !changed.isEmpty {
            tags = try ConversationRepository.tags(ctx.db, conversationID: c.id)
            try ConversationRepository.touch(ctx.db, id: c.id, now: ctx.now)
            try ctx.audit(
                add ? "conversation.tag" : "conversation.untag", "conversation \(c.id)", channelID: ch.id,
                old: c.tags.joined(separator: ","), new: tags.joined(separator: ","))
        }
        return .done(
            "conversation \(c.id) tags: " + (tags.isEmpty ? "none" : tags.joined(separator: ", ")),
            record: ctx.wantsRecord ? record(try ConversationRepository.find(ctx.db, id: c.id)!, channel: ch) : [])
    }

    static func topic(_ inv: Invocation, _ ctx: CommandContext, add: Bool) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        let current = Set(try ConversationRepository.topicIDs(ctx.db, conversationID: c.id))
        var next = current
        for t in inv.all("TOPIC").compactMap(\.topic) {
            if add { next.insert(t.id) } else { next.remove(t.id) }
        }
        if next != current {
            try ConversationRepository.setTopics(ctx.db, conversationID: c.id, topicIDs: Array(next).sorted())
            try ConversationRepository.touch(ctx.db, id: c.id, now: ctx.now)
            try ctx.audit(
                "conversation.topics", "conversation \(c.id)", channelID: ch.id,
                old: c.topics.joined(separator: ","),
                new: try ConversationRepository.topics(ctx.db, conversationID: c.id).joined(separator: ","))
        }
        let after = try ConversationRepository.find(ctx.db, id: c.id)!
        return .done(
            "conversation \(c.id) topics: " + (after.topics.isEmpty ? "none" : after.topics.joined(separator: ", ")),
            record: record(after, channel: ch))
    }

    static func note(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = inv.conversation
        let text = try Validation.note(inv.text("TEXT"))
        let me = ctx.me
        let id = try ConversationRepository.addNote(
            ctx.db, conversationID: c.id, authorID: me.id, authorLabel: me.email, text: text, at: ctx.now)
        try ConversationRepository.touch(ctx.db, id: c.id, now: ctx.now)
        try ctx.audit("conversation.note", "conversation \(c.id)", channelID: ch.id, new: String(text.prefix(200)))
        return .done(
            "note added to conversation \(c.id)", record: [("conversation", .int(c.id)), ("note_id", .int(id))])
    }

    static func inbound(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let ch = inv.channel()
        guard let from = inv.given("--from")?.text else {
            throw ParleyError.usage("conversation inbound needs --from @handle: usage: \(inv.spec.usage)")
        }
        let handle = try Validation.handle(from)
        let text = inv.text("TEXT")
        guard !text.allSatisfy(\.isWhitespace) else { throw ParleyError.invalidValue("a message needs some text") }
        let seq = (Int64(try Meta.value(ctx.db, "sandbox_seq") ?? "0") ?? 0) + 1
        try Meta.set(ctx.db, "sandbox_seq", String(seq))
        let result = try Inbox.recordInbound(
            ctx.db, channel: ch, contactPlatformID: "sandbox:" + handle.lowercased(), contactHandle: handle,
            platformID: "sandbox-in-\(seq)", kind: inv.flag("dm") ? .directMessage : .publicTweet,
            text: text, at: ctx.now, now: ctx.now)
        try ctx.audit(
            "conversation.inbound", "conversation \(result.conversationID)", channelID: ch.id,
            new: "@\(handle): \(text.prefix(200))")
        let c = try ConversationRepository.find(ctx.db, id: result.conversationID)!
        let what: String
        switch result.effect {
        case .created?: what = "new conversation \(c.id)"
        case .reopened?: what = "conversation \(c.id) reopened into New (no owner)"
        case .returnedToNew?: what = "conversation \(c.id) back in New from Pending"
        default: what = "conversation \(c.id)"
        }
        return .done("@\(handle) wrote to \(ch.atHandle): \(what)", record: record(c, channel: ch))
    }
}
