import ArgumentParser
import Foundation

/// The process flags (docs/PRODUCT.md, "The shell"). Scripts (-f) and commands (-c) run in the order given.
struct ProcessOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "parley: a social customer-service inbox and its admin shell.",
        discussion: """
        With no -f or -c, parley reads commands from standard input: an interactive shell at a terminal,
        a script otherwise. Exit status: 0 when every command succeeded, 1 when one failed, 2 for bad flags
        or a database file that is not parley's.
        Database: --db, else $PARLEY_DB, else $XDG_DATA_HOME/parley/parley.db (~/.local/share/parley/parley.db).
        """)

    @Option(name: .customLong("db"), help: ArgumentHelp("The database file.", valueName: "PATH"))
    var database: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("Run a script file (- for standard input). Repeatable.", valueName: "SCRIPT"))
    var files: [String] = []

    @Option(name: [.customShort("c"), .customLong("command")], help: ArgumentHelp("Run a command line. Repeatable.", valueName: "COMMAND"))
    var commands: [String] = []

    @Flag(name: .customLong("json"), help: "Print one JSON document per command.")
    var json = false

    @Option(name: .customLong("on-error"), help: ArgumentHelp("stop (default for scripts) or continue.", valueName: "MODE"))
    var onError: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Start the session as this user, without a password.", valueName: "EMAIL"))
    var asUser: String?

    func validate() throws {
        if let onError, onError != "stop" && onError != "continue" {
            throw ValidationError("--on-error takes stop or continue, not '\(onError)'")
        }
    }

    /// -f and -c in the order they were given on the command line.
    static func orderedInputs(_ arguments: [String]) -> [(isFile: Bool, value: String)] {
        var out: [(Bool, String)] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if (a == "-f" || a == "--file" || a == "-c" || a == "--command"), i + 1 < arguments.count {
                out.append((a == "-f" || a == "--file", arguments[i + 1])); i += 2; continue
            }
            for (prefix, isFile) in [("--file=", true), ("--command=", false)] where a.hasPrefix(prefix) {
                out.append((isFile, String(a.dropFirst(prefix.count))))
            }
            if a.hasPrefix("-f") && a.count > 2 && !a.hasPrefix("--") { out.append((true, String(a.dropFirst(2)))) }
            if a.hasPrefix("-c") && a.count > 2 && !a.hasPrefix("--") { out.append((false, String(a.dropFirst(2)))) }
            if a == "--" { break }
            if ["--db", "--on-error", "--as"].contains(a) { i += 2; continue }
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
