import ParleyCore

/// Matches words against the command table and sorts them into arguments and options.
package struct CommandParser: Sendable {
    package let table: CommandTable

    /// The most words a command's name takes (`team member add`).
    let deepestPath: Int

    package init(table: CommandTable) {
        self.table = table
        self.deepestPath = table.commands.map(\.path.count).max() ?? 0
    }

    /// Splits a command line (one or more physical lines joined by `\n`) into commands. Words are
    /// read one at a time; when a command's next word is its free text and does not begin with a
    /// quote, the text is the rest of the physical line as typed, `;`, `#` and quotes included.
    package func commands(in line: String) -> Tokenizer.Outcome {
        var scanner = Tokenizer.Scanner(line)
        var commands: [[Word]] = []
        var words: [Word] = []
        var tracker = FreeTextTracker(parser: self)
        while true {
            let token: Tokenizer.Token
            if let endOfOptions = tracker.textFollows(words), takesFreeText(&scanner, endOfOptions: endOfOptions) {
                token = scanner.restOfLine()
            } else {
                token = scanner.next()
            }
            switch token {
            case .word(let word):
                words.append(word)
            case .separator:
                if !words.isEmpty { commands.append(words) }
                words = []
            case .end:
                if !words.isEmpty { commands.append(words) }
                return .complete(commands)
            case .incomplete(let why):
                return .incomplete(why)
            }
        }
    }

    /// Whether the unread text, at a place where free text may begin, is unquoted free text: not
    /// the end, a `;`, a quoted text, or (before a lone `--`) an option.
    func takesFreeText(_ scanner: inout Tokenizer.Scanner, endOfOptions: Bool) -> Bool {
        guard let first = scanner.peek() else { return false }
        if first == ";" || first == "\"" || first == "'" { return false }
        return endOfOptions || !scanner.startsWith("--")
    }

    /// Follows a command's words as they are read, to tell where its free text begins: when the
    /// next word, unless it is an option, would be the text. Each word is looked at once.
    /// Lenient: an unknown option counts as a switch, so that a command refused later still takes
    /// its text whole and the next command on the line is found where the text ends.
    struct FreeTextTracker {
        let parser: CommandParser
        var spec: CommandSpec? = nil
        var classified = 0
        var positional = 0
        var endOfOptions = false
        var valueDue = false

        init(parser: CommandParser) { self.parser = parser }

        /// Whether a lone `--` already ended the options, when free text may come next; else nil.
        mutating func textFollows(_ words: [Word]) -> Bool? {
            // The command's name is settled once a word past the deepest command path is read.
            if words.count <= parser.deepestPath + 1 {
                self = FreeTextTracker(parser: parser)
                classified = words.count
                guard !words.isEmpty, let (found, used) = parser.quickMatch(words.map(\.text)) else { return nil }
                guard let last = found.args.last, last.rest else { return nil }
                spec = found
                classified = used
            }
            guard let spec else { return nil }
            while classified < words.count {
                classify(words[classified], spec: spec)
                classified += 1
            }
            if valueDue { return nil }
            return positional == spec.args.count - 1 ? endOfOptions : nil
        }

        mutating func classify(_ w: Word, spec: CommandSpec) {
            if valueDue {
                valueDue = false
                return
            }
            let bare = !w.quoted && !w.verbatim
            if !endOfOptions && bare && w.text == "--" {
                endOfOptions = true
            } else if !endOfOptions && bare && w.text.hasPrefix("--") && w.text.count > 2 {
                let name = String(w.text.dropFirst(2))
                // The option's value is the next word.
                valueDue = !name.contains("=") && spec.option(named: name)?.kind != nil
            } else {
                positional += 1
            }
        }
    }

    /// The spec the words name, and how many words the command's name took.
    package func match(_ words: [String]) throws -> (CommandSpec, Int) {
        if let found = quickMatch(words) { return found }
        return try matchExplaining(words)
    }

    /// The usual case in a few dictionary lookups: the longest command name the words begin with.
    /// Nil where only the slow path can say what was meant (`clock advanc 3d`) or nothing matches.
    func quickMatch(_ words: [String]) -> (CommandSpec, Int)? {
        var name = ""
        var depth = 0
        var best: (index: Int, depth: Int)? = nil
        while depth < words.count {
            let next = depth == 0 ? words[0].lowercased() : name + " " + words[depth].lowercased()
            guard table.namePrefixes.contains(next) else { break }
            name = next
            depth += 1
            if let i = table.positions[name] { best = (i, depth) }
        }
        guard let best else { return nil }
        let spec = table.commands[best.index]
        let mayMisspellSubcommand =
            best.depth == depth && depth < words.count && spec.args.isEmpty
            && table.namesWithSubcommands.contains(name) && !words[depth].hasPrefix("--")
        return mayMisspellSubcommand ? nil : (spec, best.depth)
    }

    /// `match` word by word over the whole table, with the errors that say what exists.
    func matchExplaining(_ words: [String]) throws -> (CommandSpec, Int) {
        guard let first = words.first else { throw ParleyError.usage("empty command") }
        var depth = 0
        var candidates = table.commands
        var best: (CommandSpec, Int)? = nil
        while depth < words.count {
            let w = words[depth].lowercased()
            let next = candidates.filter { $0.path.count > depth && $0.path[depth] == w }
            if next.isEmpty { break }
            candidates = next
            depth += 1
            if let exact = candidates.first(where: { $0.path.count == depth }) { best = (exact, depth) }
        }
        if depth == 0 {
            throw ParleyError.usage(
                "unknown command '\(first)'"
                    + Suggest.didYouMean(first, among: table.topWords) + "; `help` lists the commands")
        }
        let prefix = words.prefix(depth).joined(separator: " ").lowercased()
        let subs = Array(Set(candidates.compactMap { $0.path.count > depth ? $0.path[depth] : nil })).sorted()
        if let best {
            // `clock advanc 3d`: a word that is no argument of the shorter command but
            // looks like one of its subcommands.
            if best.1 == depth, depth < words.count, !subs.isEmpty, best.0.args.isEmpty,
                !words[depth].hasPrefix("--")
            {
                throw ParleyError.usage(
                    "unknown command '\(prefix) \(words[depth])'"
                        + Suggest.didYouMean(words[depth], among: subs) + ": `\(prefix)` takes "
                        + subs.joined(separator: ", "))
            }
            return best
        }
        if depth < words.count {
            let word = words[depth]
            throw ParleyError.usage(
                "unknown command '\(prefix) \(word)'"
                    + Suggest.didYouMean(word, among: subs) + ": `\(prefix)` takes " + subs.joined(separator: ", "))
        }
        throw ParleyError.usage("`\(prefix)` needs one of: " + subs.joined(separator: ", ") + " (see `help \(prefix)`)")
    }

    package func parse(_ words: [Word]) throws -> Invocation {
        // SQLite text bound from Swift ends at a NUL: a word holding one would be stored (or
        // looked up) cut short. A NUL can only come from a script or a pipe; refuse it whole.
        if words.contains(where: { $0.text.unicodeScalars.contains("\u{0}") }) {
            throw ParleyError.invalidValue(
                "the command holds a NUL character (byte 0), which parley cannot store: nothing was run")
        }
        let (spec, used) = try match(words.map(\.text))
        let scan = try scanOptions(words, from: used, spec: spec)
        let args = try bindArguments(scan.positional, spec: spec)
        return Invocation(spec: spec, args: args, options: scan.options, flags: scan.flags)
    }

    /// The words after the command's name, sorted into options (`--name value`, `--name=value`),
    /// switches and positional words. `--` ends the options; a quoted word is never an option.
    func scanOptions(_ words: [Word], from start: Int, spec: CommandSpec) throws
        -> (positional: [Word], options: [String: String], flags: Set<String>)
    {
        var positional: [Word] = []
        var options: [String: String] = [:]
        var flags = Set<String>()
        var i = start
        var endOfOptions = false
        while i < words.count {
            let w = words[i]
            let bare = !w.quoted && !w.verbatim
            if !endOfOptions && bare && w.text == "--" {
                endOfOptions = true
                i += 1
                continue
            }
            guard !endOfOptions && bare && w.text.hasPrefix("--") && w.text.count > 2 else {
                positional.append(w)
                i += 1
                continue
            }
            var name = String(w.text.dropFirst(2))
            var inlineValue: String? = nil
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            let opt = try option(named: name, of: spec)
            if opt.kind == nil {
                if try switchValue(inlineValue, name: name) { flags.insert(name) } else { flags.remove(name) }
                i += 1
                continue
            }
            let value: String
            if let v = inlineValue {
                value = v
                i += 1
            } else {
                guard i + 1 < words.count else { throw ParleyError.usage("--\(name) needs a value: \(opt.valueName)") }
                value = words[i + 1].text
                i += 2
            }
            if options[name] != nil { throw ParleyError.usage("--\(name) is given twice") }
            options[name] = try choice(value, of: opt.kind?.choices, what: "--\(name)")
        }
        return (positional, options, flags)
    }

    /// The command's option of that name, or an error listing the ones it has.
    func option(named name: String, of spec: CommandSpec) throws -> OptionSpec {
        if let opt = spec.option(named: name) { return opt }
        let known = spec.options.map { "--" + $0.name }
        throw ParleyError.usage(
            "`\(spec.name)` has no option --\(name)"
                + Suggest.didYouMean("--" + name, among: known)
                + (known.isEmpty ? "" : "; its options: " + known.joined(separator: " "))
                + (spec.args.last?.rest == true
                    ? "; a text that begins with -- goes after a lone --"
                        + " (`\(spec.name) … -- --text`) or in quotes" : ""))
    }

    /// A switch is on when given bare or as `--x=on|yes|true`, off as `--x=off|no|false`.
    func switchValue(_ inline: String?, name: String) throws -> Bool {
        guard let v = inline?.lowercased() else { return true }
        if ["on", "yes", "true"].contains(v) { return true }
        if ["off", "no", "false"].contains(v) { return false }
        throw ParleyError.usage("--\(name) takes no value")
    }

    /// A value among fixed choices (lowercased), or the value as typed when there are none.
    func choice(_ value: String, of choices: [String]?, what: String) throws -> String {
        guard let choices else { return value }
        guard choices.contains(value.lowercased()) else {
            throw ParleyError.invalidValue(
                "\(what) takes \(choices.joined(separator: "|")), not '\(value)'"
                    + Suggest.didYouMean(value, among: choices))
        }
        return value.lowercased()
    }

    /// The positional words given to the command's arguments in order: the last may take every
    /// remaining word (variadic) or the free text.
    func bindArguments(_ positional: [Word], spec: CommandSpec) throws -> [String: [String]] {
        var args: [String: [String]] = [:]
        var p = 0
        for (index, a) in spec.args.enumerated() {
            let isLast = index == spec.args.count - 1
            if p >= positional.count {
                if a.optional { continue }
                throw ParleyError.usage("`\(spec.name)` needs \(a.name): usage: \(spec.usage)")
            }
            if a.rest && isLast {
                args[a.name] = [try freeText(positional[p...], arg: a, spec: spec)]
                p = positional.count
            } else if a.variadic && isLast {
                args[a.name] = positional[p...].map(\.text)
                p = positional.count
            } else {
                args[a.name] = [try choice(positional[p].text, of: a.kind.choices, what: a.name)]
                p += 1
            }
        }
        if p < positional.count {
            let extra = positional[p...].map { "'\($0.text)'" }.joined(separator: " ")
            throw ParleyError.usage(
                "`\(spec.name)` got too many arguments (\(extra)): usage: \(spec.usage)"
                    + (positional[p...].contains { $0.text.contains(" ") == false && spec.args.last?.kind == .text }
                        ? "" : "; quote text that has blanks"))
        }
        return args
    }

    /// The free text, exactly as typed: the rest of the line, or one quoted word. A quoted text
    /// followed by more words, or whose word goes on past its closing quote, would lose blanks or
    /// quotes if it were joined: it is refused, saying how to write it.
    func freeText(_ words: ArraySlice<Word>, arg: ArgSpec, spec: CommandSpec) throws -> String {
        let first = words[words.startIndex]
        let howTo =
            "put the whole text in one pair of quotes (`\(spec.example)`), or leave it unquoted:"
            + " then it is the rest of the line as typed, options before it; nothing was run"
        if words.count > 1 {
            let extra = words.dropFirst().map { "'\($0.text)'" }.joined(separator: " ")
            if first.quoted {
                throw ParleyError.usage("\(arg.name) began in quotes, and \(extra) follows the closing quote: " + howTo)
            }
            throw ParleyError.usage(
                "\(arg.name) is the rest of its line, and \(extra) follows on the next line:"
                    + " end a line with \\ to join the next one to the text, or quote the text; nothing was run")
        }
        if first.pastQuote {
            throw ParleyError.usage("\(arg.name) began in quotes and goes on past the closing quote: " + howTo)
        }
        return first.text
    }
}
