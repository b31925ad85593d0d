import Foundation
import ParleyCore
import ParleyStore

enum SessionCommands {
    static var all: [CommandSpec] { [
        CommandSpec("init", args: [ArgSpec("EMAIL", .newEmail)],
                    options: [OptionSpec("name", .text, "the admin's display name", valueName: "NAME"),
                              OptionSpec("sandbox", nil, "a training database with a simulated clock"),
                              OptionSpec("password", nil, "ask for the admin's password at the terminal"),
                              OptionSpec("password-file", .file, "read the admin's password from the first line of FILE", valueName: "FILE")],
                    summary: "create the first admin on an empty database and log in as them",
                    example: "init ada@acme.example --name \"Ada Lovelace\" --sandbox",
                    requirement: .anyone, secret: true, handler: initialize),
        CommandSpec("login", args: [ArgSpec("EMAIL", .user, asTyped: true)],
                    options: [OptionSpec("password-file", .file, "read the password from the first line of FILE", valueName: "FILE")],
                    summary: "log in (an admin may log in as anyone without a password, for training)",
                    example: "login bob@acme.example", requirement: .anyone, access: .none, secret: true, handler: login),
        CommandSpec("logout", summary: "log out; after an impersonation, back to the admin",
                    example: "logout", requirement: .anyone, access: .read, handler: logout),
        CommandSpec("whoami", summary: "who commands act as", example: "whoami", requirement: .anyone, access: .read, handler: whoami),
        CommandSpec("exit", summary: "leave parley", example: "exit", requirement: .anyone, access: .none, handler: exit),
        CommandSpec("quit", summary: "leave parley", example: "quit", requirement: .anyone, access: .none, handler: exit),
        CommandSpec("help", args: [ArgSpec("WORD", .text, optional: true, variadic: true)],
                    summary: "list commands, or explain one", example: "help conversation list",
                    requirement: .anyone, access: .read, handler: HelpCommand.run),
        CommandSpec("source", args: [ArgSpec("FILE", .file)], summary: "run the commands of a script file",
                    example: "source setup.parley", requirement: .anyone, access: .none, handler: source),
        CommandSpec("set output", args: [ArgSpec("FORMAT", .outputFormat)], summary: "print tables, JSON or CSV",
                    example: "set output json", requirement: .anyone, access: .none, handler: setOutput),
        CommandSpec("set on-error", args: [ArgSpec("MODE", .onErrorMode)], summary: "stop at the first failing command, or go on",
                    example: "set on-error continue", requirement: .anyone, access: .none, handler: setOnError),
        CommandSpec("set echo", args: [ArgSpec("SWITCH", .onOff)], summary: "print each command before it runs",
                    example: "set echo on", requirement: .anyone, access: .none, handler: setEcho),
        CommandSpec("set output-file", args: [ArgSpec("FILE", .file, optional: true)],
                    summary: "write results to FILE (truncated; new files mode 0600); no FILE: back to standard output",
                    example: "set output-file report.txt", requirement: .anyone, access: .none,
                    handler: setOutputFile),
        CommandSpec("set pager", args: [ArgSpec("SWITCH", .onOff)],
                    summary: "show output longer than the terminal through $PAGER (on at a terminal)",
                    example: "set pager off", requirement: .anyone, access: .none, handler: setPager),
        CommandSpec("set timing", args: [ArgSpec("SWITCH", .onOff)], summary: "print each command's time after it",
                    example: "set timing on", requirement: .anyone, access: .none, handler: setTiming),
        CommandSpec("begin", summary: "start a transaction: the commands up to `commit` land all together or not at all",
                    example: "begin", requirement: .anyone, access: .none, handler: begin),
        CommandSpec("commit", summary: "make the commands since `begin` permanent", example: "commit",
                    requirement: .anyone, access: .none, handler: commit),
        CommandSpec("rollback", summary: "undo every command since `begin`", example: "rollback",
                    requirement: .anyone, access: .none, handler: rollback),
        CommandSpec("history", args: [ArgSpec("N", .number, optional: true, range: 1...1_000_000)],
                    summary: "the commands typed before (the last N)",
                    example: "history 20", requirement: .anyone, access: .none, handler: history),
        CommandSpec("clock", summary: "the time parley's rules read (simulated on a sandbox)",
                    example: "clock", requirement: .anyone, access: .read, handler: clock),
        CommandSpec("clock advance", args: [ArgSpec("DURATION", .duration)],
                    summary: "move a sandbox's simulated clock forward (admins)", example: "clock advance 31d",
                    requirement: .sandboxAdmin, handler: clockAdvance),
    ] }

    static func initialize(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard try Meta.isEmpty(ctx.db) else {
            throw ParleyError.refused("init works only on an empty database, and this one has users: `login EMAIL` instead")
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
        let user = try UserRepository.insert(ctx.db, email: email, name: name, role: .admin, passwordHash: hash, now: now)
        ctx.session.setUser(user, impersonator: nil, kind: "init")
        try ctx.audit("organisation.init", user.email, new: sandbox ? "sandbox" : "normal")
        return .done("created \(sandbox ? "sandbox " : "")organisation with admin \(user.email); logged in as \(user.email)"
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
           inv.given("--password-file") == nil {
            let target = try UserRepository.require(db, email: email)
            guard target.enabled else { throw ParleyError.refused("\(target.email) is disabled: enable them first (`user enable \(target.email)`)") }
            try db.atomically {
                try AuditLog.record(db, AuditActor(actor: admin.email, asUser: target.email, session: "impersonation", userID: target.id)
                    .entry("session.impersonate", target.email, at: ctx.now))
            }
            session.setUser(target, impersonator: admin, kind: "impersonation")
            return .done("logged in as \(target.email) (\(target.role.rawValue)); `logout` returns to \(admin.email)",
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
        let ok = candidate != nil && candidate!.enabled && hash != nil && PasswordHasher.verify(password, against: hash!)
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
            return .done("logged out of \(user.email); back to \(admin.email)", record: [("email", .string(admin.email))])
        }
        guard let user = session.user else { return .done("not logged in") }
        session.setUser(nil, impersonator: nil, kind: "none")
        return .done("logged out \(user.email)", record: [("email", .null)])
    }

    static func whoami(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let u = ctx.session.user else {
            if try Meta.isEmpty(ctx.db) {
                return .record([("email", .null), ("logged_in", false), ("organisation", .string(Session.noOrganisationYet))])
            }
            return .record([("email", .null), ("logged_in", false)])
        }
        return .record([("email", .string(u.email)), ("name", .string(u.name)), ("role", .string(u.role.rawValue)),
                        ("enabled", .bool(u.enabled)), ("session", .string(ctx.session.sessionKind)),
                        ("impersonated_by", .of(ctx.session.impersonator?.email)),
                        ("sandbox", .bool(ctx.isSandbox))])
    }

    /// Leaves. With a transaction open, a person at the terminal is asked first (a second `exit`
    /// leaves); a script leaves with it rolled back, and fails.
    static func exit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let shell = ctx.session.shell else { return .none }
        // Under -1 the run ends here as at the end of its input: what it did is committed.
        if shell.userTransactionOpen && !shell.singleTransaction {
            if ctx.io.isInteractive && !shell.exitConfirmed {
                shell.exitConfirmed = true
                throw ParleyError.refused("a transaction opened by `begin` is open: `commit` keeps it, `rollback` drops it;"
                                          + " `\(inv.spec.name)` again leaves and rolls it back")
            }
            shell.rollbackOpenTransaction()
            shell.exitRequested = true
            throw ParleyError.refused("left inside `begin` without `commit`: everything since `begin` was rolled back")
        }
        shell.exitRequested = true
        return .none
    }

    /// Runs a script file. A relative path is read from the folder of the script that sources it
    /// (at the prompt, from -c or standard input: from the current folder).
    static func source(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let given = inv.text("FILE")
        let session = ctx.session
        guard let shell = session.shell else { return .none }
        // `~/` as Tab completes it: under $HOME.
        let home = session.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let expanded = given.hasPrefix("~/") ? home + given.dropFirst(1) : given
        var path = expanded
        if !expanded.hasPrefix("/"), let including = shell.scripts.last?.path {
            let folder = (including as NSString).deletingLastPathComponent
            if !folder.isEmpty { path = folder + "/" + expanded }
        }
        if let real = Shell.realPath(path), let first = shell.scripts.firstIndex(where: { $0.realPath == real }) {
            shell.sourceCycles += 1
            let chain = shell.scripts[first...].map(\.name) + [path]
            throw ParleyError.refused(chain.joined(separator: " → ") + ": a script may not source itself")
        }
        guard session.sourceDepth < 16 else { throw ParleyError.refused("source: scripts nested more than 16 deep") }
        let src = try FileLineSource(path: path)
        session.sourceDepth += 1
        defer { session.sourceDepth -= 1 }
        let before = shell.failures
        let cyclesBefore = shell.sourceCycles
        shell.runScript(src, name: path)
        let failed = shell.failures - before
        if failed > 0 {
            // Only the refusal of a script sourcing itself, said where it happened: not again here.
            if failed <= shell.sourceCycles - cyclesBefore { throw Shell.AlreadyReported() }
            throw ParleyError.refused("\(path): \(failed) command\(failed == 1 ? "" : "s") failed")
        }
        return .none
    }

    static func setOutput(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.format = try OutputFormat.parse(inv.text("FORMAT"))
        return .none
    }

    static func setOnError(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.onError = OnErrorMode(rawValue: inv.text("MODE")) ?? .stop
        return .none
    }

    static func setEcho(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.echo = inv.bool("SWITCH")
        return .none
    }

    static func setOutputFile(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let path = inv.given("FILE")?.text else {
            ctx.session.outputFile = nil
            return .none
        }
        ctx.session.outputFile = try OutputFile(path: path)
        return .none
    }

    static func setPager(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.pager = inv.bool("SWITCH")
        return .none
    }

    static func setTiming(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.timing = inv.bool("SWITCH")
        return .none
    }

    static func begin(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let shell = ctx.session.shell else { return .none }
        try shell.openUserTransaction(ctx.db)
        return .done("transaction started: `commit` keeps the commands that follow, `rollback` undoes them")
    }

    static func commit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let shell = ctx.session.shell else { return .none }
        if shell.singleTransaction { throw ParleyError.refused(Shell.singleTransactionRefusal) }
        guard shell.userTransactionOpen else {
            throw ParleyError.refused("no transaction is open (`begin` opens one)")
        }
        try ctx.db.commit()
        shell.userTransactionOpen = false
        return .done("committed")
    }

    static func rollback(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let shell = ctx.session.shell else { return .none }
        if shell.singleTransaction { throw ParleyError.refused(Shell.singleTransactionRefusal) }
        guard shell.userTransactionOpen else {
            throw ParleyError.refused("no transaction is open (`begin` opens one)")
        }
        try ctx.db.rollback()
        shell.userTransactionOpen = false
        return .done("rolled back: nothing since `begin` was kept")
    }

    static func history(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        var entries = ctx.session.historyProvider()
        if let n = inv.given("N")?.number { entries = Array(entries.suffix(n)) }
        let first = ctx.session.historyProvider().count - entries.count + 1
        return .table(Table(columns: ["n", "command"], rows: entries.enumerated().map { [.int(Int64(first + $0.offset)), .string($0.element)] }))
    }

    static func clock(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let sandbox = ctx.isSandbox
        return .record([("now", .string(TimeFormat.iso(ctx.now))), ("simulated", .bool(sandbox))])
    }

    static func clockAdvance(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let span = inv.span("DURATION")
        let (next, overflow) = ctx.now.addingReportingOverflow(span.milliseconds)
        // 9999-12-31T23:59:59Z: the last time the clock can show as a four-digit year.
        guard !overflow && next <= 253_402_300_799_000 else {
            throw ParleyError.invalidValue("clock advance \(span) would move the clock past the year 9999")
        }
        try Meta.setSandboxTime(ctx.db, next)
        try ctx.audit("clock.advance", "clock", old: TimeFormat.iso(ctx.now), new: TimeFormat.iso(next))
        let resolved = try Inbox.sweep(ctx.db, now: next)
        var message = "clock moved \(span) forward to \(TimeFormat.iso(next))"
        if !resolved.isEmpty { message += "; auto-resolved \(resolved.count) conversation\(resolved.count == 1 ? "" : "s")" }
        return .done(message, record: [("now", .string(TimeFormat.iso(next))), ("auto_resolved", .of(resolved.count))])
    }
}
