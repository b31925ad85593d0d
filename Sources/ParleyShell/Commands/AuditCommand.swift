import ParleyCore
import ParleyStore

enum AuditCommand {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "audit",
                options: [
                    OptionSpec(
                        "limit", .number, "at most N entries (default 50)", valueName: "N",
                        range: 1...1_000_000),
                    OptionSpec("user", .user, "entries by or as this user", valueName: "EMAIL"),
                    OptionSpec("channel", .channel, "entries about this channel", valueName: "CHANNEL"),
                    OptionSpec("since", .duration, "entries of the last DURATION", valueName: "DURATION"),
                ],
                summary: "who changed what, when (newest first; admins)",
                example: "audit --user bob@acme.example --since 7d",
                requirement: .admin, access: .read, handler: run)
        ]
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        var q = AuditLog.Query()
        q.limit = inv.given("--limit")?.number ?? 50
        q.user = inv.given("--user")?.user?.email
        q.channelID = inv.given("--channel")?.channel?.id
        if let s = inv.given("--since")?.span { q.since = ctx.now - s.milliseconds }
        let entries = try AuditLog.entries(ctx.db, q)
        return .table(
            Table(
                columns: ["at", "actor", "as_user", "session", "action", "target", "old_value", "new_value"],
                rows: entries.map {
                    [
                        .string(TimeFormat.iso($0.at)), .string($0.actor), .of($0.asUser), .string($0.session),
                        .string($0.action),
                        .string($0.target), .of($0.oldValue), .of($0.newValue),
                    ]
                }))
    }
}
