/// Reads the everyday shapes of parley's flags by hand, in one pass and without reflection:
/// `--name VALUE`, `--name=VALUE`, `-x VALUE`, the switches, and positional words. Anything else
/// (`--help`, `--version`, `--`, grouped or unknown options, a value that begins with `-`, a
/// combination `validate()` refuses) is left to `ProcessOptions`, which says what is wrong in the
/// same words as always: nil means "not an everyday shape", never "wrong".
enum FlagScanner {
    /// The options that take a value, by every name they answer to.
    enum Valued {
        case database, every, file, command, onError, asUser, output
    }

    /// The option a name stands for. A switch, not a dictionary: a start hashes no string.
    static func valued(_ name: Substring) -> Valued? {
        switch name {
        case "--db": return .database
        case "--every": return .every
        case "-f", "--file": return .file
        case "-c", "--command": return .command
        case "--on-error": return .onError
        case "--as": return .asUser
        case "-o", "--output": return .output
        default: return nil
        }
    }

    /// The flags, or nil when the arguments need `ProcessOptions`.
    static func scan(_ arguments: [String]) -> ProcessFlags? {
        var flags = ProcessFlags()
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("-") else {
                flags.words.append(argument)
                continue
            }
            switch argument {
            case "--json":
                flags.json = true
                continue
            case "-1", "--single-transaction":
                flags.singleTransaction = true
                continue
            default: break
            }
            let name: Substring
            let value: String
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = argument[..<equals]
                value = String(argument[argument.index(after: equals)...])
                guard !value.isEmpty else { return nil }
            } else {
                guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
                name = argument[...]
                value = arguments[i]
                i += 1
            }
            guard let option = valued(name) else { return nil }
            set(option, to: value, in: &flags)
        }
        do { try flags.validate() } catch { return nil }
        return flags
    }

    /// A repeated single-value option keeps its last value, as ProcessOptions does.
    static func set(_ option: Valued, to value: String, in flags: inout ProcessFlags) {
        switch option {
        case .database: flags.database = value
        case .every: flags.every = value
        case .file: flags.files.append(value)
        case .command: flags.commands.append(value)
        case .onError: flags.onError = value
        case .asUser: flags.asUser = value
        case .output: flags.outputFile = value
        }
    }
}
