import Foundation
import ParleyCore
import ParleyStore
import ParleyX

/// `channel add twitter`: a sandbox channel by handle, or an X account by OAuth.
enum ChannelConnect {
    static func add(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        if let raw = inv.given("--handle")?.text {
            return try addSandbox(inv, ctx, handle: raw)
        }
        if ctx.db.isInsideTransaction {
            throw ParleyError.refused("connecting an account cannot run inside `begin` … `commit`")
        }
        let config = XConfig.load(environment: ctx.session.environment)
        let connected = inv.flag("pin") ? try pinFlow(ctx, config) : try codeFlow(ctx, config)
        return try store(
            ctx, account: connected.account, credentials: connected.credentials,
            displayName: inv.given("--display-name")?.text)
    }

    struct Connected {
        var account: XUser
        var credentials: ChannelCredentials
    }

    static let cancelled = ParleyError.refused("authorization cancelled: nothing was sent to X and nothing stored")

    /// Ctrl-C was pressed while parley waited.
    static func interrupted(_ ctx: CommandContext) -> Bool { ctx.interrupted() }

    /// What a pasted line means: nil to cancel (an empty line, `cancel`, `q`), else the text.
    static func pasted(_ line: String) -> String? {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        return ["", "cancel", "q", "quit", "exit", "\\q"].contains(text.lowercased()) ? nil : text
    }

    /// OAuth 2.0 Authorization Code with PKCE: the code arrives at the loopback listener, or is
    /// pasted at the prompt (the redirect URL or the bare code).
    static func codeFlow(_ ctx: CommandContext, _ config: XConfig) throws -> Connected {
        guard config.clientID != nil else {
            throw ParleyError.refused(
                "connecting an X account needs the app's client id: set PARLEY_X_CLIENT_ID (or client_id in ~/.config/parley/x.conf); see the README, \"Connecting X\""
            )
        }
        let io = ctx.io
        let pkce = PKCE.generate()
        let state = randomToken(bytes: 16)
        let listener: LoopbackListener?
        do { listener = try LoopbackListener(port: config.callbackPort) } catch {
            guard io.isInteractive else { throw error }
            io.err("\(error) — paste the redirect URL instead")
            listener = nil
        }
        io.out(
            "Open this URL in a browser and authorize parley:\n\n  \(XAuth.authorizeURL(config: config, state: state, pkce: pkce))\n"
        )
        io.out(
            io.isInteractive
                ? "Waiting for the browser to come back to \(config.redirectURI) — or paste the redirect URL (or the code) here"
                    + " (Ctrl-C, an empty line or `cancel` stops):"
                : "Waiting for the browser to come back to \(config.redirectURI)…")
        let timeout = TimeInterval(Int(ctx.session.environment["PARLEY_X_AUTH_TIMEOUT"] ?? "") ?? 300)
        let deadline = Date().addingTimeInterval(timeout)
        var code: String?
        while code == nil {
            if interrupted(ctx) { throw cancelled }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw ParleyError.io(
                    "no authorization arrived within \(Int(timeout))s: run `channel add twitter` again")
            }
            var fds: [pollfd] = []
            if let listener { fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)) }
            if io.isInteractive { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000))
            if ready <= 0 { continue }
            for f in fds where f.revents != 0 {
                if let listener, f.fd == listener.fd {
                    switch listener.acceptOne(expectedState: state) {
                    case .code(let c): code = c
                    case .ignored(let why): io.err(why)
                    }
                } else if f.fd == 0 {
                    guard let line = readLine() else {
                        if interrupted(ctx) { throw cancelled }
                        throw ParleyError.io("the input ended before an authorization arrived")
                    }
                    guard let text = pasted(line) else { throw cancelled }
                    do { code = try XAuth.code(fromPasted: text, expectedState: state) } catch { io.err("\(error)") }
                }
                if code != nil { break }
            }
        }
        let tokens = try XAuth.exchange(code: code!, pkce: pkce, config: config)
        let account = try XClient(config: config, tokens: tokens).me()
        return Connected(
            account: account,
            credentials: ChannelCredentials(
                kind: "oauth2", accessToken: tokens.accessToken,
                refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt))
    }

    /// OAuth 1.0a: the user authorizes in a browser and types the PIN X shows.
    static func pinFlow(_ ctx: CommandContext, _ config: XConfig) throws -> Connected {
        let io = ctx.io
        let request = try XAuth.requestToken(config: config)
        io.out("Open this URL in a browser, authorize parley, and type the PIN X shows:\n\n  \(request.authorizeURL)\n")
        guard io.isInteractive || ctx.session.environment["PARLEY_X_PIN_FROM_STDIN"] == "1" else {
            throw ParleyError.usage(
                "the PIN flow asks for the PIN at a terminal: run `channel add twitter --pin` interactively")
        }
        FileHandle.standardError.write(Data("PIN (Ctrl-C, an empty line or `cancel` stops): ".utf8))
        guard let line = readLine(), !interrupted(ctx), let pin = pasted(line) else { throw cancelled }
        let access = try XAuth.accessToken(
            config: config, requestToken: request.token, requestSecret: request.secret, pin: pin)
        let account = try XClient(config: config, tokens: access.tokens).me()
        return Connected(
            account: account,
            credentials: ChannelCredentials(
                kind: "oauth1", accessToken: access.tokens.accessToken,
                tokenSecret: access.tokens.tokenSecret))
    }

    /// A new channel for the account, or the existing one re-authorized (never a twin).
    static func store(_ ctx: CommandContext, account: XUser, credentials: ChannelCredentials, displayName: String?)
        throws -> CommandOutput
    {
        let db = ctx.db
        return try db.atomically {
            let now = try Meta.now(db, system: ctx.session.systemClock)
            if var existing = try ChannelRepository.find(db, accountID: account.id) {
                existing.handle = account.username
                if let displayName { existing.displayName = try Validation.displayName(displayName) }
                try ChannelRepository.save(db, existing)
                try ChannelRepository.setCredentials(db, id: existing.id, credentials)
                try AuditLog.record(
                    db,
                    ctx.session.auditActor.entry(
                        "channel.reauthorize", existing.atHandle, channelID: existing.id,
                        new: credentials.kind, at: now))
                return .done(
                    "re-authorized \(existing.atHandle) (#\(existing.id)); its settings and conversations are as they were",
                    record: [
                        ("id", .int(existing.id)), ("channel", .string(existing.atHandle)), ("reauthorized", true),
                    ])
            }
            let name = try Validation.displayName(displayName ?? "@" + account.username)
            let c = try ChannelRepository.insert(
                db, kind: .twitter, handle: account.username, accountID: account.id, displayName: name, now: now)
            try ChannelRepository.setCredentials(db, id: c.id, credentials)
            try AuditLog.record(
                db,
                ctx.session.auditActor.entry(
                    "channel.add", c.atHandle, channelID: c.id, new: "X account \(account.id), \(credentials.kind)",
                    at: now))
            return .done(
                "connected \(c.atHandle) (#\(c.id)); give people access with `channel grant` or `team channel add`, then `channel sync`",
                record: [("id", .int(c.id)), ("channel", .string(c.atHandle)), ("reauthorized", false)])
        }
    }

    static func addSandbox(_ inv: Invocation, _ ctx: CommandContext, handle raw: String) throws -> CommandOutput {
        // Not an access rule: a channel played by hand exists only on a sandbox database.
        try ctx.requireSandbox("channel add twitter --handle")
        let handle = try Validation.handle(raw)
        let displayName = try Validation.displayName(inv.given("--display-name")?.text ?? "@" + handle)
        return try ctx.db.atomically {
            let accountID = "sandbox:" + handle.lowercased()
            if let existing = try ChannelRepository.find(ctx.db, accountID: accountID) {
                throw ParleyError.conflict(
                    "\(existing.atHandle) is a channel already (#\(existing.id), \(existing.displayName))")
            }
            let c = try ChannelRepository.insert(
                ctx.db, kind: .twitter, handle: handle, accountID: accountID,
                displayName: displayName, now: ctx.now)
            try ctx.audit("channel.add", c.atHandle, channelID: c.id, new: "sandbox, \(c.displayName)")
            return .done(
                "added sandbox channel \(c.atHandle) (#\(c.id)); give people access with `channel grant` or `team channel add`",
                record: zip(ChannelCommands.columns, ChannelCommands.row(c)).map { ($0, $1) })
        }
    }
}
