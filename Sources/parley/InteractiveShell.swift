import Foundation
import ParleyShell
import ParleyTerminal

/// The shell at a terminal: prompt, line editing, persistent history, completion.
struct InteractiveShell {
    let shell: Shell
    let dataDirectory: String
    let environment: [String: String]

    /// `$PARLEY_HISTORY`, else `history` in parley's data folder (~/.local/share/parley/history).
    var historyFile: String {
        if let p = environment["PARLEY_HISTORY"], !p.isEmpty { return p }
        return dataDirectory + "/history"
    }

    /// Runs until `exit` or end of input; false when the line editor cannot be loaded.
    func run() -> Bool {
        let editor: LineEditor
        do {
            editor = try LineEditor(programName: "parley", historyFile: historyFile, historyLimit: 10_000)
        } catch {
            shell.session.io.err("parley: \(error.reason)")
            return false
        }
        let completer = Completer(shell: shell)
        editor.completer = { line, cursor in
            let r: Completion = completer.complete(line: line, cursor: cursor)
            // The list a second Tab shows holds names others typed: escaped like all output.
            let shown = r.candidates.map(TerminalText.escaped)
            return CompletionReply(
                replaceFrom: r.replaceFrom, insertion: r.insertion, candidates: shown,
                appendSpace: r.complete)
        }
        shell.session.historyProvider = { editor.historyEntries() }
        if let notice = shell.session.startNotice() { shell.session.io.err(notice) }
        var pending = ""
        var warnedOpenTransaction = false
        shell.interruptCheck = { SignalFlag.raised }
        while !shell.exitRequested {
            let prompt = pending.isEmpty ? shell.prompt : "...> "
            switch editor.readLine(prompt: prompt) {
            case .endOfFile:
                // Ctrl-D with a transaction open asks first: the work since `begin` would be lost.
                if shell.userTransactionOpen && !warnedOpenTransaction {
                    warnedOpenTransaction = true
                    shell.session.io.err(
                        "a transaction opened by `begin` is open: `commit` keeps it, `rollback` drops it;"
                            + " Ctrl-D again leaves and rolls it back")
                    continue
                }
                if shell.userTransactionOpen { shell.session.io.err("rolled back: nothing since `begin` was kept") }
                shell.rollbackOpenTransaction()
                return true
            case .interrupted:
                pending = ""
            case .line(let line):
                pending = pending.isEmpty ? line : pending + "\n" + line
                if shell.needsMore(pending) != nil { continue }
                let text = pending
                pending = ""
                if text.allSatisfy(\.isWhitespace) { continue }
                if !shell.isSecret(text) { editor.addToHistory(text) }
                // Ctrl-C while a line runs never kills the shell: the command in flight finishes
                // (or rolls back whole), the rest of the line or script is skipped, and the
                // prompt comes back.
                warnedOpenTransaction = false
                SignalFlag.catchInterrupts()
                shell.execute(line: text)
                SignalFlag.restoreInterrupts()
                shell.clearInterrupt()
            }
        }
        shell.rollbackOpenTransaction()
        return true
    }
}
