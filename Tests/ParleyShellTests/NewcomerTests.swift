import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// What a newcomer meets: refusals that name the command and the way out, prompts that a
/// Ctrl-C cancels with nothing changed, an empty database that says how to begin.
@Suite struct NewcomerTests {
    let shell: Shell
    let io: BufferIO

    init() throws {
        io = BufferIO()
        shell = try TestShell.make(
            io: io,
            setup: [
                "init ada@acme.example --name Ada --sandbox",
                "user add vic@acme.example --name Vic",
                "channel add twitter --handle @acme_help",
                "channel grant @acme_help vic@acme.example viewer",
                "conversation inbound @acme_help --from @carol hello",
            ])
    }

    static func shell(io: BufferIO) throws -> Shell { try TestShell.make(io: io) }

    func run(_ line: String, as who: String? = nil) throws -> (ok: Bool, err: String, out: String) {
        if let who { try shell.session.startAs(email: who) }
        io.stdout = []
        io.stderr = []
        let ok = shell.execute(line: line)
        return (ok, io.errText, io.outText)
    }

    @Test func eachRefusalNamesItsOwnCommand() throws {
        for (line, ending) in [
            ("channel access @acme_help", "channel access needs supervisor"),
            ("who-can reply @acme_help", "who-can needs supervisor"),
            ("audit", "audit needs an admin account"),
            ("clock advance 1d", "clock advance needs an admin account"),
            ("conversation inbound @acme_help --from @x hi", "conversation inbound needs an admin account"),
            ("conversation reply 1 hi", "reply needs contributor"),
        ] {
            let r = try run(line, as: "vic@acme.example")
            #expect(!r.ok && r.err.hasSuffix(ending), "\(line): \(r.err)")
        }
    }

    @Test func helpMarksWhatTheUserLacks() throws {
        let r = try run("help", as: "vic@acme.example")
        for name in ["channel access", "who-can", "report", "audit"] {
            let line = r.out.split(separator: "\n").first { $0.hasPrefix("  " + name + " ") }
            #expect(line?.contains("[needs") == true, "\(name): \(line ?? "missing")")
        }
        let admin = try run("help", as: "ada@acme.example")
        let access = admin.out.split(separator: "\n").first { $0.hasPrefix("  channel access ") }
        #expect(access?.contains("[needs") == false)
    }

    @Test func anAdminWithoutARoleIsToldTheGrant() throws {
        let r = try run("conversation show 1", as: "ada@acme.example")
        #expect(r.err.hasSuffix("(`channel grant @acme_help ada@acme.example viewer` gives you that)"), "\(r.err)")
        let list = try run("conversation list", as: "ada@acme.example")
        #expect(list.out.contains("`channel grant CHANNEL ada@acme.example ROLE` gives you one"), "\(list.out)")
        #expect(try run("channel grant @acme_help ada@acme.example viewer").ok)
        #expect(try run("conversation show 1").ok)
    }

    @Test func anEmptyDatabaseSaysHowToBegin() throws {
        let fresh = BufferIO()
        let empty = try Self.shell(io: fresh)
        #expect(empty.session.startNotice()?.contains("no organisation yet") == true)
        #expect(!empty.execute(line: "user list"))
        #expect(fresh.errText.contains("no organisation yet") && fresh.errText.contains("`demo`"), "\(fresh.errText)")
        #expect(shell.session.startNotice() == nil)
    }

    @Test func ctrlCAtAPasswordPromptCancelsWithNothingChanged() throws {
        let asked = BufferIO(interactive: true, answers: [.cancelled])
        let empty = try Self.shell(io: asked)
        #expect(!empty.execute(line: "init ada@acme.example --name Ada --password"))
        #expect(asked.errText.hasSuffix("init cancelled: nothing changed"), "\(asked.errText)")
        #expect(empty.session.startNotice() != nil, "the organisation was created")
        // At the second prompt too.
        asked.answers = [.text("correct horse"), .cancelled]
        #expect(!empty.execute(line: "init ada@acme.example --name Ada --password"))
        #expect(empty.session.startNotice() != nil)
        // Without --password, init asks nothing: a pasted block is never read as a password.
        asked.answers = [.text("swallowed")]
        #expect(empty.execute(line: "init ada@acme.example --name Ada"))
        #expect(asked.answers == [.text("swallowed")] && asked.prompts.count == 3)
    }

    @Test func ctrlCAtLoginCancelsIt() throws {
        let asked = BufferIO(interactive: true, answers: [.cancelled])
        shell.session.setUser(nil, impersonator: nil, kind: "none")
        let session = Session(database: shell.session.database, io: asked, systemClock: FixedClock(1_700_000_000_000))
        let other = Shell(session: session)
        #expect(!other.execute(line: "login vic@acme.example"))
        #expect(asked.errText.hasSuffix("login cancelled: nothing changed"), "\(asked.errText)")
    }

    @Test func channelRemoveAsksOrNeedsForce() throws {
        var r = try run("channel remove @acme_help", as: "ada@acme.example")
        #expect(
            !r.ok && r.err.contains("has 1 conversation")
                && r.err.hasSuffix("add --force to remove them with the channel"))
        let asked = BufferIO(interactive: true, answers: [.text("no"), .cancelled, .text("yes")])
        let session = Session(database: shell.session.database, io: asked, systemClock: FixedClock(1_700_000_000_000))
        try session.startAs(email: "ada@acme.example")
        let terminal = Shell(session: session)
        #expect(!terminal.execute(line: "channel remove @acme_help"))
        #expect(!terminal.execute(line: "channel remove @acme_help"))
        #expect(asked.errText.contains("cancelled"))
        #expect(terminal.execute(line: "channel remove @acme_help"), "\(asked.errText)")
        #expect(asked.outText.contains("removed @acme_help and its 1 conversation"))
        r = try run("channel add twitter --handle @acme_help; channel remove @acme_help", as: "ada@acme.example")
        #expect(r.ok, "an empty channel goes without asking: \(r.err)")
    }

    @Test func exitInsideBeginRollsBackAndFailsInAScript() throws {
        _ = try run("begin; user add zoe@acme.example --name Zoe; exit", as: "ada@acme.example")
        #expect(io.errText.hasSuffix("left inside `begin` without `commit`: everything since `begin` was rolled back"))
        #expect(shell.exitRequested && shell.failures > 0)
        #expect(!shell.userTransactionOpen)
        let found = try shell.session.database.withConnection { db in
            try UserRepository.find(db, email: "zoe@acme.example")
        }
        #expect(found == nil)
    }

    @Test func theInterruptStopsBetweenCommands() throws {
        var calls = 0
        shell.interruptCheck = {
            calls += 1
            return calls > 2
        }
        try shell.session.startAs(email: "ada@acme.example")
        let source = StringLineSource(
            (1...10).map { "user add u\($0)@acme.example --name U\($0)" }.joined(separator: "\n"))
        #expect(!shell.runScript(source, name: "paste"))
        #expect(io.errText.hasSuffix("paste: interrupted after 2 commands"), "\(io.errText)")
        #expect(shell.interrupted)
        shell.clearInterrupt()
        shell.interruptCheck = { false }
        #expect(shell.execute(line: "whoami"))
    }

    @Test func emailsAreAddresses() throws {
        for bad in ["x@acme.example;drop", "x@-acme.example"] {
            let r = try run("user add \"\(bad)\" --name X", as: "ada@acme.example")
            #expect(!r.ok && r.err.contains("is not an email address"), "\(bad): \(r.err)")
        }
    }

    @Test func aResolvedConversationShowsWhoResolvedItAndWhy() throws {
        #expect(
            try run(
                "channel edit @acme_help --auto-resolve-new 1d --resolve-reason \"No answer\"", as: "ada@acme.example"
            ).ok)
        #expect(
            try run(
                "conversation inbound @acme_help --from @dave \"hi\"; channel grant @acme_help ada@acme.example viewer"
            ).ok)
        #expect(try run("clock advance 2d").ok)
        var r = try run("conversation show 2")
        #expect(
            r.out.contains("resolved by") && r.out.contains("auto-resolve") && r.out.contains("No answer"), "\(r.out)")
        #expect(try run("conversation move 1 resolved").ok)
        r = try run("conversation show 1")
        #expect(r.out.contains("ada@acme.example") && !r.out.contains("resolve reason"), "\(r.out)")
    }

    @Test func csvOfAConversationKeepsItsMessagesAndNotes() throws {
        #expect(
            try run(
                "channel grant @acme_help ada@acme.example viewer; conversation note 1 \"call, back\"",
                as: "ada@acme.example"
            ).ok)
        shell.session.format = .csv
        let r = try run("conversation show 1")
        let blocks = r.out.components(separatedBy: "\n\n")
        #expect(blocks.count == 3, "\(r.out)")
        #expect(
            blocks[1].hasPrefix("section,at,direction,kind,author,text\nmessages,") && blocks[1].hasSuffix(",hello"))
        #expect(blocks[2].hasPrefix("section,at,author,text\nnotes,") && blocks[2].hasSuffix(",\"call, back\""))
    }

    @Test func aLongScriptKeepsOnlyTheLastThousandCommandsForHistory() throws {
        try shell.session.startAs(email: "ada@acme.example")
        let source = StringLineSource((1...2_500).map { "clock # \($0)" }.joined(separator: "\n"))
        #expect(shell.runScript(source, name: "long"))
        #expect(shell.session.commandLog.count < 2 * Session.commandLogLimit)
        let history = shell.session.historyProvider()
        #expect(history.count == Session.commandLogLimit && history.last == "clock # 2500")
    }
}
