import Foundation
import GRDB
import ParleyCore
import ParleyStore

/// Where a session prints and how it asks for secrets.
public protocol ShellIO: AnyObject {
    func out(_ text: String)
    func err(_ text: String)
    /// Whether a person is at a terminal (prompts, password questions).
    var isInteractive: Bool { get }
    /// Reads a secret without echo; nil when there is no terminal to ask.
    func readSecret(prompt: String) -> String?
}

/// Collects output in memory: for tests and for embedding.
public final class BufferIO: ShellIO {
    public var stdout: [String] = []
    public var stderr: [String] = []
    public var isInteractive: Bool
    public var secrets: [String]
    public init(interactive: Bool = false, secrets: [String] = []) { self.isInteractive = interactive; self.secrets = secrets }
    public func out(_ text: String) { stdout.append(text) }
    public func err(_ text: String) { stderr.append(text) }
    public func readSecret(prompt: String) -> String? { secrets.isEmpty ? nil : secrets.removeFirst() }
    public var outText: String { stdout.joined(separator: "\n") }
    public var errText: String { stderr.joined(separator: "\n") }
}

public enum OnErrorMode: String, Sendable { case stop, `continue` }

/// One person's session: who is logged in (and who impersonates), output settings, the database.
public final class Session {
    public let database: ParleyDatabase
    /// Where commands print for people: every line has its control and bidi characters escaped.
    public let io: ShellIO
    /// The stream under `io`, for output that keeps the exact text (CSV).
    public let exactIO: ShellIO
    public let systemClock: ParleyClock
    public var environment: [String: String]
    /// The user commands act as.
    public internal(set) var user: User?
    /// The admin who logged in as `user` without a password, when impersonating.
    public internal(set) var impersonator: User?
    /// How the session was opened: password, --as, init, impersonation.
    public internal(set) var sessionKind = "none"
    public var format: OutputFormat = .table
    public var onError: OnErrorMode = .stop
    public var echo = false
    /// The history `history` lists; the interactive shell replaces it with the persistent one.
    public var historyProvider: () -> [String]
    var commandLog: [String] = []
    var sourceDepth = 0
    /// The shell running this session (for `source`, `begin`, `exit`).
    public internal(set) weak var shell: Shell?
    /// Makes X API clients for connected channels (set by the executable; tests pass a fake).
    public var channelAPIProvider: ChannelAPIProvider?
    /// Pause after a failed login, in milliseconds.
    public var loginFailureDelayMs: UInt32 = 1000

    public init(database: ParleyDatabase, io: ShellIO, systemClock: ParleyClock = SystemClock(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.database = database
        self.io = TerminalSafeIO(io)
        self.exactIO = io
        self.systemClock = systemClock
        self.environment = environment
        historyProvider = { [] }
        historyProvider = { [unowned self] in self.commandLog }
    }

    /// Starts the session as `email` without a password (`--as`): whoever can write the
    /// database file holds all of it already.
    public func startAs(email: String) throws {
        let found = try database.withConnection { db in try UserRepository.find(db, email: email) }
        guard let user = found else {
            let near = try database.withConnection { db in try UserRepository.emails(db, prefix: String(email.prefix(1)), limit: 200) }
            throw ParleyError.notFound("--as: no user '\(email)'" + Suggest.didYouMean(email, among: near))
        }
        guard user.enabled else { throw ParleyError.refused("--as: \(user.email) is disabled") }
        self.user = user
        self.impersonator = nil
        self.sessionKind = "--as"
    }

    func setUser(_ user: User?, impersonator: User?, kind: String) {
        self.user = user; self.impersonator = impersonator; self.sessionKind = user == nil ? "none" : kind
    }

    /// Who changes are recorded against.
    public var auditActor: AuditActor {
        if let admin = impersonator, let user {
            return AuditActor(actor: admin.email, asUser: user.email, session: "impersonation", userID: user.id)
        }
        return AuditActor(actor: user?.email ?? "nobody", session: sessionKind, userID: user?.id)
    }

    /// `parley(ada@acme.example admin)> `, or `parley> ` when logged out; escaped for the terminal.
    public var prompt: String {
        guard let user else { return "parley> " }
        return TerminalText.escaped("parley(\(user.email) \(user.role.rawValue))> ")
    }

    /// Reloads the user so a change by another shell (disabled, demoted) applies at once.
    func refreshUser(_ db: Database) throws {
        if let u = user { user = try UserRepository.find(db, id: u.id) }
        if let a = impersonator { impersonator = try UserRepository.find(db, id: a.id) }
    }
}

/// What a command handler works with.
public struct CommandContext {
    public let session: Session
    public let db: Database
    /// The time of this command, read once from the one clock.
    public let now: Timestamp

    public var io: ShellIO { session.io }

    /// The logged-in user, or a refusal naming what to do.
    public func requireUser() throws -> User {
        guard let u = session.user else {
            throw ParleyError.notLoggedIn("not logged in: `login EMAIL` first (or start parley with --as EMAIL)")
        }
        // The session is reread before each command: a user disabled meanwhile can do nothing more.
        guard u.enabled else {
            throw ParleyError.denied("refused: \(u.email) is disabled: a disabled user can do nothing until an admin runs `user enable \(u.email)`")
        }
        return u
    }

    /// Refuses unless the user is an enabled admin (settings are admins' work).
    @discardableResult
    public func requireAdmin(_ what: String) throws -> User {
        let u = try requireUser()
        let d = AccessPolicy.decideSettings(email: u.email, enabled: u.enabled, role: u.role)
        guard d.allowed else { throw ParleyError.denied("\(what) refused: \(d.explanation)") }
        return u
    }

    /// Refuses unless the user may take `action` on the channel; returns the decision.
    @discardableResult
    public func require(_ action: Action, on channel: Channel, what: String) throws -> AccessDecision {
        let u = try requireUser()
        let d = AccessPolicy.decide(action, try AccessRepository.facts(db, user: u, channel: channel))
        guard d.allowed else { throw ParleyError.denied("\(what) refused: \(d.explanation)") }
        return d
    }

    public func audit(_ action: String, _ target: String, channelID: Int64? = nil, old: String? = nil, new: String? = nil) throws {
        try AuditLog.record(db, session.auditActor.entry(action, target, channelID: channelID, old: old, new: new, at: now))
    }

    public var isSandbox: Bool { (try? Meta.isSandbox(db)) ?? false }

    /// Whether output will show a command's record (JSON, CSV): table mode prints only the
    /// sentence, so hot commands skip building it.
    public var wantsRecord: Bool { session.format != .table }

    public func requireSandbox(_ what: String) throws {
        guard isSandbox else {
            throw ParleyError.refused("\(what) works only on a sandbox database (made by `init EMAIL --name NAME --sandbox` or `demo`): this database uses the real clock and real channels")
        }
    }
}
