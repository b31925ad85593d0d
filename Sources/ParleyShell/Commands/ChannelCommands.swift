import ParleyCore
import ParleyStore

enum ChannelCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "channel add twitter",
                options: [
                    OptionSpec(
                        "handle", .handle, "sandbox: add an unconnected channel for this @handle", valueName: "@HANDLE"),
                    OptionSpec(
                        "display-name", .text, "the name shown for the channel (default: the @handle)",
                        valueName: "NAME"),
                    OptionSpec("pin", nil, "authorize with the OAuth 1.0a PIN flow"),
                ],
                summary: "connect a Twitter/X account as a channel", example: "channel add twitter --handle @acme_help",
                requirement: .admin, access: .none, secret: true, handler: ChannelConnect.add),
            CommandSpec(
                "channel list", summary: "the channels you can see (admins: all)", example: "channel list",
                access: .read, handler: list),
            CommandSpec(
                "channel show", args: [ArgSpec("CHANNEL", .channel)], summary: "a channel's settings and access",
                example: "channel show @acme_help", requirement: .onChannelOrAdmin(.view), access: .read,
                handler: show),
            CommandSpec(
                "channel edit", args: [ArgSpec("CHANNEL", .channel)],
                options: [
                    OptionSpec("display-name", .text, "1–255 characters", valueName: "NAME"),
                    OptionSpec("auto-ownership", .onOff, "first replier owns an unowned conversation"),
                    OptionSpec(
                        "auto-resolve-new", .durationOrOff, "resolve New after this long (1m–30d) or off",
                        valueName: "DURATION|off"),
                    OptionSpec(
                        "auto-resolve-pending", .durationOrOff, "resolve Pending after this long (1m–30d) or off",
                        valueName: "DURATION|off"),
                    OptionSpec(
                        "resolve-reason", .text, "text recorded on auto-resolved conversations (\"\" clears)",
                        valueName: "TEXT"),
                    OptionSpec("all-users", .onOff, "every enabled user gets the all-users role"),
                    OptionSpec("all-users-role", .channelRole, "the role All Users gives (default contributor)"),
                    OptionSpec("all-teams", .onOff, "every team has this channel"),
                ],
                summary: "change a channel's settings",
                example: "channel edit @acme_help --auto-resolve-pending 3d --resolve-reason \"No reply\"",
                requirement: .admin, handler: edit),
            CommandSpec(
                "channel grant",
                args: [ArgSpec("CHANNEL", .channel), ArgSpec("EMAIL", .user), ArgSpec("ROLE", .channelRole)],
                summary: "give a user a role on a channel directly",
                example: "channel grant @acme_help bob@acme.example viewer",
                requirement: .admin, handler: grant),
            CommandSpec(
                "channel revoke", args: [ArgSpec("CHANNEL", .channel), ArgSpec("EMAIL", .user)],
                summary: "take a user's direct grant away", example: "channel revoke @acme_help bob@acme.example",
                requirement: .admin, handler: revoke),
            CommandSpec(
                "channel access", args: [ArgSpec("CHANNEL", .channel)],
                summary: "every user's effective role on a channel and where it comes from",
                example: "channel access @acme_help", requirement: .onChannelOrAdmin(.report, naming: true),
                access: .read,
                handler: access),
            CommandSpec(
                "channel sync", args: [ArgSpec("CHANNEL", .channel, optional: true)],
                summary: "pull new mentions and direct messages of connected channels (all you can see, or one)",
                example: "channel sync @acme_help", requirement: .onChannelOrAdmin(.view), access: .none,
                handler: ChannelSyncCommand.run),
            CommandSpec(
                "channel remove", args: [ArgSpec("CHANNEL", .channel)],
                options: [OptionSpec("force", nil, "remove it with its conversations without asking")],
                summary: "remove a channel with its conversations", example: "channel remove @acme_help --force",
                requirement: .admin, handler: remove),
        ]
    }

    static func durationText(_ t: TimeSpan?) -> Value { t.map { .string($0.description) } ?? .string("off") }

    static func row(_ c: Channel) -> [Value] {
        [
            .int(c.id), .string(c.atHandle), .string(c.displayName), .string(c.kind.rawValue),
            .bool(c.connected), durationText(c.autoResolve.newAfter), durationText(c.autoResolve.pendingAfter),
        ]
    }
    static let columns = [
        "id", "channel", "display_name", "kind", "connected", "auto_resolve_new", "auto_resolve_pending",
    ]

    static func list(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let channels = try ctx.visibility.channels()
        return .table(Table(columns: columns, rows: channels.map(row)))
    }

    static func show(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let c = inv.channel()
        let creds = try ChannelRepository.credentials(ctx.db, id: c.id)
        let cursor = try ChannelRepository.syncCursor(ctx.db, id: c.id)
        let myTeams = Set(try ctx.visibility.teams().map(\.team.id))
        let teams = try ChannelRepository.teams(ctx.db, channelID: c.id).filter { myTeams.contains($0.id) }
        let grants = try ChannelRepository.directGrants(ctx.db, channelID: c.id).filter {
            try ctx.visibility.seesUser($0.0)
        }
        var fields: [(String, Value)] = [
            ("id", .int(c.id)), ("channel", .string(c.atHandle)), ("display_name", .string(c.displayName)),
            ("kind", .string(c.kind.rawValue)), ("account_id", .string(c.accountID)), ("connected", .bool(c.connected)),
            ("auto_ownership", .bool(c.autoOwnership)), ("auto_resolve_new", durationText(c.autoResolve.newAfter)),
            ("auto_resolve_pending", durationText(c.autoResolve.pendingAfter)),
            ("resolve_reason", .of(c.resolveReason)),
            ("all_users", .bool(c.allUsers)), ("all_users_role", .string(c.allUsersRole.rawValue)),
            ("all_teams", .bool(c.allTeams)),
            ("teams", .strings(teams.map(\.name))),
        ]
        if let creds {
            fields.append(("access_token", .string(ChannelCredentials.mask(creds.accessToken))))
            fields.append(("refresh_token", .string(ChannelCredentials.mask(creds.refreshToken))))
            fields.append(("token_expires_at", creds.expiresAt.map { .string(TimeFormat.iso($0)) } ?? .null))
        }
        fields.append(("last_sync_at", cursor.lastSyncAt.map { .string(TimeFormat.iso($0)) } ?? .null))
        return .record(
            fields,
            sections: [
                (
                    "direct_grants",
                    Table(
                        columns: ["email", "role"],
                        rows: grants.map { [.string($0.0.email), .string($0.1.rawValue)] })
                )
            ])
    }

    static func edit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let old = inv.channel()
        guard !inv.options.isEmpty else {
            throw ParleyError.usage(
                "channel edit needs at least one option: "
                    + inv.spec.options.map { "--" + $0.name }.joined(separator: " "))
        }
        var c = old
        if let v = inv.given("--display-name")?.text { c.displayName = try Validation.displayName(v) }
        if let v = inv.given("--auto-ownership")?.bool { c.autoOwnership = v }
        if let v = inv.given("--auto-resolve-new")?.limit { c.autoResolve.newAfter = v }
        if let v = inv.given("--auto-resolve-pending")?.limit { c.autoResolve.pendingAfter = v }
        if let v = inv.given("--resolve-reason")?.text {
            c.resolveReason = v.isEmpty ? nil : v
            if v.count > 500 { throw ParleyError.invalidValue("a resolve reason has at most 500 characters") }
        }
        if let v = inv.given("--all-users")?.bool { c.allUsers = v }
        if let v = inv.given("--all-users-role")?.channelRole { c.allUsersRole = v }
        if let v = inv.given("--all-teams")?.bool { c.allTeams = v }
        try ChannelRepository.save(ctx.db, c)
        var changed: [String] = []
        func note(_ key: String, _ a: String, _ b: String) throws {
            guard a != b else { return }
            changed.append("\(key) \(b)")
            try ctx.audit("channel.\(key)", c.atHandle, channelID: c.id, old: a, new: b)
        }
        func d(_ t: TimeSpan?) -> String { t?.description ?? "off" }
        try note("display-name", old.displayName, c.displayName)
        try note("auto-ownership", old.autoOwnership ? "on" : "off", c.autoOwnership ? "on" : "off")
        try note("auto-resolve-new", d(old.autoResolve.newAfter), d(c.autoResolve.newAfter))
        try note("auto-resolve-pending", d(old.autoResolve.pendingAfter), d(c.autoResolve.pendingAfter))
        try note("resolve-reason", old.resolveReason ?? "", c.resolveReason ?? "")
        try note("all-users", old.allUsers ? "on" : "off", c.allUsers ? "on" : "off")
        try note("all-users-role", old.allUsersRole.rawValue, c.allUsersRole.rawValue)
        try note("all-teams", old.allTeams ? "on" : "off", c.allTeams ? "on" : "off")
        let arChanged = old.autoResolve != c.autoResolve
        return .done(
            changed.isEmpty
                ? "\(c.atHandle): nothing changed"
                : "\(c.atHandle): " + changed.joined(separator: ", ")
                    + (arChanged
                        ? " (applies to conversations entering a queue from now on; those waiting keep their deadline)"
                        : ""),
            record: zip(columns, row(c)).map { ($0, $1) })
    }

    static func grant(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, u, role) = (inv.channel(), inv.user(), inv.channelRole())
        let old = try ChannelRepository.directRole(ctx.db, channelID: c.id, userID: u.id)
        if old == role { return .done("\(u.email) has \(role.rawValue) on \(c.atHandle) directly already") }
        try ChannelRepository.grant(ctx.db, channelID: c.id, userID: u.id, role: role)
        try ctx.audit(
            "channel.grant", "\(c.atHandle) \(u.email)", channelID: c.id, old: old?.rawValue ?? "none",
            new: role.rawValue)
        let eff = AccessPolicy.effectiveRole(try AccessRepository.facts(ctx.db, user: u, channel: c))
        var message = "granted \(u.email) \(role.rawValue) on \(c.atHandle)"
        if let r = eff.role, r > role {
            message += " (their effective role stays \(r.rawValue), via \(eff.decidingPath!.source))"
        }
        if !u.enabled { message += " (they are disabled: no role anywhere until enabled)" }
        return .done(
            message,
            record: [("channel", .string(c.atHandle)), ("email", .string(u.email)), ("role", .string(role.rawValue))])
    }

    static func revoke(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, u) = (inv.channel(), inv.user())
        guard let old = try ChannelRepository.directRole(ctx.db, channelID: c.id, userID: u.id) else {
            throw ParleyError.notFound(
                "\(u.email) has no direct grant on \(c.atHandle) (`channel access \(c.atHandle)` shows where roles come from)"
            )
        }
        try ChannelRepository.revoke(ctx.db, channelID: c.id, userID: u.id)
        try ctx.audit("channel.revoke", "\(c.atHandle) \(u.email)", channelID: c.id, old: old.rawValue, new: "none")
        let eff = AccessPolicy.effectiveRole(try AccessRepository.facts(ctx.db, user: u, channel: c))
        return .done(
            "revoked \(u.email)'s direct \(old.rawValue) grant on \(c.atHandle)"
                + (eff.role.map { " (still \($0.rawValue) via \(eff.decidingPath!.source))" } ?? ""))
    }

    static func access(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let c = inv.channel()
        var rows: [[Value]] = []
        for u in try AccessRepository.candidateUsers(ctx.db, channel: c) {
            let eff = AccessPolicy.effectiveRole(try AccessRepository.facts(ctx.db, user: u, channel: c))
            guard let role = eff.role else { continue }
            rows.append([.string(u.email), .string(role.rawValue), .strings(eff.paths.map(\.description))])
        }
        return .table(Table(columns: ["email", "role", "paths"], rows: rows))
    }

    static func remove(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let c = inv.channel()
        let count = try ChannelRepository.conversationCount(ctx.db, channelID: c.id)
        if count > 0 && !inv.flag("force") {
            let what =
                "\(c.atHandle) has \(count) conversation\(count == 1 ? "" : "s") (messages, notes and report figures)"
            guard let answer = ctx.io.ask(prompt: "\(what): remove them with the channel? Type yes to remove: ") else {
                throw ParleyError.refused("channel remove: \(what); add --force to remove them with the channel")
            }
            guard case .text(let text) = answer, text.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                throw ParleyError.refused(
                    "channel remove cancelled: \(c.atHandle) and its conversations are as they were")
            }
        }
        try ChannelRepository.delete(ctx.db, id: c.id)
        try ctx.audit("channel.remove", c.atHandle, channelID: c.id, old: "\(c.displayName), \(count) conversations")
        return .done("removed \(c.atHandle) and its \(count) conversation\(count == 1 ? "" : "s")")
    }
}
