import ParleyCore

/// Every command parley knows: the one table the parser, `help` and completion read.
package struct CommandTable: Sendable {
    package let commands: [CommandSpec]
    /// The first words of all commands, for suggestions and completion.
    package let topWords: [String]

    /// Each command's position by its name (`conversation tag`), and every leading part of a name
    /// (`conversation`), and the names that have longer commands below them: the parser finds a
    /// command in a few lookups instead of filtering the table word by word.
    let positions: [String: Int]
    let namePrefixes: Set<String>
    let namesWithSubcommands: Set<String>

    package init(_ commands: [CommandSpec]) {
        self.commands = commands
        var seen = Set<String>()
        topWords = commands.compactMap { seen.insert($0.path[0]).inserted ? $0.path[0] : nil }
        var positions: [String: Int] = [:]
        var prefixes = Set<String>()
        var parents = Set<String>()
        for (i, spec) in commands.enumerated() {
            let name = spec.name
            if positions[name] == nil { positions[name] = i }
            prefixes.insert(name)
            // Every leading part of the name ends before one of its spaces.
            for space in name.indices where name[space] == " " {
                let part = String(name[..<space])
                prefixes.insert(part)
                parents.insert(part)
            }
        }
        self.positions = positions
        self.namePrefixes = prefixes
        self.namesWithSubcommands = parents
    }

    package static let standard = CommandTable(
        SessionCommands.all + ScriptCommands.all + ClockCommands.all + UserCommands.all + TeamCommands.all
            + TopicCommands.all
            + ChannelCommands.all + ConversationCommands.all + AutoResolveCommands.all + AccessInsight.all
            + AuditCommand.all + DoctorCommand.all + ReportCommand.all + DemoCommand.all)

    /// What users of psql and sqlite3 type to leave or ask for help, and the command word each
    /// stands for. Only a command's first word is read this way.
    package static let aliases: [String: String] = [
        "\\q": "quit", ".quit": "quit", ".exit": "exit", "\\?": "help", ".help": "help",
    ]

    /// The command word an alias stands for, else the word itself.
    package static func resolvingAlias(_ word: String) -> String { aliases[word.lowercased()] ?? word }

    package func spec(_ name: String) -> CommandSpec? { commands.first { $0.name == name } }

    /// Commands whose name starts with these words.
    package func commands(under prefix: [String]) -> [CommandSpec] {
        commands.filter { $0.path.count >= prefix.count && Array($0.path.prefix(prefix.count)) == prefix }
    }
}
