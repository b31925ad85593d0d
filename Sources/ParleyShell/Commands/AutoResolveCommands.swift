import ParleyCore
import ParleyStore

/// `autoresolve preview` and `autoresolve run`.
enum AutoResolveCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "autoresolve preview", args: [ArgSpec("CHANNEL", .channel, optional: true)],
                options: [
                    OptionSpec(
                        "within", .duration, "what would resolve within this time from now (default: due now)",
                        valueName: "DURATION")
                ],
                summary: "what auto-resolve will resolve, when and why", example: "autoresolve preview --within 7d",
                requirement: .onChannel(.view), access: .read, handler: preview),
            CommandSpec(
                "autoresolve run", summary: "resolve what is due now", example: "autoresolve run", handler: run),
        ]
    }

    static func preview(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let ids = try inv.given("CHANNEL")?.channel.map { [$0.id] } ?? ctx.visibleChannels(ctx.me).map(\.id)
        let within = inv.given("--within")?.span
        let horizon = ctx.now + (within?.milliseconds ?? 0)
        let due = ids.isEmpty ? [] : try ConversationRepository.due(ctx.db, by: horizon, channelIDs: ids, limit: 10_000)
        var reasons: [Int64: String] = [:]
        for id in Set(due.map(\.channelID)) { reasons[id] = try ChannelRepository.find(ctx.db, id: id)?.resolveReason }
        return .table(
            Table(
                columns: ["id", "channel", "contact", "queue", "deadline", "due_in", "limit", "reason"],
                rows: due.map { c in
                    let deadline = c.state.deadline ?? ctx.now
                    return [
                        .int(c.id), .string("@" + c.channelHandle), .string("@" + c.contact),
                        .string(c.state.queue.rawValue),
                        .string(TimeFormat.iso(deadline)),
                        .string(deadline <= ctx.now ? "due now" : TimeSpan.humanize(milliseconds: deadline - ctx.now)),
                        .string(c.state.limitSeconds.map { TimeSpan(seconds: $0).description } ?? "-"),
                        .of(reasons[c.channelID] ?? nil),
                    ]
                },
                footer: due.isEmpty ? "(nothing \(within == nil ? "is due now" : "comes due within \(within!)"))" : nil)
        )
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        // The sweep resolves what is due everywhere; the answer names only what the user can see.
        let all = try Inbox.sweep(ctx.db, now: ctx.now)
        let resolved = try all.filter { id in
            guard let c = try ConversationRepository.find(ctx.db, id: id) else { return false }
            return try ctx.visibility.roleChannelIDs().contains(c.channelID)
        }
        return .done(
            "auto-resolved \(resolved.count) conversation\(resolved.count == 1 ? "" : "s") on your channels",
            record: [("resolved", .array(resolved.map { .int($0) }))])
    }
}
