import Foundation
import ParleyShell

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

    func run() {
        let editor = LineEditor(programName: "parley", historyFile: historyFile, historyLimit: 10_000)
        let completer = Completer(shell: shell)
        editor.completer = { line, cursor in
            let r: Completion = completer.complete(line: line, cursor: cursor)
            // The list a second Tab shows holds names others typed: escaped like all output.
            let shown = r.candidates.map(TerminalText.escaped)
            return CompletionReply(replaceFrom: r.replaceFrom, insertion: r.insertion, candidates: shown,
                                   appendSpace: r.complete)
        }
        shell.session.historyProvider = { editor.historyEntries() }
        if let notice = shell.session.startNotice() { shell.session.io.err(notice) }
        var pending = ""
        while !shell.exitRequested {
            let prompt = pending.isEmpty ? shell.session.prompt : "...> "
            switch editor.readLine(prompt: prompt) {
            case .endOfFile:
                shell.rollbackOpenTransaction()
                return
            case .interrupted:
                pending = ""
            case .line(let line):
                pending = pending.isEmpty ? line : pending + "\n" + line
                if shell.needsMore(pending) != nil { continue }
                let text = pending
                pending = ""
                if text.allSatisfy(\.isWhitespace) { continue }
                if !shell.isSecret(text) { editor.addToHistory(text) }
                // Ctrl-C while a command runs must not kill the shell: the command finishes
                // (each is one short transaction) and the prompt comes back.
                let previous = signal(SIGINT, SIG_IGN)
                shell.execute(line: text)
                signal(SIGINT, previous)
            }
        }
        shell.rollbackOpenTransaction()
    }
}
