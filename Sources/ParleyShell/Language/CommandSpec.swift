import ParleyCore
import ParleyStore

/// What a word stands for: drives validation, help and completion from one table.
package enum ValueKind: Sendable, Equatable {
    case text
    case newEmail
    case user  // an existing user's email, or `me` where the command allows it
    case channel
    case team
    case topic
    case tag
    case conversation
    case queue
    case channelRole
    case accountRole
    case onOff
    case duration
    case durationOrOff
    case outputFormat
    case onErrorMode
    case file
    case handle
    case action
    case number
    /// A conversation number, else a channel (`can … TARGET`).
    case conversationOrChannel
    /// A user, `me`, or `none` for no one (`conversation list --owner`).
    case userOrNone
    case grouping  // day|agent
    case reportFormat  // table|csv|json

    /// Fixed choices, for help and completion.
    package var choices: [String]? {
        switch self {
        case .queue: return Queue.allCases.map(\.rawValue)
        case .channelRole: return ChannelRole.allCases.map(\.rawValue)
        case .accountRole: return AccountRole.allCases.map(\.rawValue)
        case .onOff: return ["on", "off"]
        case .outputFormat: return ["table", "json", "csv"]
        case .onErrorMode: return ["stop", "continue"]
        case .action: return Action.allCases.map(\.rawValue)
        case .grouping: return ["day", "agent"]
        case .reportFormat: return ["table", "csv", "json"]
        default: return nil
        }
    }
}

package struct ArgSpec: Sendable {
    package var name: String
    package var kind: ValueKind
    package var optional: Bool
    /// One or more values: takes every remaining positional word.
    package var variadic: Bool
    /// Free text: unquoted, the rest of the line as typed; quoted, one word.
    package var rest: Bool
    /// The whole numbers a `.number` takes.
    package var range: ClosedRange<Int>
    /// The word as typed, not resolved: the command looks it up its own way (`login EMAIL`).
    package var asTyped: Bool

    package init(
        _ name: String, _ kind: ValueKind, optional: Bool = false, variadic: Bool = false, rest: Bool = false,
        range: ClosedRange<Int> = 0...Int.max, asTyped: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.variadic = variadic
        self.rest = rest
        self.range = range
        self.asTyped = asTyped
    }

    var usage: String {
        let core = kind.choices.map { $0.joined(separator: "|") } ?? name
        let shown = (variadic ? core + "…" : core)
        return optional ? "[\(shown)]" : shown
    }
}

package struct OptionSpec: Sendable {
    /// Without the leading dashes: `queue` for `--queue`.
    package var name: String
    /// nil for a flag that takes no value (`--dm`).
    package var kind: ValueKind?
    package var help: String
    package var valueName: String
    /// The whole numbers a `.number` takes.
    package var range: ClosedRange<Int>
    /// The word as typed, not resolved (`user list --after EMAIL` is a place in the list).
    package var asTyped: Bool

    package init(
        _ name: String, _ kind: ValueKind?, _ help: String, valueName: String? = nil,
        range: ClosedRange<Int> = 0...Int.max, asTyped: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.help = help
        self.range = range
        self.asTyped = asTyped
        self.valueName =
            valueName ?? kind?.choices?.joined(separator: "|")
            ?? String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    var usage: String { kind == nil ? "[--\(name)]" : "[--\(name) \(valueName)]" }
}

/// Who may run a command: the one statement of it that the runner enforces (before the handler
/// runs, on the objects the typed arguments name), `help` shows and completion agrees with. The
/// rules themselves are the core's (`AccessPolicy`).
package enum Requirement: Sendable, Equatable {
    case anyone
    /// A logged-in, enabled user.
    case loggedIn
    /// An enabled admin account.
    case admin
    /// An enabled admin account, on a sandbox database.
    case sandboxAdmin
    /// The action on the conversation the command names: its channel's role decides.
    case onConversation(Action)
    /// The action on the channel the command names (an argument or an option); a command that
    /// names none (`conversation list`) needs a logged-in user only.
    case onChannel(Action)
    /// The action on the channel the command names, or an admin account. With `naming`, the
    /// refusal says "COMMAND needs ROLE" (`channel access`), not the action's name.
    case onChannelOrAdmin(Action, naming: Bool = false)
    /// A logged-in user about themselves (the user the command names, or none), or an admin
    /// about anyone; the refusal begins with `what`.
    case selfOrAdmin(String)

    /// The channel role the requirement asks for, when it is one.
    package var channelRole: ChannelRole? {
        switch self {
        case .onConversation(let a), .onChannel(let a), .onChannelOrAdmin(let a, _):
            return a.requiredChannelRole ?? .viewer
        default: return nil
        }
    }
}

/// A word turned into what it stands for, once, before the handler runs: pure values parsed,
/// names resolved through `Visibility` (what the user cannot see does not exist).
package enum Typed {
    case text(String)
    case number(Int)
    case bool(Bool)
    case span(TimeSpan)
    /// A duration, or nil for `off`.
    case limit(TimeSpan?)
    case queue(Queue)
    case channelRole(ChannelRole)
    case accountRole(AccountRole)
    case action(Action)
    case user(User)
    /// `none`, where a command takes it for no user (`--owner none`).
    case nobody
    case channel(Channel)
    case conversation(ConversationSummary, Channel)
    case team(Team)
    case topic(id: Int64, name: String)

    package var text: String? { if case .text(let v) = self { v } else { nil } }
    package var number: Int? { if case .number(let v) = self { v } else { nil } }
    package var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    package var span: TimeSpan? { if case .span(let v) = self { v } else { nil } }
    package var limit: TimeSpan?? { if case .limit(let v) = self { .some(v) } else { nil } }
    package var queue: Queue? { if case .queue(let v) = self { v } else { nil } }
    package var channelRole: ChannelRole? { if case .channelRole(let v) = self { v } else { nil } }
    package var accountRole: AccountRole? { if case .accountRole(let v) = self { v } else { nil } }
    package var action: Action? { if case .action(let v) = self { v } else { nil } }
    package var user: User? { if case .user(let v) = self { v } else { nil } }
    package var channel: Channel? { if case .channel(let v) = self { v } else { nil } }
    package var conversation: (ConversationSummary, Channel)? {
        if case .conversation(let c, let ch) = self { (c, ch) } else { nil }
    }
    package var team: Team? { if case .team(let v) = self { v } else { nil } }
    package var topic: (id: Int64, name: String)? {
        if case .topic(let id, let name) = self { (id, name) } else { nil }
    }
}

/// What a running command gets: its parsed words and, once the runner prepared it, their typed
/// values (keyed by the argument's name, or `--option`).
package struct Invocation {
    package var spec: CommandSpec
    package var args: [String: [String]]
    package var options: [String: String]
    package var flags: Set<String>
    /// The typed values, filled by the runner before the handler runs.
    package var typed: [String: [Typed]] = [:]

    package init(spec: CommandSpec, args: [String: [String]], options: [String: String], flags: Set<String>) {
        self.spec = spec
        self.args = args
        self.options = options
        self.flags = flags
    }

    /// The words as the parser sorted them, as typed: what the parser's tests read. Handlers read
    /// the typed values (`given`, `conversation`, `channel()`, …).
    package func arg(_ name: String) -> String? { args[name]?.first }
    package func values(_ name: String) -> [String] { args[name] ?? [] }
    package func option(_ name: String) -> String? { options[name] }
    package func flag(_ name: String) -> Bool { flags.contains(name) }
    package func has(_ name: String) -> Bool { options[name] != nil || flags.contains(name) }

    /// The typed value of an argument (`N`) or option (`--limit`), when given.
    package func given(_ key: String) -> Typed? { typed[key]?.first }
    /// Every typed value of a variadic argument.
    package func all(_ key: String) -> [Typed] { typed[key] ?? [] }

    /// A value the command's table declares required: the parser made sure it is there.
    func required<T>(_ key: String, _ pick: (Typed) -> T?) -> T {
        guard let value = given(key).flatMap(pick) else {
            preconditionFailure("`\(spec.name)`: \(key) is not a required argument of that kind in the command table")
        }
        return value
    }

    /// The conversation the command names, with its channel.
    package var conversation: (ConversationSummary, Channel) {
        let key = spec.args.first { $0.kind == .conversation }?.name ?? "N"
        return required(key) { $0.conversation }
    }
    package func text(_ key: String) -> String { required(key) { $0.text } }
    package func channel(_ key: String = "CHANNEL") -> Channel { required(key) { $0.channel } }
    package func user(_ key: String = "EMAIL") -> User { required(key) { $0.user } }
    package func team(_ key: String) -> Team { required(key) { $0.team } }
    package func topic(_ key: String) -> (id: Int64, name: String) { required(key) { $0.topic } }
    package func queue(_ key: String = "QUEUE") -> Queue { required(key) { $0.queue } }
    package func channelRole(_ key: String = "ROLE") -> ChannelRole { required(key) { $0.channelRole } }
    package func action(_ key: String = "ACTION") -> Action { required(key) { $0.action } }
    package func span(_ key: String) -> TimeSpan { required(key) { $0.span } }
    package func bool(_ key: String) -> Bool { required(key) { $0.bool } }
}

package typealias CommandHandler = (Invocation, CommandContext) throws -> CommandOutput

/// How a command runs against the database.
package enum Access: Sendable {
    /// Reads only: a deferred transaction.
    case read
    /// Writes: one immediate transaction (or a savepoint in a script's transaction).
    case write
    /// Manages its own transactions (begin/commit, sync, login that waits for a password).
    case none
}

package struct CommandSpec: @unchecked Sendable {
    package let path: [String]
    /// The words of `path` joined by single spaces (`conversation tag`), kept: the parser, help and
    /// completion read it often.
    package let name: String
    package var args: [ArgSpec]
    package var options: [OptionSpec]
    package var summary: String
    package var example: String
    package var requirement: Requirement
    package var access: Access
    /// Whether the line holds a secret and must never reach the history file.
    package var secret: Bool
    package var handler: CommandHandler

    package init(
        _ path: String, args: [ArgSpec] = [], options: [OptionSpec] = [], summary: String,
        example: String, requirement: Requirement = .loggedIn, access: Access = .write,
        secret: Bool = false, handler: @escaping CommandHandler
    ) {
        self.path = path.split(separator: " ").map(String.init)
        self.name = self.path.joined(separator: " ")
        self.args = args
        self.options = options
        self.summary = summary
        self.example = example
        self.requirement = requirement
        self.access = access
        self.secret = secret
        self.handler = handler
    }

    /// The command's form. Options come before free text, which runs to the end of the line.
    package var usage: String {
        if let last = args.last, last.rest {
            return ([name] + args.dropLast().map(\.usage) + options.map(\.usage) + [last.usage]).joined(separator: " ")
        }
        return ([name] + args.map(\.usage) + options.map(\.usage)).joined(separator: " ")
    }

    package func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }
}
