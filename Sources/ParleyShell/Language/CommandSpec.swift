import ParleyCore

/// What a word stands for: drives validation, help and completion from one table.
public enum ValueKind: Sendable, Equatable {
    case text
    case newEmail
    case user            // an existing user's email, or `me` where the command allows it
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
    case grouping        // day|agent
    case reportFormat    // table|csv|json

    /// Fixed choices, for help and completion.
    public var choices: [String]? {
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

public struct ArgSpec: Sendable {
    public var name: String
    public var kind: ValueKind
    public var optional: Bool
    /// One or more values: takes every remaining positional word.
    public var variadic: Bool
    /// Free text: unquoted, the rest of the line as typed; quoted, one word.
    public var rest: Bool

    public init(_ name: String, _ kind: ValueKind, optional: Bool = false, variadic: Bool = false, rest: Bool = false) {
        self.name = name; self.kind = kind; self.optional = optional; self.variadic = variadic; self.rest = rest
    }

    var usage: String {
        let core = kind.choices.map { $0.joined(separator: "|") } ?? name
        let shown = (variadic ? core + "…" : core)
        return optional ? "[\(shown)]" : shown
    }
}

public struct OptionSpec: Sendable {
    /// Without the leading dashes: `queue` for `--queue`.
    public var name: String
    /// nil for a flag that takes no value (`--dm`).
    public var kind: ValueKind?
    public var help: String
    public var valueName: String

    public init(_ name: String, _ kind: ValueKind?, _ help: String, valueName: String? = nil) {
        self.name = name; self.kind = kind; self.help = help
        self.valueName = valueName ?? kind?.choices?.joined(separator: "|") ?? name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    var usage: String { kind == nil ? "[--\(name)]" : "[--\(name) \(valueName)]" }
}

/// Who may run a command, as `help` shows it. The access rules themselves are decided in the
/// core at run time, on the object at hand.
public enum Requirement: Sendable, Equatable {
    case anyone
    case loggedIn
    case admin
    case channelRole(ChannelRole)
    /// The role on the channel, or an admin account (`channel access`, `who-can`).
    case channelRoleOrAdmin(ChannelRole)
    case sandboxAdmin
}

/// What a running command gets: its parsed words, the session and the open database.
public struct Invocation {
    public var spec: CommandSpec
    public var args: [String: [String]]
    public var options: [String: String]
    public var flags: Set<String>

    public func arg(_ name: String) -> String? { args[name]?.first }
    public func values(_ name: String) -> [String] { args[name] ?? [] }
    public func option(_ name: String) -> String? { options[name] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func has(_ name: String) -> Bool { options[name] != nil || flags.contains(name) }
}

public typealias CommandHandler = (Invocation, CommandContext) throws -> CommandOutput

/// How a command runs against the database.
public enum Access: Sendable {
    /// Reads only: a deferred transaction.
    case read
    /// Writes: one immediate transaction (or a savepoint in a script's transaction).
    case write
    /// Manages its own transactions (begin/commit, sync, login that waits for a password).
    case none
}

public struct CommandSpec: @unchecked Sendable {
    public var path: [String]
    public var args: [ArgSpec]
    public var options: [OptionSpec]
    public var summary: String
    public var example: String
    public var requirement: Requirement
    public var access: Access
    /// Whether the line holds a secret and must never reach the history file.
    public var secret: Bool
    public var handler: CommandHandler

    public init(_ path: String, args: [ArgSpec] = [], options: [OptionSpec] = [], summary: String,
                example: String, requirement: Requirement = .loggedIn, access: Access = .write,
                secret: Bool = false, handler: @escaping CommandHandler) {
        self.path = path.split(separator: " ").map(String.init)
        self.args = args; self.options = options; self.summary = summary; self.example = example
        self.requirement = requirement; self.access = access; self.secret = secret; self.handler = handler
    }

    public var name: String { path.joined(separator: " ") }

    /// The command's form. Options come before free text, which runs to the end of the line.
    public var usage: String {
        if let last = args.last, last.rest {
            return ([name] + args.dropLast().map(\.usage) + options.map(\.usage) + [last.usage]).joined(separator: " ")
        }
        return ([name] + args.map(\.usage) + options.map(\.usage)).joined(separator: " ")
    }

    public func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }
}
