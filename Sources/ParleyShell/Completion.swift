import Foundation
import ParleyCore
import ParleyStore

/// What Tab does: replace the text from `replaceFrom` (a Character offset) to the cursor with
/// `insertion`; `candidates` are what a second Tab lists.
package struct Completion: Equatable, Sendable {
    package var replaceFrom: Int
    package var insertion: String
    package var candidates: [String]
    /// True when exactly one candidate was completed whole: a blank may follow.
    package var complete: Bool
    package init(replaceFrom: Int, insertion: String, candidates: [String], complete: Bool) {
        self.replaceFrom = replaceFrom
        self.insertion = insertion
        self.candidates = candidates
        self.complete = complete
    }
}

/// Context-aware completion from the command table the parser uses: command words, options,
/// option values, and live names from the database that the logged-in user may see.
package struct Completer {
    package let shell: Shell
    /// At most this many names are read from the database for one Tab.
    package var limit = 200

    package init(shell: Shell) { self.shell = shell }

    package func complete(line: String, cursor: Int) -> Completion {
        let partial = Tokenizer.partial(line, cursor: cursor)
        let words = partial.words.map(\.text)
        let current = partial.current
        let candidates = self.candidates(words: words, current: current).filter {
            $0.hasPrefix(current) || caseInsensitivePrefix($0, current)
        }
        var unique: [String] = []
        var seen = Set<String>()
        for c in candidates where seen.insert(c).inserted { unique.append(c) }
        return reply(unique, current: current, start: partial.start, openQuote: partial.openQuote)
    }

    func caseInsensitivePrefix(_ s: String, _ p: String) -> Bool { s.lowercased().hasPrefix(p.lowercased()) }

    func reply(_ candidates: [String], current: String, start: Int, openQuote: Character?) -> Completion {
        guard !candidates.isEmpty else {
            return Completion(replaceFrom: start, insertion: "", candidates: [], complete: false)
        }
        if candidates.count == 1 {
            // A folder is a step on the way: its quote stays open and no blank follows, so Tab goes on inside it.
            let whole = !isFolder(candidates[0])
            let insertion = quoted(candidates[0], openQuote: openQuote, closing: whole)
            return Completion(replaceFrom: start, insertion: insertion, candidates: candidates, complete: whole)
        }
        let common = commonPrefix(candidates)
        let text = common.count > current.count ? common : current
        // Keep what was typed (and its quote) when nothing longer is shared.
        let insertion =
            text == current && openQuote == nil && !needsQuoting(text)
            ? "" : quoted(text, openQuote: openQuote, closing: false)
        return Completion(replaceFrom: start, insertion: insertion, candidates: candidates.sorted(), complete: false)
    }

    func needsQuoting(_ s: String) -> Bool { !s.isEmpty && Tokenizer.quote(s) != s }

    /// The text as it must be typed: quoted when it holds blanks or specials; closed when whole.
    func quoted(_ s: String, openQuote: Character?, closing: Bool) -> String {
        if openQuote == nil && !needsQuoting(s) { return s }
        let q: Character = openQuote ?? "\""
        var out = String(q)
        for ch in s {
            if q == "\"" && (ch == "\"" || ch == "\\" || ch == "$" || ch == "`") { out.append("\\") }
            if q == "'" && ch == "'" { return Tokenizer.quote(s) }
            out.append(ch)
        }
        if closing { out.append(q) }
        return out
    }

    func commonPrefix(_ items: [String]) -> String {
        guard var prefix = items.first.map(Array.init) else { return "" }
        for item in items.dropFirst() {
            let a = Array(item)
            var n = 0
            while n < prefix.count && n < a.count && prefix[n] == a[n] { n += 1 }
            prefix = Array(prefix.prefix(n))
        }
        return String(prefix)
    }

    // MARK: What fits here

    func candidates(words: [String], current: String) -> [String] {
        let table = shell.table
        let lowered = words.map { $0.lowercased() }
        // Still naming the command?
        let deeper = table.commands.filter {
            $0.path.count > lowered.count && Array($0.path.prefix(lowered.count)) == lowered
        }
        let spec = longestMatch(lowered)
        if spec == nil
            || (spec!.path.count == lowered.count && !deeper.isEmpty && spec!.args.isEmpty && !current.hasPrefix("-"))
        {
            var names = deeper.map { $0.path[lowered.count] }
            if words.isEmpty {
                names = table.topWords
                // `.quit`, `.help`: offered once a `.` is typed (the backslash forms are typed whole).
                if current.hasPrefix(".") { names += CommandTable.aliases.keys.filter { $0.hasPrefix(".") } }
            }
            if let spec, spec.path.count == lowered.count, current.hasPrefix("-") {
                names = spec.options.map { "--" + $0.name }
            }
            return uniqueSorted(names)
        }
        guard let spec else { return [] }
        let rest = Array(words.dropFirst(spec.path.count))
        // The value of an option?
        if let last = rest.last, last.hasPrefix("--"), !last.contains("="),
            let opt = spec.option(named: String(last.dropFirst(2))), let kind = opt.kind
        {
            return values(kind, current: current, optionName: opt.name)
        }
        if current.hasPrefix("--"), let eq = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<eq])
            if let opt = spec.option(named: name), let kind = opt.kind {
                let prefix = String(current[...eq])
                return values(kind, current: String(current[current.index(after: eq)...]), optionName: name).map {
                    prefix + $0
                }
            }
        }
        if current.hasPrefix("-") {
            let used = Set(
                rest.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).split(separator: "=").first ?? "") })
            return spec.options.filter { !used.contains($0.name) }.map { "--" + $0.name }
        }
        // A positional argument: count the positional words so far.
        var positional = 0
        var i = 0
        while i < rest.count {
            let w = rest[i]
            if w.hasPrefix("--"), let opt = spec.option(named: String(w.dropFirst(2))) {
                i += opt.kind == nil ? 1 : 2
                continue
            }
            positional += 1
            i += 1
        }
        guard !spec.args.isEmpty else { return [] }
        let index = min(positional, spec.args.count - 1)
        let arg = spec.args[index]
        if positional >= spec.args.count && !(arg.variadic || arg.rest) { return [] }
        if arg.kind == .tag && spec.name == "conversation untag", let n = rest.first {
            return
                (try? shell.session.database.withConnection { db in
                    try Visibility(db: db, user: shell.session.user).tags(ofConversation: n)
                }) ?? []
        }
        return values(
            arg.kind, current: current, optionName: nil,
            allowMe: spec.path.first == "conversation" || spec.name == "user password")
    }

    func longestMatch(_ words: [String]) -> CommandSpec? {
        var best: CommandSpec?
        for spec in shell.table.commands
        where spec.path.count <= words.count && Array(words.prefix(spec.path.count)) == spec.path {
            if best == nil || spec.path.count > best!.path.count { best = spec }
        }
        return best
    }

    func uniqueSorted(_ items: [String]) -> [String] { Array(Set(items)).sorted() }

    /// Values of a kind, from fixed choices or the database.
    func values(_ kind: ValueKind, current: String, optionName: String?, allowMe: Bool = false) -> [String] {
        if let choices = kind.choices { return choices }
        switch kind {
        case .onOff: return ["on", "off"]
        case .durationOrOff: return ["off", "1h", "1d", "3d", "7d", "30d"]
        case .file: return files(current)
        case .text, .newEmail, .duration, .number, .handle:
            return []
        default: break
        }
        let session = shell.session
        let limit = self.limit
        // The same Visibility the commands resolve names with: Tab offers what the user could list.
        let names: [String] =
            (try? session.database.withConnection { db -> [String] in
                let sight = Visibility(db: db, user: session.user)
                guard let user = session.user, user.enabled else { return [] }
                switch kind {
                case .user, .userOrNone:
                    var out = try sight.emails(prefix: current, limit: limit)
                    if allowMe || optionName == "owner" { out = ["me"] + out }
                    if optionName == "owner" { out.append("none") }
                    return out
                case .team: return try sight.teamNames(prefix: current, limit: limit)
                case .topic: return try sight.topicNames(prefix: current, limit: limit)
                case .tag: return try sight.tagNames(prefix: current, limit: limit)
                case .channel, .conversationOrChannel:
                    if sight.seesWholeOrganisation {
                        return try ChannelRepository.names(db, prefix: current, limit: limit)
                    }
                    return try sight.roleChannels().flatMap { [$0.atHandle, $0.displayName] }
                case .conversation:
                    return try ConversationRepository.ids(
                        db, channelIDs: sight.roleChannelIDs(), prefix: current, limit: limit
                    )
                    .map(String.init)
                default: return []
                }
            }) ?? []
        return names
    }

    /// A file candidate naming a folder: it ends in `/` and is one on disk.
    func isFolder(_ candidate: String) -> Bool {
        guard candidate.hasSuffix("/") else { return false }
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: expandingHome(candidate), isDirectory: &isDir) && isDir.boolValue
    }

    /// `~/` stands for $HOME (as the shell that started parley sees it), else the account's home.
    func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        let home = shell.session.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + path.dropFirst(1)
    }

    /// File names under the folder of the typed path; folders end in `/`.
    func files(_ current: String) -> [String] {
        let expanded = expandingHome(current)
        let dir: String
        let prefixPart: String
        if let slash = expanded.lastIndex(of: "/") {
            dir = String(expanded[...slash])
            prefixPart = String(current[...(current.lastIndex(of: "/")!)])
        } else {
            dir = "./"
            prefixPart = ""
        }
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return items.filter {
            !$0.hasPrefix(".") || current.hasSuffix("/.")
                || (current.split(separator: "/").last?.hasPrefix(".") ?? false)
        }
        .sorted().prefix(limit).map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + name, isDirectory: &isDir)
            return prefixPart + name + (isDir.boolValue ? "/" : "")
        }
    }
}
