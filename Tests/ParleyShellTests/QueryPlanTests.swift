import Foundation
import GRDB
import GRDBSQLite
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyShell
@testable import ParleyStore

/// Every statement that parley runs for the everyday commands, checked with EXPLAIN QUERY PLAN:
/// none may scan a table that grows with traffic (conversations, messages, contacts, notes,
/// queue events, audit, tags); each must search an index. A scan there is a command whose cost
/// grows with the database.
@Suite(.enabled(if: !TestStore.isPostgres, "reads SQLite's query plans")) struct QueryPlanTests {
    static let growing: Set<String> = [
        "conversations", "messages", "contacts", "notes", "queue_events", "audit",
        "conversation_tags", "conversation_topics",
    ]

    @Test func everydayCommandsSearchIndexesOnly() throws {
        let db = try ParleyDatabase(path: ":memory:")
        let io = BufferIO()
        let session = Session(
            database: db, io: io, systemClock: FixedClock(1_700_000_000_000), environment: ["PARLEY_KDF_ROUNDS": "1024"]
        )
        let shell = Shell(session: session)
        for line in [
            "init ada@acme.example --name Ada --sandbox",
            "user add cora@acme.example --name Cora",
            "channel add twitter --handle @acme_help", "channel add twitter --handle @acme_news",
            "team add Support", "team channel add Support @acme_help",
            "team member add Support cora@acme.example contributor",
            "channel grant @acme_news cora@acme.example viewer", "topic add Billing",
            "conversation inbound @acme_help --from @carol hi", "conversation inbound @acme_help --from @dave hello",
            "conversation inbound @acme_news --from @erin hey",
        ] {
            #expect(shell.execute(line: line), "\(line): \(io.errText)")
        }
        try session.startAs(email: "cora@acme.example")

        var statements: [String] = []
        try db.withConnection { c in
            c.sqlite!.trace(options: .statement) { event in
                if case .statement(let s) = event { statements.append(s.sql) }
            }
        }
        for line in [
            "conversation list", "conversation list --queue new", "conversation list --owner me",
            "conversation list --owner none", "conversation list --tag vip", "conversation list --topic Billing",
            "conversation list --channel @acme_help --queue pending",
            "conversation show 1", "conversation tag 1 vip", "conversation untag 1 vip", "conversation topic 1 Billing",
            "conversation note 1 \"called back\"", "conversation move 1 pending", "conversation reply 2 thanks",
            "conversation assign 2 cora@acme.example", "conversation move 2 resolved", "whoami", "channel list",
        ] {
            #expect(shell.execute(line: line), "\(line): \(io.errText)")
        }
        _ = try Completer(shell: shell).complete(marked: "conversation show ⏐")
        _ = try Completer(shell: shell).complete(marked: "user show co⏐")
        // Pages of a sync: the lookup, and the writes for a known and a new customer and for the account.
        try db.withConnection { c in
            let channel = try ChannelRepository.list(c).first { $0.handle == "acme_help" }!
            let carol = "sandbox:carol"  // as `conversation inbound --from @carol` stored it
            let page = [
                PageMessage(
                    origin: .customer(handle: "carol"), contactPlatformID: carol, platformID: "p1", kind: .publicTweet,
                    text: "again", at: 1),
                PageMessage(
                    origin: .customer(handle: "zed"), contactPlatformID: "zed", platformID: "p2", kind: .directMessage,
                    text: "new", at: 2),
                PageMessage(
                    origin: .account, contactPlatformID: carol, platformID: "p3", kind: .publicTweet, text: "hi", at: 3),
            ]
            _ = try c.atomically { try InboxBatch.record(c, channel: channel, page, now: 1_700_000_100_000) }
            // zed's conversation is in New now: another message moves its deadline alone.
            var again = page[1]
            again.platformID = "p4"
            _ = try c.atomically { try InboxBatch.record(c, channel: channel, [again], now: 1_700_000_200_000) }
        }
        try db.withConnection { c in
            c.sqlite!.trace(options: .statement, nil)
            try Inbox.sweep(c, now: 1_800_000_000_000)
        }
        #expect(statements.count > 50)

        var scans: [String] = []
        try db.withConnection { c in
            c.sqlite!.trace(options: .statement, nil)
            for sql in Set(statements) {
                let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
                guard
                    head.hasPrefix("SELECT") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE")
                        || head.hasPrefix("INSERT") || head.hasPrefix("WITH")
                else { continue }
                let plan = try c.sqlite!.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
                let placeholders = Int(sqlite3_bind_parameter_count(plan.sqliteStatement))
                plan.setUncheckedArguments(
                    StatementArguments(Array(repeating: DatabaseValue.null, count: placeholders)))
                for row in try Row.fetchAll(plan) {
                    let detail: String = row["detail"]
                    // "SCAN t" (a full table scan) or "SCAN t USING INDEX" (a full index walk).
                    let words = detail.split(separator: " ")
                    if words.first == "SCAN", words.count > 1, Self.growing.contains(String(words[1])) {
                        scans.append("\(detail)  ←  \(sql.replacingOccurrences(of: "\n", with: " ").prefix(200))")
                    }
                }
            }
        }
        #expect(scans.isEmpty, "\(scans.joined(separator: "\n"))")
    }
}
