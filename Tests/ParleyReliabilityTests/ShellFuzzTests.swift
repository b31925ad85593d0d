import Foundation
import GRDB
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyShell
@testable import ParleyStore

/// Seeded fuzzing of the shell library itself (the binary is fuzzed by Tests/reliability):
/// command lines built from the command table (right commands, wrong or random arguments, options
/// with wrong values), random and control characters, unbalanced quotes, huge tokens. Each line
/// must end with success or exactly one error line, nothing may crash or hang, and the database
/// must pass `PRAGMA integrity_check` afterwards. 5,000 lines; 100,000 with PARLEY_TEST_LONG=1.
/// PARLEY_FUZZ_SEED replays a run; the seed is in the failure message.
@Suite struct ShellFuzzTests {
    static let skipped: Set<String> = [
        "exit", "quit", "login", "logout", "init", "demo", "source", "begin", "commit", "rollback",
        "set on-error", "set echo", "set timing", "set output-file", "user password",
        "channel add twitter", "channel sync",
    ]
    static let words = [
        "1", "2", "999999", "-1", "0", "@acme_help", "@nobody", "ada@acme.example", "cora@acme.example", "me", "none",
        "new", "pending", "resolved", "viewer", "contributor", "supervisor", "on", "off", "2d", "90s", "0m", "31d",
        "99999999999999d", "Support", "Billing", "vip", "\"\"", "''", "--", "-", "--queue", "--limit", "--x", "=",
        "'unbalanced", "\"unbalanced", "a\\", "#", ";", "\\", "%", "'); DROP TABLE users; --", "é", "日本", "👍",
    ]

    @Test func randomCommandLinesFailCleanly() throws {
        let long = ProcessInfo.processInfo.environment["PARLEY_TEST_LONG"] == "1"
        let cases = long ? 100_000 : 5_000
        let seed =
            UInt64(ProcessInfo.processInfo.environment["PARLEY_FUZZ_SEED"] ?? "")
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var rng = SplitMix(state: seed)

        let db = try ParleyDatabase(path: ":memory:")
        let io = BufferIO()
        let session = Session(
            database: db, io: io, systemClock: FixedClock(1_700_000_000_000), environment: ["PARLEY_KDF_ROUNDS": "1024"]
        )
        session.loginFailureDelayMs = 0
        let shell = Shell(session: session)
        session.onError = .continue
        for line in [
            "init ada@acme.example --name Ada --sandbox", "user add cora@acme.example --name Cora",
            "channel add twitter --handle @acme_help", "team add Support", "topic add Billing",
            "channel grant @acme_help cora@acme.example supervisor",
            "conversation inbound @acme_help --from @carol hi", "conversation inbound @acme_help --from @dave hello",
        ] {
            #expect(shell.execute(line: line), "\(line): \(io.errText)")
        }
        let commands = CommandTable.standard.commands.filter { !Self.skipped.contains($0.path.joined(separator: " ")) }

        func randomText(_ n: Int) -> String {
            String(
                String.UnicodeScalarView(
                    (0..<n).map { _ in
                        switch Int.random(in: 0..<10, using: &rng) {
                        case 0: return Unicode.Scalar(UInt8.random(in: 0...31, using: &rng))
                        case 1: return Unicode.Scalar(UInt32.random(in: 0x80...0x2FFF, using: &rng)) ?? "x"
                        case 2: return ["'", "\"", "\\", ";", "#", " ", "=", "-"].randomElement(using: &rng)!
                        default: return Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))
                        }
                    }))
        }

        func line() -> String {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: return randomText(Int.random(in: 0...80, using: &rng))
            case 1:
                return commands.randomElement(using: &rng)!.path.joined(separator: " ") + " "
                    + String(repeating: "x", count: Int.random(in: 1_000...120_000, using: &rng))
            default:
                let spec = commands.randomElement(using: &rng)!
                var parts = spec.path
                for _ in 0..<Int.random(in: 0...5, using: &rng) {
                    switch Int.random(in: 0..<6, using: &rng) {
                    case 0: parts.append(randomText(Int.random(in: 1...12, using: &rng)))
                    case 1 where !spec.options.isEmpty:
                        let o = spec.options.randomElement(using: &rng)!
                        parts.append(
                            "--\(o.name)" + (o.kind == nil ? "" : "=" + Self.words.randomElement(using: &rng)!))
                    default: parts.append(Self.words.randomElement(using: &rng)!)
                    }
                }
                return parts.joined(separator: " ")
            }
        }

        var failures = 0
        for i in 0..<cases {
            let text = line()
            let before = io.stderr.count
            let ok = shell.execute(line: text)
            let written = io.stderr.count - before
            if !ok { failures += 1 }
            // A failed command says why in exactly one line; a successful one says nothing on
            // stderr (a few commands warn, one line at most). `;` puts several commands on a line.
            let commandsOnLine = text.filter { $0 == ";" }.count + 1
            #expect(
                ok ? written <= commandsOnLine : (1...commandsOnLine).contains(written),
                "seed \(seed), case \(i): \(written) error lines for \(text.prefix(200).debugDescription): \(io.stderr.suffix(max(written, 0)))"
            )
            for e in io.stderr[before...] {
                #expect(!e.contains("\n"), "seed \(seed), case \(i): an error over several lines: \(e.prefix(200))")
            }
            io.stdout.removeAll(keepingCapacity: true)
            if io.stderr.count > 1000 { io.stderr.removeAll(keepingCapacity: true) }
            if session.user == nil { try session.startAs(email: "ada@acme.example") }
            try db.withConnection { c in if c.isInsideTransaction { try c.rollback() } }
        }
        #expect(
            failures > cases / 4, "seed \(seed): only \(failures) of \(cases) lines failed: the generator is too tame")
        let check = try db.withConnection { c in try String.fetchOne(c.sqlite!, sql: "PRAGMA integrity_check") }
        #expect(check == "ok", "seed \(seed)")
        print("shell fuzz: seed \(seed), \(cases) lines, \(failures) refused")
    }
}
