import ArgumentParser
import Foundation
import ParleyCore
import ParleyShell

/// The process flags (docs/PRODUCT.md, "The shell"). Scripts (-f) and commands (-c) run in the order given.
struct ProcessOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "parley: a social customer-service inbox and its admin shell.",
        usage: """
            parley [--db PATH | PATH] [-f SCRIPT]... [-c COMMAND]... [-1] [-o FILE] [--json] [--on-error MODE] [--as EMAIL]
            parley [--db PATH | PATH] sync [--every DURATION]
            parley db copy SOURCE TARGET
            """,
        discussion: """
            With no -f or -c, parley reads commands from standard input: an interactive shell at a terminal, \
            a script otherwise.
            `parley [--db PATH] sync` pulls new mentions and DMs of every connected X channel once; with \
            --every 5m it goes on in a loop until SIGTERM or Ctrl-C (for a service manager). A database file \
            named `sync` is given as --db sync or ./sync, one named - as --db - or ./-.
            Exit status: 0 when every command succeeded, 1 when one failed, 2 for bad flags or a database file \
            that is not parley's.
            Database: --db PATH or PATH, else $PARLEY_DB, else $XDG_DATA_HOME/parley/parley.db \
            (~/.local/share/parley/parley.db). PATH may be a PostgreSQL connection string instead of a file: \
            postgresql://USER@HOST/DB or libpq keywords (host=… dbname=…), with PGHOST, PGUSER, ~/.pgpass \
            and the other libpq conventions.
            `parley db copy SOURCE TARGET` copies an organisation between databases (a file and PostgreSQL), \
            checking every row; the target must be empty.
            """,
        version: "parley \(ParleyVersion.current)")

    @Option(
        name: .customLong("db"),
        help: ArgumentHelp(
            "The database file (or give it as the one positional word).",
            valueName: "PATH"))
    var database: String?

    @Argument(help: ArgumentHelp("The database file, and/or `sync` for the X sync mode.", valueName: "PATH|sync"))
    var words: [String] = []

    @Option(
        name: .customLong("every"),
        help: ArgumentHelp(
            "With sync: sync again after each DURATION (90s, 5m, 1h).",
            valueName: "DURATION"))
    var every: String?

    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp("Run a script file (- for standard input). Repeatable.", valueName: "SCRIPT"))
    var files: [String] = []

    @Option(
        name: [.customShort("c"), .customLong("command")],
        help: ArgumentHelp("Run a command line. Repeatable.", valueName: "COMMAND"))
    var commands: [String] = []

    @Flag(name: .customLong("json"), help: "Print one JSON document per command.")
    var json = false

    @Option(
        name: .customLong("on-error"), help: ArgumentHelp("stop (default for scripts) or continue.", valueName: "MODE"))
    var onError: String?

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Start the session as this user, without a password.", valueName: "EMAIL"))
    var asUser: String?

    @Flag(
        name: [.customShort("1"), .customLong("single-transaction")],
        help: "Run all of -f, -c and standard input as one transaction: any failure keeps nothing.")
    var singleTransaction = false

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp(
            "Write results to FILE (truncated; created mode 0600); errors stay on stderr.",
            valueName: "FILE"))
    var outputFile: String?

    /// The parsed values, for the rest of the executable.
    var flags: ProcessFlags {
        ProcessFlags(
            database: database, words: words, every: every, files: files, commands: commands, json: json,
            onError: onError, asUser: asUser, singleTransaction: singleTransaction, outputFile: outputFile)
    }

    func validate() throws {
        do { try flags.validate() } catch { throw ValidationError(error.message) }
    }

    /// The flags of `arguments`: the everyday shapes read by `FlagScanner`, the rest by
    /// swift-argument-parser (whose reflection over the definitions costs a start a millisecond).
    /// Prints help or the version and exits 0, or says what is wrong and exits 2.
    static func flags(_ arguments: [String]) -> ProcessFlags {
        if let flags = FlagScanner.scan(arguments) { return flags }
        do {
            return try parse(arguments).flags
        } catch {
            if exitCode(for: error) == .success {
                // --help and --version.
                print(TerminalText.escapedLines(fullMessage(for: error)))
                Foundation.exit(0)
            }
            // A bad invocation is one line: what is wrong, and where the flags are listed.
            let said = TerminalText.escaped(message(for: error))
            FileHandle.standardError.write(Data("parley: \(said) (`parley --help` lists the flags)\n".utf8))
            Foundation.exit(2)
        }
    }

    /// -f and -c in the order they were given on the command line.
    static func orderedInputs(_ arguments: [String]) -> [(isFile: Bool, value: String)] {
        var out: [(Bool, String)] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "-f" || a == "--file" || a == "-c" || a == "--command", i + 1 < arguments.count {
                out.append((a == "-f" || a == "--file", arguments[i + 1]))
                i += 2
                continue
            }
            for (prefix, isFile) in [("--file=", true), ("--command=", false)] where a.hasPrefix(prefix) {
                out.append((isFile, String(a.dropFirst(prefix.count))))
            }
            if a.hasPrefix("-f") && a.count > 2 && !a.hasPrefix("--") { out.append((true, String(a.dropFirst(2)))) }
            if a.hasPrefix("-c") && a.count > 2 && !a.hasPrefix("--") { out.append((false, String(a.dropFirst(2)))) }
            if a == "--" { break }
            if ["--db", "--on-error", "--as", "-o", "--output", "--every"].contains(a) {
                i += 2
                continue
            }
            i += 1
        }
        return out
    }

    /// The default database path.
    static func defaultDatabasePath(_ env: [String: String]) -> String {
        if let p = env["PARLEY_DB"], !p.isEmpty { return p }
        return dataDirectory(env) + "/parley.db"
    }

    /// `$XDG_DATA_HOME/parley`, else `~/.local/share/parley`.
    static func dataDirectory(_ env: [String: String]) -> String {
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return x + "/parley" }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/parley"
    }
}
