import Foundation
import ParleyCore
import ParleyStore
import Testing

@testable import ParleyShell

/// What users of psql and sqlite3 type: `\q`, `.quit`, `\?`, `help` with words cut short.
@Suite struct ShellHabitsTests {
    let shell: Shell
    let io: BufferIO

    init() throws {
        io = BufferIO()
        let session = Session(database: try ParleyDatabase(path: ":memory:"), io: io,
                              systemClock: FixedClock(1_700_000_000_000), environment: ["PARLEY_KDF_ROUNDS": "1024"])
        shell = Shell(session: session)
        #expect(shell.execute(line: "init ada@acme.example --name Ada --sandbox"), "\(io.errText)")
        io.stdout = []
    }

    func run(_ line: String) -> (ok: Bool, out: String, err: String) {
        io.stdout = []
        io.stderr = []
        let ok = shell.execute(line: line)
        return (ok, io.outText, io.errText)
    }

    @Test func backslashAliasesAreReadBeforeTheTokenizer() {
        #expect(Shell.expandingBackslashAlias("\\q") == "quit")
        #expect(Shell.expandingBackslashAlias("  \\q ") == "quit ")
        #expect(Shell.expandingBackslashAlias("\\? conversation") == "help conversation")
        #expect(Shell.expandingBackslashAlias("\\quit") == "\\quit")
        #expect(Shell.expandingBackslashAlias("note 1 \\q") == "note 1 \\q")
    }

    @Test(arguments: ["\\q", ".quit", ".exit", " \\q ", ".QUIT"])
    func aliasesLeave(line: String) {
        #expect(run(line).ok)
        #expect(shell.exitRequested)
    }

    @Test func aQuotedAliasIsNoCommand() {
        let r = run("\".quit\"")
        #expect(!r.ok && !shell.exitRequested && r.err.contains("unknown command '.quit'"), "\(r.err)")
    }

    @Test func aliasesKeepTheOpenTransactionRule() {
        #expect(run("begin").ok)
        let r = run("\\q")
        #expect(!r.ok && shell.exitRequested && r.err.contains("left inside `begin` without `commit`"), "\(r.err)")
        #expect(!shell.userTransactionOpen)
    }

    @Test(arguments: ["\\?", ".help"])
    func aliasesShowHelp(line: String) {
        let r = run(line)
        #expect(r.ok && r.out.hasPrefix("parley commands"))
        #expect(r.out.contains("`\\q`, `.quit` and `.exit` leave (like `exit`); `\\?` and `.help` show this."))
    }

    @Test func helpTakesAWordCutShort() {
        let conv = run("help conv")
        #expect(conv.ok && conv.out.contains("  conversation list ") && conv.out.contains("  conversation note "))
        let list = run("help conversation l")
        #expect(list.ok && list.out.hasPrefix("usage: conversation list"), "\(list.out)")
        #expect(run("\\? conv l").out.hasPrefix("usage: conversation list"))
    }

    @Test func helpOfAnAmbiguousStartListsWhatItFits() {
        let r = run("help c")
        #expect(r.ok && r.out.hasPrefix("`c` could be:"), "\(r.out)")
        for word in ["channel", "clock", "commit", "conversation"] {
            #expect(r.out.contains("\n  \(word) "), "\(word)")
        }
        let sub = run("help conversation un")
        #expect(sub.out.contains("conversation unassign") && sub.out.contains("conversation untag"))
    }

    @Test func helpOfACommandWithSubcommandsListsThem() {
        let r = run("help clock")
        #expect(r.out.hasPrefix("usage: clock") && r.out.contains("subcommands:\n  clock advance "), "\(r.out)")
    }

    @Test func helpOfNothingThatFitsSaysSo() {
        let r = run("help zzz")
        #expect(!r.ok && r.err.contains("no command 'zzz'"))
    }

    @Test func completionKnowsTheDotAliases() {
        let completer = Completer(shell: shell)
        #expect(completer.complete(line: ".q", cursor: 2).insertion == ".quit")
        #expect(Set(completer.complete(line: ".", cursor: 1).candidates) == [".exit", ".help", ".quit"])
        #expect(!completer.complete(line: "", cursor: 0).candidates.contains(".quit"))
    }
}
