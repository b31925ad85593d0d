import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// What users of psql and sqlite3 type: `\q`, `.quit`, `\?`, `help` with words cut short.
@Suite struct ShellHabitsTests {
    let shell: Shell
    let io: BufferIO

    init() throws {
        io = BufferIO()
        shell = try TestShell.make(io: io, setup: ["init ada@acme.example --name Ada --sandbox"])
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

    /// A script line is split into words once; a line that begins with `\?` or `\q` runs as the
    /// command it stands for, and a line ending in `\` still carries a command over to the next.
    @Test func scriptLinesRunAsSplitWithAliasesSwappedIn() {
        io.stdout = []
        let script =
            "\\? conversation\nclock; whoami\nuser add bo@acme.example \\\n  --name Bo\n\\q\nuser add cy@acme.example --name Cy"
        let ok = shell.runScript(StringLineSource(script), name: "s")
        #expect(ok && shell.exitRequested, "\(io.errText)")
        #expect(io.outText.contains("conversation list"), "\(io.outText)")
        #expect(io.outText.contains("ada@acme.example") && io.outText.contains("bo@acme.example"))
        #expect(!io.outText.contains("cy@acme.example"))
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

    @Test func completionKnowsTheDotAliases() throws {
        let completer = Completer(shell: shell)
        #expect(try completer.complete(marked: ".q⏐").insertion == ".quit")
        #expect(try Set(completer.complete(marked: ".⏐").candidates) == [".exit", ".help", ".quit"])
        #expect(try !completer.complete(marked: "⏐").candidates.contains(".quit"))
    }
}

/// Where results go: the pager hook, an output file, the time after each command.
@Suite struct ShellOutputTests {
    let shell: Shell
    let io: BufferIO
    let folder: String

    init() throws {
        io = BufferIO()
        shell = try TestShell.make(io: io, setup: ["init ada@acme.example --name Ada --sandbox"])
        io.stdout = []
        folder = NSTemporaryDirectory() + "parley-output-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    @Test func thePagerHookGetsTheOutputUnlessPagingIsOff() {
        var paged: [String] = []
        shell.pager = {
            paged.append($0)
            return true
        }
        #expect(shell.execute(line: "help"))
        #expect(paged.count == 1 && paged[0].hasPrefix("parley commands") && io.stdout.isEmpty)
        #expect(shell.execute(line: "set pager off; whoami"))
        #expect(paged.count == 1 && io.outText.contains("ada@acme.example"))
    }

    @Test func outputThePagerDeclinesIsPrinted() {
        shell.pager = { _ in false }
        #expect(shell.execute(line: "whoami"))
        #expect(io.outText.contains("ada@acme.example"))
    }

    @Test func anOutputFileTakesResultsAndErrorsStayOnStderr() throws {
        let path = folder + "/out.txt"
        var paged = 0
        shell.pager = { _ in
            paged += 1
            return true
        }
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old text\n".utf8)))
        #expect(shell.execute(line: "set output-file \(path); whoami"))
        #expect(!shell.execute(line: "user show nobody@x.example"))
        #expect(shell.execute(line: "set output-file; clock"))
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.hasPrefix("email ") && written.contains("ada@acme.example") && !written.contains("old text"))
        #expect(!written.contains("nobody") && !written.contains("now "))
        #expect(io.errText.contains("no user 'nobody@x.example'"))
        #expect(paged == 1)  // `clock`, back to the terminal (through the pager hook)
    }

    @Test func aNewOutputFileIsPrivate() throws {
        let path = folder + "/new.txt"
        #expect(shell.execute(line: "set output-file \(path)"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func anOutputFileThatCannotBeWrittenFailsAndKeepsTheOldOne() {
        #expect(!shell.execute(line: "set output-file \(folder)/missing/out.txt"))
        #expect(io.errText.contains("cannot write \(folder)/missing/out.txt"))
        #expect(!shell.execute(line: "set output-file \(folder)"))
        #expect(io.errText.contains("cannot write \(folder): Is a directory"))
        #expect(shell.execute(line: "whoami") && io.outText.contains("ada@acme.example"))
    }

    @Test func timingPrintsEachCommandsTimeOnStderr() {
        #expect(shell.execute(line: "set timing on; whoami; clock"))
        let times = io.stderr.filter { $0.hasPrefix("Time: ") }
        #expect(times.count == 2, "\(io.stderr)")
        #expect(times.allSatisfy { $0.wholeMatch(of: /Time: \d+\.\d{3} ms/) != nil })
        #expect(!io.outText.contains("Time:"))
        #expect(shell.execute(line: "set timing off; whoami"))
        #expect(io.stderr.filter { $0.hasPrefix("Time: ") }.count == 2)
    }
}
