import ParleyCore

/// The process flags as plain values (docs/PRODUCT.md, "The shell"): what the rest of the
/// executable reads, whichever parser filled them in.
struct ProcessFlags: Equatable {
    /// `--db`: a file path today; passed on as given, never resolved here.
    var database: String?
    /// The positional words: the database and/or `sync`.
    var words: [String] = []
    var every: String?
    var files: [String] = []
    var commands: [String] = []
    var json = false
    var onError: String?
    var asUser: String?
    var singleTransaction = false
    var outputFile: String?

    /// Whether the positional word `sync` asks for the sync mode.
    var syncMode: Bool { words.contains("sync") }

    /// The database: --db, or the positional word that is not the first `sync`.
    var databasePath: String? { database ?? positionalDatabases.first }

    var positionalDatabases: [String] {
        var rest = words
        if let i = rest.firstIndex(of: "sync") { rest.remove(at: i) }
        return rest
    }

    /// The sync interval, parsed.
    var syncEvery: TimeSpan? { every.flatMap { try? TimeSpan.parse($0) } }

    /// A combination of flags that each parsed but do not go together, or a value out of its set.
    struct Invalid: Error, Equatable {
        let message: String
    }

    /// Checks what the flags' definitions cannot: the values of --on-error and --every, one
    /// database, sync alone.
    func validate() throws(Invalid) {
        if let onError, onError != "stop" && onError != "continue" {
            throw Invalid(message: "--on-error takes stop or continue, not '\(onError)'")
        }
        let positional = positionalDatabases
        if positional.contains("-") {
            // `-` reads as "standard input" to users of other tools; a file named `-` would
            // surprise them. Standard input is already where commands come from without -f or -c.
            throw Invalid(
                message: "'-' is not a database: without -f or -c parley reads commands from standard input "
                    + "(or give -f -); a database file named - is given as --db - or ./-")
        }
        if positional.count > 1 {
            throw Invalid(
                message: "one database file, not \(positional.count): "
                    + positional.map { "'\($0)'" }.joined(separator: " "))
        }
        if let database, let other = positional.first {
            throw Invalid(message: "the database is given twice: --db '\(database)' and '\(other)'; give one")
        }
        if let every {
            guard syncMode else { throw Invalid(message: "--every goes with sync: parley [--db PATH] sync --every 5m") }
            guard (try? TimeSpan.parse(every)) != nil else {
                throw Invalid(message: "--every takes a duration like 90s, 15m or 1h, not '\(every)'")
            }
        }
        if syncMode && (!files.isEmpty || !commands.isEmpty || singleTransaction || outputFile != nil) {
            throw Invalid(message: "sync runs alone: not with -f, -c, -1 or -o")
        }
    }
}
