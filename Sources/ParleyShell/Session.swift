import Foundation
import ParleyCore
import ParleyStore

/// What a person answered at a prompt.
package enum PromptAnswer: Equatable, Sendable {
    case text(String)
    /// Ctrl-C (or Ctrl-D on an empty answer): the command stops, with nothing changed.
    case cancelled
}

/// Where a session prints and how it asks questions.
package protocol ShellIO: AnyObject {
    func out(_ text: String)
    func err(_ text: String)
    /// Whether a person is at a terminal (prompts, password questions).
    var isInteractive: Bool { get }
    /// Reads a secret without echo; nil when there is no terminal to ask.
    func readSecret(prompt: String) -> PromptAnswer?
    /// Asks a question at the terminal, the answer shown as typed; nil when there is no terminal.
    func ask(prompt: String) -> PromptAnswer?
}

/// Collects output in memory: for tests and for embedding.
package final class BufferIO: ShellIO {
    package var stdout: [String] = []
    package var stderr: [String] = []
    package var isInteractive: Bool
    /// The answers prompts get, in order; none left means no terminal.
    package var answers: [PromptAnswer]
    /// The prompts shown.
    package var prompts: [String] = []
    package init(interactive: Bool = false, secrets: [String] = [], answers: [PromptAnswer] = []) {
        self.isInteractive = interactive
        self.answers = secrets.map(PromptAnswer.text) + answers
    }
    package func out(_ text: String) { stdout.append(text) }
    package func err(_ text: String) { stderr.append(text) }
    package func readSecret(prompt: String) -> PromptAnswer? { ask(prompt: prompt) }
    package func ask(prompt: String) -> PromptAnswer? {
        prompts.append(prompt)
        return answers.isEmpty ? nil : answers.removeFirst()
    }
    package var outText: String { stdout.joined(separator: "\n") }
    package var errText: String { stderr.joined(separator: "\n") }
}

package enum OnErrorMode: String, Sendable { case stop, `continue` }

/// One person's session: who is logged in (and who impersonates), output settings, the database.
package final class Session {
    package let database: ParleyDatabase
    /// Where commands print for people: every line has its control and bidi characters escaped.
    package let io: ShellIO
    /// The stream under `io`, for output that keeps the exact text (CSV).
    package let exactIO: ShellIO
    package let systemClock: ParleyClock
    package var environment: [String: String]
    /// The user commands act as.
    package internal(set) var user: User?
    /// The admin who logged in as `user` without a password, when impersonating.
    package internal(set) var impersonator: User?
    /// How the session was opened: password, --as, init, impersonation.
    package internal(set) var sessionKind = "none"
    /// How the admin's own session began (password, --as, init): what an impersonation returns to.
    private var ownKind = "none"
    package var format: OutputFormat = .table
    package var onError: OnErrorMode = .stop
    package var echo = false
    /// Whether long output at a terminal goes through the pager (`set pager`).
    package var pager = true
    /// Whether each command's time is printed after it, on standard error (`set timing`).
    package var timing = false
    /// Where results go instead of standard output (`-o FILE`, `set output-file FILE`).
    package var outputFile: OutputFile?
    /// The history `history` lists; the interactive shell replaces it with the persistent one.
    package var historyProvider: () -> [String]
    /// The commands run in this session, for `history` where there is no line editor. Only the
    /// last `commandLogLimit` are kept, so a script of a million commands holds no more.
    private(set) var commandLog: [String] = []
    static let commandLogLimit = 1_000

    func remember(_ line: String) {
        commandLog.append(line)
        // Trimmed in batches: the cost per command stays constant.
        if commandLog.count >= 2 * Session.commandLogLimit {
            commandLog.removeFirst(commandLog.count - Session.commandLogLimit)
        }
    }
    var sourceDepth = 0
    /// The user's channels, kept between commands while the database is unchanged.
    let channelMemo = ChannelMemo()
    /// Makes X API clients for connected channels (set by the executable; tests pass a fake).
    package var channelAPIProvider: ChannelAPIProvider?
    /// Pause after a failed login, in milliseconds.
    package var loginFailureDelayMs: UInt32 = 1000

    package init(
        database: ParleyDatabase, io: ShellIO, systemClock: ParleyClock = SystemClock(),
        environment: [String: String] = ProcessEnvironment.current
    ) {
        self.database = database
        self.io = TerminalSafeIO(io)
        self.exactIO = io
        self.systemClock = systemClock
        self.environment = environment
        historyProvider = { [] }
        historyProvider = { [unowned self] in Array(self.commandLog.suffix(Session.commandLogLimit)) }
    }

    /// Starts the session as `email` without a password (`--as`): whoever can write the
    /// database file holds all of it already.
    package func startAs(email: String) throws {
        let found = try database.withConnection { db in try UserRepository.find(db, email: email) }
        guard let user = found else {
            let near = try database.withConnection { db in
                try UserRepository.emails(db, prefix: String(email.prefix(1)), limit: 200)
            }
            throw ParleyError.notFound("--as: no user '\(email)'" + Suggest.didYouMean(email, among: near))
        }
        guard user.enabled else { throw ParleyError.refused("--as: \(user.email) is disabled") }
        setUser(user, impersonator: nil, kind: "--as")
    }

    func setUser(_ user: User?, impersonator: User?, kind: String) {
        self.user = user
        self.impersonator = impersonator
        self.sessionKind = user == nil ? "none" : kind
        if impersonator == nil { ownKind = sessionKind }
    }

    /// Ends an impersonation: back to the admin, in the session kind the admin began with.
    func endImpersonation() {
        guard let admin = impersonator else { return }
        setUser(admin, impersonator: nil, kind: ownKind)
    }

    /// Who changes are recorded against.
    package var auditActor: AuditActor {
        if let admin = impersonator, let user {
            return AuditActor(actor: admin.email, asUser: user.email, session: "impersonation", userID: user.id)
        }
        return AuditActor(actor: user?.email ?? "nobody", session: sessionKind, userID: user?.id)
    }

    /// What an empty database answers, at start and to every command that needs a user.
    package static let noOrganisationYet =
        "this database has no organisation yet: `init EMAIL --name NAME --sandbox` creates"
        + " one (you become its first admin; leave out --sandbox for real channels and the real clock), or `demo` fills"
        + " it with a sample organisation to try"

    /// `parley(ada@acme.example admin)> `, `parley(vic@acme.example agent, by ada@acme.example)> `
    /// while an admin impersonates vic, or `parley> ` when logged out; escaped for the terminal.
    /// (The shell adds `*` while a transaction opened by `begin` is open.)
    package var prompt: String {
        guard let user else { return "parley> " }
        let by = impersonator.map { ", by \($0.email)" } ?? ""
        return TerminalText.escaped("parley(\(user.email) \(user.role.rawValue)\(by))> ")
    }

    /// What to tell a person who starts the shell: how to begin on a database without an
    /// organisation; nil otherwise.
    package func startNotice() -> String? {
        guard user == nil, (try? database.withConnection { db in try Meta.isEmpty(db) }) == true else { return nil }
        return Session.noOrganisationYet
    }

    /// Reloads the user so a change by another shell (disabled, demoted) applies at once.
    func refreshUser(_ db: StoreAccess) throws {
        if let u = user { user = try UserRepository.find(db, id: u.id) }
        if let a = impersonator { impersonator = try UserRepository.find(db, id: a.id) }
    }
}

/// What a command handler works with.
package struct CommandContext {
    package let session: Session
    package let db: StoreAccess
    /// The time of this command, read once from the one clock.
    package let now: Timestamp
    /// What the user may see: every name a command resolves or lists goes through it.
    let visibility: Visibility
    /// The commands of the shell running this one (for `help`).
    package let table: CommandTable
    /// True once Ctrl-C was pressed: a command that waits (for a browser, a paste) stops.
    package let interrupted: () -> Bool

    /// `settled`: the command reads in a transaction of its own, so what it works out of the
    /// database may be kept for the next commands (`ChannelMemo`).
    package init(
        session: Session, db: StoreAccess, now: Timestamp, table: CommandTable = .standard,
        settled: Bool = false, interrupted: @escaping () -> Bool = { false }
    ) {
        self.session = session
        self.db = db
        self.now = now
        self.visibility = Visibility(db: db, user: session.user, memo: session.channelMemo, mayRemember: settled)
        self.table = table
        self.interrupted = interrupted
    }

    package var io: ShellIO { session.io }

    /// The logged-in user, or a refusal naming what to do.
    package func requireUser() throws -> User {
        guard let u = session.user else {
            if (try? Meta.isEmpty(db)) == true { throw ParleyError.notLoggedIn(Session.noOrganisationYet) }
            throw ParleyError.notLoggedIn("not logged in: `login EMAIL` first (or start parley with --as EMAIL)")
        }
        // The session is reread before each command: a user disabled meanwhile can do nothing more.
        guard u.enabled else {
            throw ParleyError.denied(
                "refused: \(u.email) is disabled: a disabled user can do nothing until an admin runs `user enable \(u.email)`"
            )
        }
        return u
    }

    /// The logged-in user of a command whose requirement the runner checked (any but `.anyone`).
    package var me: User {
        guard let u = session.user else { preconditionFailure("a command that needs a user ran without one") }
        return u
    }

    /// Refuses unless the user is an enabled admin (settings are admins' work).
    @discardableResult
    package func requireAdmin(_ what: String) throws -> User {
        let u = try requireUser()
        let d = AccessPolicy.decideSettings(email: u.email, enabled: u.enabled, role: u.role, naming: what)
        guard d.allowed else { throw ParleyError.denied("\(what) refused: \(d.explanation)") }
        return u
    }

    /// Refuses unless the user may take `action` on the channel; returns the decision. The
    /// refusal ends in "`label` needs ROLE" (the command's name where it is not the action's) and
    /// tells an admin the grant that would let them.
    @discardableResult
    package func require(_ action: Action, on channel: Channel, what: String, naming label: String? = nil) throws
        -> AccessDecision
    {
        let u = try requireUser()
        if u.id == visibility.user?.id, let deciding = try visibility.facts(on: channel) {
            let d = AccessPolicy.decide(action, deciding, naming: label)
            if d.allowed { return d }
        }
        // A refusal (or another user's session) explains itself from all the facts.
        let d = AccessPolicy.decide(action, try AccessRepository.facts(db, user: u, channel: channel), naming: label)
        guard d.allowed else {
            var message = "\(what) refused: \(d.explanation)"
            if u.role == .admin, u.enabled {
                let needed = action.requiredChannelRole ?? .viewer
                message += " (`channel grant \(channel.atHandle) \(u.email) \(needed.rawValue)` gives you that)"
            }
            throw ParleyError.denied(message)
        }
        return d
    }

    package func audit(
        _ action: String, _ target: String, channelID: Int64? = nil, old: String? = nil, new: String? = nil
    ) throws {
        try AuditLog.record(
            db, session.auditActor.entry(action, target, channelID: channelID, old: old, new: new, at: now))
    }

    package var isSandbox: Bool { (try? Meta.isSandbox(db)) ?? false }

    /// Whether output will show a command's record (JSON, CSV): table mode prints only the
    /// sentence, so hot commands skip building it.
    package var wantsRecord: Bool { session.format != .table }

    package func requireSandbox(_ what: String) throws {
        guard isSandbox else {
            throw ParleyError.refused(
                "\(what) works only on a sandbox database, and this one uses the real clock and real"
                    + " channels: to try it, start parley on a new file (`parley --db /tmp/training.db`) and run `demo`"
                    + " or `init EMAIL --name NAME --sandbox`")
        }
    }
}
