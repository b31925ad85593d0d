import ParleyCore
import ParleyStore

enum UserCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "user add", args: [ArgSpec("EMAIL", .newEmail)],
                options: [
                    OptionSpec("name", .text, "display name", valueName: "NAME"),
                    OptionSpec("role", .accountRole, "account role (default agent)"),
                    OptionSpec(
                        "password-file", .file, "set the password from the first line of FILE", valueName: "FILE"),
                ],
                summary: "add a user", example: "user add bob@acme.example --name \"Bob Stone\" --role agent",
                requirement: .admin, handler: add),
            CommandSpec(
                "user list",
                options: [
                    OptionSpec(
                        "limit", .number, "at most N users", valueName: "N",
                        range: 1...100_000),
                    OptionSpec(
                        "after", .user, "start after this email", valueName: "EMAIL",
                        asTyped: true),
                ],
                summary: "list users", example: "user list", access: .read, handler: list),
            CommandSpec(
                "user show", args: [ArgSpec("EMAIL", .user)], summary: "a user, their teams and direct grants",
                example: "user show bob@acme.example", access: .read, handler: show),
            CommandSpec(
                "user edit", args: [ArgSpec("EMAIL", .user)],
                options: [
                    OptionSpec("name", .text, "new display name", valueName: "NAME"),
                    OptionSpec("role", .accountRole, "new account role"),
                ],
                summary: "change a user's name or account role", example: "user edit bob@acme.example --role admin",
                requirement: .admin, handler: edit),
            CommandSpec(
                "user disable", args: [ArgSpec("EMAIL", .user)], summary: "disable a user: no role anywhere, no login",
                example: "user disable bob@acme.example", requirement: .admin,
                handler: { try setEnabled($0, $1, false) }),
            CommandSpec(
                "user enable", args: [ArgSpec("EMAIL", .user)], summary: "enable a disabled user",
                example: "user enable bob@acme.example", requirement: .admin, handler: { try setEnabled($0, $1, true) }),
            CommandSpec(
                "user password", args: [ArgSpec("EMAIL", .user, optional: true)],
                options: [
                    OptionSpec(
                        "password-file", .file, "read the new password from the first line of FILE", valueName: "FILE")
                ],
                summary: "set your password (admins: anyone's)", example: "user password --password-file pw.txt",
                requirement: .selfOrAdmin("setting another user's password"), secret: true, handler: password),
        ]
    }

    static func row(_ u: User) -> [Value] {
        [.string(u.email), .string(u.name), .string(u.role.rawValue), .bool(u.enabled)]
    }

    static func add(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let email = try Validation.email(inv.text("EMAIL"))
        guard let rawName = inv.given("--name")?.text else {
            throw ParleyError.usage("user add needs --name NAME: usage: \(inv.spec.usage)")
        }
        let name = try Validation.name(rawName, what: "a name")
        let role = inv.given("--role")?.accountRole ?? .agent
        let hash = try inv.given("--password-file")?.text.map {
            try Passwords.hash(try Passwords.read(file: $0), environment: ctx.session.environment)
        }
        let u = try UserRepository.insert(
            ctx.db, email: email, name: name, role: role, passwordHash: hash, now: ctx.now)
        try ctx.audit("user.add", u.email, new: "\(u.name), \(u.role.rawValue)")
        return .done(
            "added \(u.role.rawValue) \(u.email)",
            record: zip(["email", "name", "role", "enabled"], row(u)).map { ($0, $1) })
    }

    static func list(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let users = try ctx.visibility.users(after: inv.given("--after")?.text, limit: inv.given("--limit")?.number)
        return .table(Table(columns: ["email", "name", "role", "enabled"], rows: users.map(row)))
    }

    static func show(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (me, u) = (ctx.me, inv.user())
        let sight = ctx.visibility
        // Only the teams and channels the asking user may see; whether a password is set is the
        // user's own business and their admins'.
        let myTeams = Set(try sight.teams().map(\.team.id))
        let teams = try TeamRepository.memberships(ctx.db, userID: u.id).filter { myTeams.contains($0.0.id) }
        let grants = try ChannelRepository.grants(ctx.db, userID: u.id).filter { try sight.seesChannel($0.0) }
        var fields: [(String, Value)] = [
            ("email", .string(u.email)), ("name", .string(u.name)),
            ("role", .string(u.role.rawValue)), ("enabled", .bool(u.enabled)),
        ]
        if sight.seesWholeOrganisation || u.id == me.id {
            fields.append(("password", .string(u.hasPassword ? "set" : "not set")))
        }
        fields.append(("created_at", .string(TimeFormat.iso(u.createdAt))))
        let grantRows: [[Value]] = grants.map {
            [.string($0.0.atHandle), .string($0.0.displayName), .string($0.1.rawValue)]
        }
        return .record(
            fields,
            sections: [
                (
                    "teams",
                    Table(columns: ["team", "role"], rows: teams.map { [.string($0.0.name), .string($0.1.rawValue)] })
                ),
                ("direct_grants", Table(columns: ["channel", "display_name", "role"], rows: grantRows)),
            ])
    }

    static func edit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let u = inv.user()
        guard inv.has("name") || inv.has("role") else {
            throw ParleyError.usage("user edit needs --name or --role: usage: \(inv.spec.usage)")
        }
        let name = try inv.given("--name")?.text.map { try Validation.name($0, what: "a name") }
        let role = inv.given("--role")?.accountRole
        // Not an access rule: the organisation keeps one enabled admin.
        if role == .agent, u.role == .admin, u.enabled, try UserRepository.enabledAdminCount(ctx.db) <= 1 {
            throw ParleyError.refused(
                "\(u.email) is the last enabled admin: an organisation always keeps one (make another admin first)")
        }
        try UserRepository.update(ctx.db, id: u.id, name: name, role: role)
        if let name, name != u.name { try ctx.audit("user.name", u.email, old: u.name, new: name) }
        if let role, role != u.role { try ctx.audit("user.role", u.email, old: u.role.rawValue, new: role.rawValue) }
        let after = try UserRepository.find(ctx.db, id: u.id)!
        return .done(
            "updated \(after.email): \(after.name), \(after.role.rawValue)",
            record: zip(["email", "name", "role", "enabled"], row(after)).map { ($0, $1) })
    }

    static func setEnabled(_ inv: Invocation, _ ctx: CommandContext, _ enabled: Bool) throws -> CommandOutput {
        let u = inv.user()
        if u.enabled == enabled { return .done("\(u.email) is \(enabled ? "enabled" : "disabled") already") }
        // Not an access rule: the organisation keeps one enabled admin.
        if !enabled, u.role == .admin, try UserRepository.enabledAdminCount(ctx.db) <= 1 {
            throw ParleyError.refused(
                "\(u.email) is the last enabled admin: an organisation always keeps one (make another admin first)")
        }
        try UserRepository.update(ctx.db, id: u.id, enabled: enabled)
        try ctx.audit(
            enabled ? "user.enable" : "user.disable", u.email, old: u.enabled ? "enabled" : "disabled",
            new: enabled ? "enabled" : "disabled")
        return .done(
            "\(enabled ? "enabled" : "disabled") \(u.email)" + (enabled ? "" : ": no role on any channel, no login"),
            record: [("email", .string(u.email)), ("enabled", .bool(enabled))])
    }

    static func password(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let target = inv.given("EMAIL")?.user ?? ctx.me
        guard let pw = try ctx.newPassword(inv, for: target.email, ask: true) else {
            throw ParleyError.usage(
                "user password needs a new password: run it at a terminal, or give --password-file FILE")
        }
        try UserRepository.setPasswordHash(
            ctx.db, id: target.id, hash: try Passwords.hash(pw, environment: ctx.session.environment))
        try ctx.audit("user.password", target.email, new: "(changed)")
        return .done("password set for \(target.email)")
    }
}
