import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyShell
@testable import ParleyStore

/// A writing command is one transaction: the clock and the due probe are read in it, a due
/// auto-resolve sweep runs first in it, and the command's writes follow in a savepoint of their own.
@Suite struct CommandTransactionTests {
    let shell: Shell
    let io: BufferIO

    init() throws {
        io = BufferIO()
        shell = try TestShell.make(
            io: io,
            setup: [
                "init ada@acme.example --name Ada --sandbox",
                "channel add twitter --handle @acme_help",
                "channel edit @acme_help --auto-resolve-new 1d",
                "channel grant @acme_help ada@acme.example supervisor",
                "conversation inbound @acme_help --from @carol hello",
                "conversation inbound @acme_help --from @dave hi",
            ])
    }

    /// What is stored, read past the shell (a command would run the sweep itself).
    func stored(_ sql: String) throws -> [String] {
        try shell.session.database.withConnection { db in try db.all(String.self, sql: sql) }
    }

    /// Moves the sandbox clock as another process would: `clock advance` sweeps by itself.
    func advanceClockPastTheShell(days: Int64) throws {
        try shell.session.database.withConnection { db in
            try db.run(
                sql: "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + ? AS TEXT) WHERE key = 'clock'",
                arguments: [days * 86_400_000])
        }
    }

    @Test func aFailingCommandKeepsTheSweepItRan() throws {
        #expect(shell.execute(line: "conversation tag 1 kept"))
        try advanceClockPastTheShell(days: 2)
        #expect(try stored("SELECT queue FROM conversations ORDER BY id") == ["new", "new"], "nothing swept yet")

        #expect(!shell.execute(line: "conversation tag 999 lost"))
        #expect(io.errText.contains("no conversation 999"), "\(io.errText)")
        #expect(try stored("SELECT queue FROM conversations ORDER BY id") == ["resolved", "resolved"])
        #expect(try stored("SELECT tag FROM conversation_tags ORDER BY tag") == ["kept"])
        #expect(try stored("SELECT action FROM audit WHERE action = 'conversation.auto-resolve'").count == 2)
    }

    @Test func aCommandSeesTheSweepItRan() throws {
        try advanceClockPastTheShell(days: 2)
        #expect(!shell.execute(line: "conversation assign 1 ada@acme.example"))
        #expect(io.errText.contains("Resolved"), "the sweep ran before the command: \(io.errText)")
    }
}
