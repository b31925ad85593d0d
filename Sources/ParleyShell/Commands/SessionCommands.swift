import Foundation
import ParleyCore
import ParleyStore

/// Who commands act as: `init`, `login`, `logout`, `whoami`.
enum SessionCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "init", args: [ArgSpec("EMAIL", .newEmail)],
                options: [
                    OptionSpec("name", .text, "the admin's display name", valueName: "NAME"),
                    OptionSpec("sandbox", nil, "a training database with a simulated clock"),
                    OptionSpec("password", nil, "ask for the admin's password at the terminal"),
                    OptionSpec(
                        "password-file", .file, "read the admin's password from the first line of FILE",
                        valueName: "FILE"),
                ],
                summary: "create the first admin on an empty database and log in as them",
                example: "init ada@acme.example --name \"Ada Lovelace\" --sandbox",
                requirement: .anyone, secret: true, handler: initialize),
            CommandSpec(
                "login", args: [ArgSpec("EMAIL", .user, asTyped: true)],
                options: [
                    OptionSpec(
                        "password-file", .file, "read the password from the first line of FILE", valueName: "FILE")
                ],
                summary: "log in (an admin may log in as anyone without a password, for training)",
                example: "login bob@acme.example", requirement: .anyone, access: .none, secret: true, handler: login),
            CommandSpec(
                "logout", summary: "log out; after an impersonation, back to the admin",
                example: "logout", requirement: .anyone, access: .read, handler: logout),
            CommandSpec(
                "whoami", summary: "who commands act as", example: "whoami", requirement: .anyone, access: .read,
                handler: whoami),
        ]
    }

    static func initialize(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard try Meta.isEmpty(ctx.db) else {
            throw ParleyError.refused(
                "init works only on an empty database, and this one has users: `login EMAIL` instead")
        }
        let email = try Validation.email(inv.text("EMAIL"))
        guard let rawName = inv.given("--name")?.text else {
            throw ParleyError.usage("init needs --name NAME: usage: \(inv.spec.usage)")
        }
        let name = try Validation.name(rawName, what: "a name")
        let password = try ctx.newPassword(inv, for: email, ask: inv.flag("password"))
        let hash = try password.map { try Passwords.hash($0, environment: ctx.session.environment) }
        let sandbox = inv.flag("sandbox")
        try Meta.set(ctx.db, "sandbox", sandbox ? "1" : "0")
        if sandbox { try Meta.setSandboxTime(ctx.db, ctx.session.systemClock.now()) }
        let now = try Meta.now(ctx.db, system: ctx.session.systemClock)
        let user = try UserRepository.insert(
            ctx.db, email: email, name: name, role: .admin, passwordHash: hash, now: now)
        ctx.session.setUser(user, impersonator: nil, kind: "init")
        try ctx.audit("organisation.init", user.email, new: sandbox ? "sandbox" : "normal")
        return .done(
            "created \(sandbox ? "sandbox " : "")organisation with admin \(user.email); logged in as \(user.email)"
                + (hash == nil ? " (no password set: `user password` sets one)" : ""),
            record: [("email", .string(user.email)), ("role", "admin"), ("sandbox", .bool(sandbox))])
    }

    static func login(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let email = inv.text("EMAIL")
        let session = ctx.session
        let db = ctx.db
        // The admin behind the session (the real person when already impersonating).
        let admin = session.impersonator ?? session.user
        // Not the command's requirement (login is open to anyone): the login's own rule that an
        // enabled admin becomes another user without a password (docs/RULES.md).
        if let admin, admin.role == .admin, admin.enabled, admin.email.lowercased() != email.lowercased(),
            inv.given("--password-file") == nil
        {
            let target = try UserRepository.require(db, email: email)
            guard target.enabled else {
                throw ParleyError.refused(
                    "\(target.email) is disabled: enable them first (`user enable \(target.email)`)")
            }
            try db.atomically {
                try AuditLog.record(
                    db,
                    AuditActor(actor: admin.email, asUser: target.email, session: "impersonation", userID: target.id)
                        .entry("session.impersonate", target.email, at: ctx.now))
            }
            session.setUser(target, impersonator: admin, kind: "impersonation")
            return .done(
                "logged in as \(target.email) (\(target.role.rawValue)); `logout` returns to \(admin.email)",
                record: [("email", .string(target.email)), ("impersonated_by", .string(admin.email))])
        }
        if let admin, admin.email.lowercased() == email.lowercased(), session.impersonator != nil {
            session.endImpersonation()
            return .done("back to \(admin.email)", record: [("email", .string(admin.email))])
        }
        let password: String
        if let file = inv.given("--password-file")?.text {
            password = try Passwords.read(file: file)
        } else if session.io.isInteractive, let answer = session.io.readSecret(prompt: "Password for \(email): ") {
            guard case .text(let p) = answer else { throw ParleyError.refused("login cancelled: nothing changed") }
            password = p
        } else {
            throw ParleyError.usage("login needs a password: run it at a terminal, or give --password-file FILE")
        }
        let candidate = try UserRepository.find(db, email: email)
        let hash = try candidate.flatMap { try UserRepository.passwordHash(db, id: $0.id) }
        let ok =
            candidate != nil && candidate!.enabled && hash != nil && PasswordHasher.verify(password, against: hash!)
        guard ok, let user = candidate else {
            if candidate == nil || hash == nil { _ = PasswordHasher.verify(password, against: dummyHash) }
            usleep(session.loginFailureDelayMs * 1000)
            throw ParleyError.denied("login failed: wrong email or password")
        }
        session.setUser(user, impersonator: nil, kind: "password")
        try db.atomically {
            try AuditLog.record(db, session.auditActor.entry("session.login", user.email, at: ctx.now))
        }
        return .done("logged in as \(user.email) (\(user.role.rawValue))", record: [("email", .string(user.email))])
    }

    /// Checked when the user is unknown, so a wrong email takes as long as a wrong password.
    static let dummyHash = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    static func logout(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let session = ctx.session
        if let admin = session.impersonator, let user = session.user {
            try ctx.audit("session.end-impersonation", user.email)
            session.endImpersonation()
            return .done(
                "logged out of \(user.email); back to \(admin.email)", record: [("email", .string(admin.email))])
        }
        guard let user = session.user else { return .done("not logged in") }
        session.setUser(nil, impersonator: nil, kind: "none")
        return .done("logged out \(user.email)", record: [("email", .null)])
    }

    static func whoami(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let u = ctx.session.user else {
            if try Meta.isEmpty(ctx.db) {
                return .record([
                    ("email", .null), ("logged_in", false), ("organisation", .string(Session.noOrganisationYet)),
                ])
            }
            return .record([("email", .null), ("logged_in", false)])
        }
        return .record([
            ("email", .string(u.email)), ("name", .string(u.name)), ("role", .string(u.role.rawValue)),
            ("enabled", .bool(u.enabled)), ("session", .string(ctx.session.sessionKind)),
            ("impersonated_by", .of(ctx.session.impersonator?.email)),
            ("sandbox", .bool(ctx.isSandbox)),
        ])
    }
}
