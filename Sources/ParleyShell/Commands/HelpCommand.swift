import ParleyCore
import ParleyStore

enum HelpCommand {
    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let table = ctx.table
        let typed = inv.all("WORD").compactMap(\.text).map { CommandTable.resolvingAlias($0.lowercased()) }
        let user = try standing(ctx)
        if typed.isEmpty { return .text(overview(table, user: user)) }
        let words: [String]
        switch expand(typed, in: table) {
        case .words(let w): words = w
        case .ambiguous(let resolved, let typedWord, let fits):
            return .text(candidates(resolved, typedWord, fits, table: table, user: user))
        }
        let matches = table.commands(under: words)
        if matches.isEmpty {
            let all = table.commands.map(\.name)
            throw ParleyError.notFound(
                "no command '\(words.joined(separator: " "))'"
                    + Suggest.didYouMean(words.joined(separator: " "), among: all + table.topWords)
                    + "; `help` lists them")
        }
        if let exact = matches.first(where: { $0.path == words }) {
            let subcommands = matches.filter { $0.path.count > words.count }
            guard !subcommands.isEmpty else { return .text(detail(exact, user: user)) }
            return .text(
                detail(exact, user: user) + "\n\nsubcommands:\n"
                    + subcommands.map { line($0, user: user) }.joined(separator: "\n"))
        }
        if matches.count == 1 { return .text(detail(matches[0], user: user)) }
        return .text(
            matches.map { line($0, user: user) }.joined(separator: "\n")
                + "\n\n`help \(words.joined(separator: " ")) WORD` explains one.")
    }

    enum Expansion {
        case words([String])
        /// The words understood so far, the word that fits several, and those it fits.
        case ambiguous([String], String, [String])
    }

    /// `conv l` → `conversation list`: each word may be the start of one command word at its place.
    /// A word that fits none is kept as typed (the answer then says there is no such command).
    static func expand(_ typed: [String], in table: CommandTable) -> Expansion {
        var resolved: [String] = []
        for word in typed {
            let next = Set(
                table.commands(under: resolved).compactMap {
                    $0.path.count > resolved.count ? $0.path[resolved.count] : nil
                })
            if next.contains(word) {
                resolved.append(word)
                continue
            }
            let fits = next.filter { $0.hasPrefix(word) }.sorted()
            if fits.count == 1 {
                resolved.append(fits[0])
                continue
            }
            if fits.count > 1 { return .ambiguous(resolved, word, fits) }
            return .words(resolved + typed[resolved.count...])
        }
        return .words(resolved)
    }

    /// What an ambiguous start may mean: each command word it fits, with its summary or how many
    /// commands it leads to.
    static func candidates(
        _ resolved: [String], _ typed: String, _ fits: [String], table: CommandTable,
        user: Standing
    ) -> String {
        let said = (resolved + [typed]).joined(separator: " ")
        var out = ["`\(said)` could be:"]
        for fit in fits {
            let path = resolved + [fit]
            let specs = table.commands(under: path)
            if specs.count == 1 {
                out.append(line(specs[0], user: user))
            } else {
                let name = path.joined(separator: " ").padding(toLength: 24, withPad: " ", startingAt: 0)
                out.append("  " + name + "\(specs.count) commands")
            }
        }
        out += ["", "`help WORD…` explains one; a word may be cut short where only one command fits."]
        return out.joined(separator: "\n")
    }

    static func overview(_ table: CommandTable, user: Standing) -> String {
        let who = user.user.map { " (as \($0.email), \($0.role.rawValue))" } ?? " (not logged in)"
        var out = ["parley commands" + who + ":"]
        var group = ""
        for spec in table.commands {
            if spec.path[0] != group {
                group = spec.path[0]
            }
            out.append(line(spec, user: user))
        }
        out.append("")
        out.append("`help WORD…` gives usage, options and an example. Names: a user by email, a channel by @handle,")
        out.append("display name or #id, a team by name, a conversation by number. Durations: 90s, 15m, 12h, 30d.")
        out.append("Free text at the end of a command (reply, note, inbound) is the rest of the line as typed:")
        out.append("put the command's options before it, or the whole text in quotes.")
        out.append(
            "As in psql and sqlite3: `\\q`, `.quit` and `.exit` leave (like `exit`);"
                + " `\\?` and `.help` show this.")
        return out.joined(separator: "\n")
    }

    static func line(_ spec: CommandSpec, user: Standing) -> String {
        let name = spec.name.padding(toLength: 24, withPad: " ", startingAt: 0)
        let mark = note(spec.requirement, user: user).map { "  [\($0)]" } ?? ""
        return "  " + name + spec.summary + mark
    }

    /// What `help` knows of the user to mark what they lack: the account, and the highest role
    /// they hold on any channel.
    struct Standing {
        var user: User?
        var bestRole: ChannelRole?
        /// What the runner reads as an admin account (`requireAdmin`), for the marks only.
        var isAdmin: Bool { user.map { $0.role == .admin && $0.enabled } ?? false }
    }

    static func standing(_ ctx: CommandContext) throws -> Standing {
        guard let u = ctx.session.user, u.enabled else { return Standing(user: ctx.session.user, bestRole: nil) }
        let roles = try ctx.visibility.roleChannels().compactMap {
            AccessPolicy.effectiveRole(try AccessRepository.facts(ctx.db, user: u, channel: $0)).role
        }
        return Standing(user: u, bestRole: roles.max())
    }

    /// What the current user lacks for a command, or nil when nothing stands in the way: read from
    /// the requirement the runner enforces. A "needs …" mark means running it is refused.
    static func note(_ r: Requirement, user s: Standing) -> String? {
        if r == .anyone { return nil }
        guard let u = s.user else { return "needs login" }
        guard u.enabled else { return "needs an enabled account" }
        func lacks(_ role: ChannelRole) -> String? {
            if let best = s.bestRole, best >= role { return nil }
            return "needs \(role.rawValue) on the channel"
        }
        switch r {
        case .anyone, .loggedIn: return nil
        case .admin: return s.isAdmin ? nil : "needs admin"
        case .sandboxAdmin: return s.isAdmin ? "sandbox only" : "needs admin; sandbox only"
        case .onConversation, .onChannel: return lacks(r.channelRole ?? .viewer)
        case .onChannelOrAdmin: return s.isAdmin ? nil : lacks(r.channelRole ?? .viewer)
        case .selfOrAdmin: return s.isAdmin ? nil : "about others: needs admin"
        }
    }

    /// How a free-text argument is written.
    static func freeTextHelp(_ name: String) -> [String] {
        [
            "\(name) is the rest of the line exactly as typed, from its first non-blank character: quotes,",
            "apostrophes, ;, #, -- and blanks included. Options therefore go before it (after a lone --,",
            "a text may begin with --). A line ending in \\ joins the next line to the text.",
            "\(name) in quotes (\"…\" or '…') is one word: after it the line goes on (options, ; and another",
            "command, # comment), and a bare word after it is refused: quote the whole text.",
        ]
    }

    static func detail(_ spec: CommandSpec, user: Standing) -> String {
        var out = ["usage: " + spec.usage, "", spec.summary + "."]
        if let text = spec.args.last, text.rest {
            out.append("")
            out += freeTextHelp(text.name)
        }
        if !spec.options.isEmpty {
            out.append("")
            out.append("options:")
            for o in spec.options {
                let shown = o.kind == nil ? "--\(o.name)" : "--\(o.name) \(o.valueName)"
                out.append("  " + shown.padding(toLength: 34, withPad: " ", startingAt: 0) + o.help)
            }
        }
        let role = (spec.requirement.channelRole ?? .viewer).rawValue
        switch spec.requirement {
        case .anyone, .loggedIn: break
        case .admin: out += ["", "needs: an admin account"]
        case .onConversation:
            out += ["", "needs: \(role) or higher on the conversation's channel"]
        case .onChannel: out += ["", "needs: \(role) or higher on the channel"]
        case .onChannelOrAdmin: out += ["", "needs: \(role) or higher on the channel, or an admin account"]
        case .sandboxAdmin: out += ["", "needs: an admin account, on a sandbox database"]
        case .selfOrAdmin: out += ["", "needs: an admin account, about another user"]
        }
        if let n = note(spec.requirement, user: user) { out.append("you: \(n)") }
        out += ["", "example:", "  " + spec.example]
        return out.joined(separator: "\n")
    }
}
