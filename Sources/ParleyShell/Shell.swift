import Foundation
import ParleyCore
import ParleyStore

/// Runs command lines against a session: parsing, the auto-resolve sweep, one transaction per
/// command, output in the session's format, errors with their location.
package final class Shell {
    package let session: Session
    package let table: CommandTable
    let parser: CommandParser
    /// How many commands failed so far (the process exits 1 when any did).
    package private(set) var failures = 0
    /// Set when a failure ends the run (`--on-error stop`) or `exit` was asked.
    package private(set) var stopRequested = false
    /// Set by `exit`/`quit`.
    package internal(set) var exitRequested = false
    /// Whether the open transaction (if any) was opened by `begin`.
    package internal(set) var userTransactionOpen = false
    /// Asked between two commands: true when the person pressed Ctrl-C (the executable wires
    /// it to its SIGINT flag). The command running then finishes, or rolls back whole.
    package var interruptCheck: () -> Bool = { false }
    /// Shows a command's output through a pager when it is too long for the terminal; returns
    /// whether it did (else the shell prints it). Set by the executable at a terminal.
    package var pager: ((String) -> Bool)?
    /// Set when Ctrl-C stopped a script or a line; `clearInterrupt()` makes the shell ready again.
    package private(set) var interrupted = false

    var interruptReported = false
    /// The scripts running, outermost first: the name errors use, the file (nil for -c and
    /// standard input) and the file's real path, which tells a script sourcing itself.
    var scripts: [(name: String, path: String?, realPath: String?)] = []
    /// How many times a script sourcing itself was refused: the refusal is said once, and the
    /// `source` lines that led to it fail without a line of their own.
    var sourceCycles = 0
    /// Set by an `exit` refused once because a transaction was open: the next one leaves.
    var exitConfirmed = false

    /// After an interrupted line at the prompt: the next line runs again.
    package func clearInterrupt() {
        interrupted = false
        interruptReported = false
        stopRequested = false
    }

    /// 20000 → "20,000".
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// The prompt: the session's, with `*` while a transaction opened by `begin` is open.
    package var prompt: String {
        let base = session.prompt
        guard userTransactionOpen, base.hasSuffix("> ") else { return base }
        return String(base.dropLast(2)) + "*> "
    }

    package init(session: Session, table: CommandTable = .standard) {
        self.session = session
        self.table = table
        self.parser = CommandParser(table: table)
    }

    /// Runs one complete logical line (commands separated by `;`). Returns whether all succeeded.
    @discardableResult
    package func execute(line: String, location: String? = nil) -> Bool {
        execute(parser.commands(in: Shell.expandingBackslashAlias(line)), location: location)
    }

    /// Runs a line already split into commands by `parser.commands(in:)`.
    func execute(_ outcome: Tokenizer.Outcome, location: String?) -> Bool {
        switch outcome {
        case .incomplete(.openQuote(let q)):
            return fail(ParleyError.usage("unterminated quote: a \(q) was opened and never closed"), location: location)
        case .incomplete(.continuation):
            return fail(ParleyError.usage("the line ends in \\ but nothing follows"), location: location)
        case .complete(let commands):
            var allSucceeded = true
            for (index, var words) in commands.enumerated() {
                if let first = words.first, !first.quoted { words[0].text = CommandTable.resolvingAlias(first.text) }
                // Ctrl-C stops between two commands of the line; a line once begun runs its first.
                if index > 0 && (interrupted || interruptCheck()) {
                    interrupted = true
                    stopRequested = true
                    return false
                }
                if session.echo {
                    session.io.out(session.prompt + words.map { Tokenizer.quote($0.text) }.joined(separator: " "))
                }
                let timed = session.timing
                let started = DispatchTime.now().uptimeNanoseconds
                let succeeded = run(words, location: location)
                if timed && session.timing {
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                    session.io.err("Time: " + String(format: "%.3f", ms) + " ms")
                }
                if !succeeded {
                    allSucceeded = false
                    if session.onError == .stop {
                        stopRequested = true
                        return false
                    }
                }
                if exitRequested {
                    stopRequested = true
                    return allSucceeded
                }
            }
            return allSucceeded
        }
    }

    /// `\q` and `\?` at the start of a line, as psql reads them: the tokenizer would take the
    /// backslash for an escape, so the word is swapped for its command before tokenizing.
    static func expandingBackslashAlias(_ line: String) -> String {
        backslashAliasExpansion(line) ?? line
    }

    /// The line with its leading `\q` or `\?` swapped for the command, or nil when it has none.
    static func backslashAliasExpansion(_ line: String) -> String? {
        let body = line.drop { $0 == " " || $0 == "\t" }
        guard body.first == "\\" else { return nil }
        for (alias, command) in CommandTable.aliases where alias.hasPrefix("\\") && body.hasPrefix(alias) {
            let rest = body.dropFirst(alias.count)
            if let next = rest.first, next != " " && next != "\t" && next != ";" && next != "\n" { continue }
            return command + rest
        }
        return nil
    }

    /// Whether the text so far is a whole command line or needs more lines.
    package func needsMore(_ text: String) -> Tokenizer.Incomplete? {
        if case .incomplete(let why) = parser.commands(in: text) { return why }
        return nil
    }

    /// Whether a line must stay out of the history file (it holds a secret).
    package func isSecret(_ line: String) -> Bool {
        guard case .complete(let commands) = parser.commands(in: line) else { return false }
        for words in commands {
            if let (spec, _) = try? parser.match(words.map(\.text)), spec.secret { return true }
        }
        let lowered = line.lowercased()
        return lowered.contains("code=") || lowered.contains("oauth_verifier") || lowered.contains("password")
    }

    /// Runs a script to its end (or its first failure with `--on-error stop`).
    /// Returns whether every command succeeded.
    @discardableResult
    package func runScript(_ source: LineSource, name: String) -> Bool {
        var pending = ""
        var pendingStart = 0
        var lineNumber = 0
        var ok = true
        let transactionAtStart = userTransactionOpen
        var commandLines = 0
        let file = (source as? FileLineSource)?.path
        scripts.append((name, file, file.flatMap(Shell.realPath)))
        defer { scripts.removeLast() }
        while !stopRequested, let read = source.next() {
            if interruptCheck() {
                interrupted = true
                stopRequested = true
                break
            }
            lineNumber += 1
            switch read {
            case .invalidUTF8:
                ok =
                    fail(
                        ParleyError.invalidValue("line is not valid UTF-8: nothing on it was run"),
                        location: "\(name):\(lineNumber)") && ok
                pending = ""
                if session.onError == .stop { stopRequested = true }
                continue
            case .tooLong(let n):
                ok =
                    fail(
                        ParleyError.invalidValue(
                            "line is \(n) bytes long; parley reads lines of at most \(maximumLineBytes) bytes: nothing on it was run"
                        ),
                        location: "\(name):\(lineNumber)") && ok
                pending = ""
                if session.onError == .stop { stopRequested = true }
                continue
            case .line(let text):
                if pending.isEmpty {
                    pendingStart = lineNumber
                    pending = text
                } else {
                    pending += "\n" + text
                }
                if pending.utf8.count > maximumLineBytes {
                    ok =
                        fail(
                            ParleyError.invalidValue(
                                "command is longer than \(maximumLineBytes) bytes: nothing of it was run"),
                            location: "\(name):\(pendingStart)") && ok
                    pending = ""
                    if session.onError == .stop { stopRequested = true }
                    continue
                }
                // Split once: the split that says the command is whole is the one that runs
                // (a line that begins with `\q` or `\?` is split again with the alias swapped in).
                let outcome = parser.commands(in: pending)
                if case .incomplete = outcome { continue }
                let line = pending
                pending = ""
                session.remember(line)
                commandLines += 1
                let location = "\(name):\(pendingStart)"
                let succeeded =
                    Shell.backslashAliasExpansion(line).map { execute(line: $0, location: location) }
                    ?? execute(outcome, location: location)
                if !succeeded { ok = false }
            }
        }
        if interrupted {
            reportInterruption(source, name: name, commandLines: commandLines)
            return false
        }
        return finishScript(
            name: name, unfinished: pending.isEmpty ? nil : (pending, pendingStart),
            transactionAtStart: transactionAtStart) && ok
    }

    /// The end of a script's input: a command left open (a quote, a trailing `\\`) fails, and a
    /// `begin` the script opened and did not commit is rolled back. Returns whether all was well.
    func finishScript(name: String, unfinished: (text: String, line: Int)?, transactionAtStart: Bool) -> Bool {
        var ok = true
        if let unfinished, !stopRequested {
            let message: String
            if case .openQuote(let q)? = needsMore(unfinished.text) {
                message = "unterminated quote: a \(q) was opened and never closed"
            } else {
                message = "the script ends in \\ but nothing follows"
            }
            ok = fail(ParleyError.usage(message), location: "\(name):\(unfinished.line)")
        }
        if userTransactionOpen && !transactionAtStart && session.sourceDepth == 0 {
            rollbackOpenTransaction()
            ok =
                fail(
                    ParleyError.refused(
                        "the script ended inside `begin` without `commit`: everything since `begin` was rolled back"),
                    location: name) && ok
        }
        return ok
    }

    /// Says how far a script got when Ctrl-C stopped it; a script run rolls back its `begin`.
    func reportInterruption(_ source: LineSource, name: String, commandLines: Int) {
        // Said once, by the script where Ctrl-C landed; the scripts that sourced it stop quietly.
        if !interruptReported {
            interruptReported = true
            let total = (source as? FileLineSource)?.commandLineCount().map { " of \(Shell.count($0))" } ?? ""
            var transaction = ""
            if userTransactionOpen {
                // At the prompt the person decides; a script run is over, and with it its transaction.
                if session.io.isInteractive {
                    transaction = " (the transaction opened by `begin` is still open)"
                } else {
                    rollbackOpenTransaction()
                    transaction = " (everything since `begin` was rolled back)"
                }
            }
            session.io.err(
                "\(name): interrupted after \(Shell.count(commandLines))\(total) command"
                    + "\(commandLines == 1 && total.isEmpty ? "" : "s")" + transaction)
        }
    }

    /// Opens the transaction that `begin` (or -1) opens: the commands that follow run inside it.
    func openUserTransaction(_ db: StoreAccess) throws {
        guard !userTransactionOpen else {
            throw ParleyError.refused(
                singleTransaction
                    ? Shell.singleTransactionRefusal
                    : "a transaction is open already: `commit` or `rollback` it first")
        }
        try db.begin()
        userTransactionOpen = true
        exitConfirmed = false
    }

    /// Whether the whole run is one transaction (-1, `--single-transaction`).
    package internal(set) var singleTransaction = false

    static let singleTransactionRefusal =
        "the whole run is one transaction (-1): `begin`, `commit` and `rollback`"
        + " have no place in it"

    /// -1: opens the one transaction every script and command of the run goes into, as if the
    /// input began with `begin`. Returns whether it opened.
    package func beginSingleTransaction() -> Bool {
        do {
            try session.database.withConnection { db in try openUserTransaction(db) }
            singleTransaction = true
            return true
        } catch {
            return fail(error, location: "-1")
        }
    }

    /// -1, at the end of the input: commits when every command succeeded, else rolls everything
    /// back (with `--on-error continue` the commands after a failure ran, and are undone too).
    /// Returns whether the run's work was kept.
    @discardableResult
    package func finishSingleTransaction() -> Bool {
        guard singleTransaction else { return false }
        defer { singleTransaction = false }
        // A failure under `--on-error stop`, or Ctrl-C, rolled it back already and said so.
        guard userTransactionOpen else { return false }
        if failures > 0 || interrupted {
            rollbackOpenTransaction()
            if !interrupted {
                session.io.err(
                    "-1: \(Shell.count(failures)) command\(failures == 1 ? "" : "s") failed:"
                        + " nothing was kept (the whole run was rolled back)")
            }
            return false
        }
        do {
            try session.database.withConnection { db in try db.commit() }
            userTransactionOpen = false
            return true
        } catch {
            rollbackOpenTransaction()
            return fail(error, location: "-1")
        }
    }

    /// The file's absolute path with links resolved; nil when it cannot be found.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A failure already reported where it happened: counted and said there, not again.
    struct AlreadyReported: Error {}

    /// Rolls back a transaction left open by `begin` (end of script, failure with on-error stop).
    package func rollbackOpenTransaction() {
        guard userTransactionOpen else { return }
        try? session.database.withConnection { db in if db.isInsideTransaction { try db.rollback() } }
        userTransactionOpen = false
    }

    // MARK: One command

    func run(_ words: [Word], location: String?) -> Bool {
        do {
            var output = try runCommand(words)
            if case .control(let control) = output { output = try perform(control) }
            if let text = Renderer.render(output, as: session.format) {
                // The renderer escaped what people read; CSV fields and pre-rendered output keep their exact text.
                let exact = session.format == .csv || output.isPreRendered
                try show(exact ? text : TerminalText.escapedLines(text))
            }
            return true
        } catch {
            let ok = fail(error, location: location)
            if session.onError == .stop && userTransactionOpen {
                rollbackOpenTransaction()
                session.io.err(
                    prefix(location)
                        + (singleTransaction
                            ? "nothing was kept: the whole run (-1) was rolled back"
                            : "the transaction opened by `begin` was rolled back"))
            }
            return ok
        }
    }

    // MARK: What commands ask of the shell

    /// Acts on a command's control result: the shell's own state changes here, not in handlers.
    func perform(_ control: ShellControl) throws -> CommandOutput {
        switch control {
        case .exit(let command): return try exit(command)
        case .source(let given): return try source(given)
        case .begin:
            try session.database.withConnection { db in try openUserTransaction(db) }
            return .done("transaction started: `commit` keeps the commands that follow, `rollback` undoes them")
        case .commit, .rollback:
            if singleTransaction { throw ParleyError.refused(Shell.singleTransactionRefusal) }
            guard userTransactionOpen else { throw ParleyError.refused("no transaction is open (`begin` opens one)") }
            do {
                try session.database.withConnection { db in
                    if control == .commit { try db.commit() } else { try db.rollback() }
                }
            } catch {
                // A transaction the database ended itself (on PostgreSQL, with a lost connection) is over.
                if (try? session.database.withConnection { db in db.isInsideTransaction }) == false {
                    userTransactionOpen = false
                }
                throw error
            }
            userTransactionOpen = false
            return .done(control == .commit ? "committed" : "rolled back: nothing since `begin` was kept")
        }
    }

    /// Leaves. With a transaction open, a person at the terminal is asked first (a second `exit`
    /// leaves); a script leaves with it rolled back, and fails.
    func exit(_ command: String) throws -> CommandOutput {
        // Under -1 the run ends here as at the end of its input: what it did is committed.
        if userTransactionOpen && !singleTransaction {
            if session.io.isInteractive && !exitConfirmed {
                exitConfirmed = true
                throw ParleyError.refused(
                    "a transaction opened by `begin` is open: `commit` keeps it, `rollback` drops it;"
                        + " `\(command)` again leaves and rolls it back")
            }
            rollbackOpenTransaction()
            exitRequested = true
            throw ParleyError.refused("left inside `begin` without `commit`: everything since `begin` was rolled back")
        }
        exitRequested = true
        return .none
    }

    /// Runs a script file. A relative path is read from the folder of the script that sources it
    /// (at the prompt, from -c or standard input: from the current folder).
    func source(_ given: String) throws -> CommandOutput {
        // `~/` as Tab completes it: under $HOME.
        let home = session.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let expanded = given.hasPrefix("~/") ? home + given.dropFirst(1) : given
        var path = expanded
        if !expanded.hasPrefix("/"), let including = scripts.last?.path {
            let folder = FilePathText.folder(of: including)
            if !folder.isEmpty { path = folder + "/" + expanded }
        }
        if let real = Shell.realPath(path), let first = scripts.firstIndex(where: { $0.realPath == real }) {
            sourceCycles += 1
            let chain = scripts[first...].map(\.name) + [path]
            throw ParleyError.refused(chain.joined(separator: " → ") + ": a script may not source itself")
        }
        guard session.sourceDepth < 16 else { throw ParleyError.refused("source: scripts nested more than 16 deep") }
        let src = try FileLineSource(path: path)
        session.sourceDepth += 1
        defer { session.sourceDepth -= 1 }
        let before = failures
        let cyclesBefore = sourceCycles
        runScript(src, name: path)
        let failed = failures - before
        if failed > 0 {
            // Only the refusal of a script sourcing itself, said where it happened: not again here.
            if failed <= sourceCycles - cyclesBefore { throw Shell.AlreadyReported() }
            throw ParleyError.refused("\(path): \(failed) command\(failed == 1 ? "" : "s") failed")
        }
        return .none
    }

    /// A command's result: to the output file when one is set, else through the pager when it
    /// asks for it, else to standard output.
    func show(_ text: String) throws {
        if let file = session.outputFile { return try file.write(line: text) }
        if session.pager, let pager, pager(text) { return }
        session.exactIO.out(text)
    }

    func runCommand(_ words: [Word]) throws -> CommandOutput {
        let inv = try parser.parse(words)
        let spec = inv.spec
        let database = session.database
        if spec.access == .write, let readOnly = database.readOnlyMessage {
            throw ParleyError.refused(readOnly)
        }
        // The store reports a write on a read-only file (a login's audit line) with `readOnlyMessage`.
        return try runHandler(spec, inv)
    }

    func runHandler(_ spec: CommandSpec, _ inv: Invocation) throws -> CommandOutput {
        try session.database.withConnection { db in
            if spec.access == .write {
                // The clock and the due probe are read inside the command's own transaction: one
                // transaction a command. A sweep that is due runs first in it, and the command in a
                // savepoint of its own, so that a command that fails keeps the sweep.
                var failure: Error?
                let output = try db.atomically(write: true) { () throws -> CommandOutput in
                    failure = nil
                    let (now, due) = try Meta.nowAndWhetherDue(db, system: session.systemClock)
                    guard due else { return try runPrepared(spec, inv, db: db, now: now) }
                    try sweep(db, now: now)
                    do {
                        return try db.atomically { try runPrepared(spec, inv, db: db, now: now) }
                    } catch let error as ParleyError where Self.runsAgainWhole(error) {
                        throw error
                    } catch {
                        failure = error
                        return .none
                    }
                }
                if let failure { throw failure }
                return output
            }
            let (now, due) = try Meta.nowAndWhetherDue(db, system: session.systemClock)
            if due { try sweep(db, now: now) }
            switch spec.access {
            case .none:
                try session.refreshUser(db)
                let ctx = CommandContext(session: session, db: db, now: now, table: table, interrupted: interruptCheck)
                return try spec.handler(try ctx.prepare(inv), ctx)
            case .read, .write:
                // A reading command outside `begin` … `commit` sees only committed data: what it
                // works out may be kept.
                let settled = !db.isInsideTransaction
                return try db.atomically(write: false) {
                    try runPrepared(spec, inv, db: db, now: now, settled: settled)
                }
            }
        }
    }

    /// A failure the store answers by running the whole transaction again (it lost to a
    /// concurrent one, or the connection went): the sweep goes with it, not kept alone.
    static func runsAgainWhole(_ error: ParleyError) -> Bool {
        if case .storage(let failure, _) = error { return failure.isRetryable || failure == .unavailable }
        return false
    }

    /// The user as stored now, the arguments resolved and checked, then the handler.
    private func runPrepared(
        _ spec: CommandSpec, _ inv: Invocation, db: StoreAccess, now: Timestamp, settled: Bool = false
    ) throws -> CommandOutput {
        try session.refreshUser(db)
        let ctx = CommandContext(
            session: session, db: db, now: now, table: table, settled: settled, interrupted: interruptCheck)
        return try spec.handler(try ctx.prepare(inv), ctx)
    }

    /// The auto-resolve sweep: one index probe, and a write only when something is due.
    /// A read-only database is shown as stored: the next run that may write resolves what is due.
    func sweep(_ db: StoreAccess, now: Timestamp) throws {
        guard !session.database.isReadOnly else { return }
        try db.atomically { _ = try Inbox.sweep(db, now: now) }
    }

    func prefix(_ location: String?) -> String { location.map { "\($0): " } ?? "" }

    /// Prints the error once, in the session's format; counts it. Always returns false.
    @discardableResult
    func fail(_ error: Error, location: String?) -> Bool {
        if error is AlreadyReported { return false }
        failures += 1
        let message = Shell.message(for: error)
        if session.format == .json {
            var fields: [(String, Value)] = [("error", .string(message))]
            if let location { fields.append(("at", .string(location))) }
            session.io.err(Value.object(fields).json)
        } else {
            session.io.err(prefix(location) + "error: " + Shell.oneLine(message))
        }
        return false
    }

    /// The message on one line: control and bidi characters that came from typed words or stored
    /// text (a quoted `\n`, a tab, an escape sequence) are shown escaped, so an error is always one line.
    package static func oneLine(_ message: String) -> String {
        TerminalText.escaped(message)
    }

    /// A message a person can act on, for any error (the store reports the database's as `ParleyError`).
    package static func message(for error: Error) -> String {
        switch error {
        case let e as ParleyError: return e.message
        default: return "\(error)"
        }
    }
}
