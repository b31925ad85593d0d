import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyStore

/// What the repositories rely on from `StoreAccess`, on the store the tests run on (SQLite, or
/// PostgreSQL with `PARLEY_TEST_STORE=postgres`): the same answers from both engines.
@Suite struct StoreEngineTests {
    func database() throws -> ParleyDatabase { try ParleyDatabase(path: TestStore.newDatabase()) }

    struct Boom: Error {}

    /// Whether `body` threw `Boom`.
    func fails(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch {
            return error is Boom
        }
    }

    @Test func aThrownErrorUndoesTheTransactionAndASavepointOnlyItsOwnPart() throws {
        let database = try database()
        try database.withConnection { db in
            let outerFailed = fails {
                try db.atomically { () throws -> Void in
                    _ = try TeamRepository.insert(db, name: "Undone", now: 1)
                    throw Boom()
                }
            }
            #expect(outerFailed)
            try db.atomically {
                _ = try TeamRepository.insert(db, name: "Kept", now: 1)
                let innerFailed = fails {
                    try db.atomically { () throws -> Void in
                        _ = try TeamRepository.insert(db, name: "Inner", now: 1)
                        throw Boom()
                    }
                }
                #expect(innerFailed)
                #expect(db.isInsideTransaction)
            }
            #expect(!db.isInsideTransaction)
            #expect(try TeamRepository.find(db, name: "Undone") == nil)
            #expect(try TeamRepository.find(db, name: "Inner") == nil)
            #expect(try TeamRepository.find(db, name: "Kept") != nil)
        }
    }

    @Test func aScriptTransactionCommitsOrRollsBackAcrossCalls() throws {
        let database = try database()
        try database.withConnection { db in try db.begin() }
        try database.write { db in _ = try TeamRepository.insert(db, name: "Later", now: 1) }
        try database.withConnection { db in try db.rollback() }
        #expect(try database.withConnection { db in try TeamRepository.find(db, name: "Later") } == nil)
        try database.withConnection { db in try db.begin() }
        try database.write { db in _ = try TeamRepository.insert(db, name: "Kept", now: 1) }
        try database.withConnection { db in try db.commit() }
        #expect(try database.withConnection { db in try TeamRepository.find(db, name: "Kept") } != nil)
    }

    @Test func insertsReturnTheirIdsAndWritesCountWhatTheyChanged() throws {
        let database = try database()
        try database.write { db in
            let a = try TeamRepository.insert(db, name: "A", now: 1)
            let b = try TeamRepository.insert(db, name: "B", now: 1)
            #expect(b.id == a.id + 1)
            #expect(try db.run(sql: "UPDATE teams SET created_at = ? WHERE id >= ?", arguments: [5, a.id]) == 2)
            #expect(try db.run(sql: "DELETE FROM teams WHERE id = ?", arguments: [-1]) == 0)
        }
    }

    @Test func valuesComeBackAsTheTypeAskedFor() throws {
        let database = try database()
        try database.write { db in
            let user = try UserRepository.insert(
                db, email: "Ada@X.example", name: "Ada ✓ 🙂 'quoted' \"too\"", role: .admin, passwordHash: nil,
                now: 1_700_000_000_123)
            #expect(user.name == "Ada ✓ 🙂 'quoted' \"too\"")
            #expect(user.enabled && !user.hasPassword)
            #expect(user.createdAt == 1_700_000_000_123)
            try UserRepository.update(db, id: user.id, enabled: false)
            #expect(try UserRepository.find(db, id: user.id)?.enabled == false)
            let missing: String? = try db.one(
                String.self, sql: "SELECT password_hash FROM users WHERE id = ?", arguments: [user.id])
            #expect(missing == nil)
            let exists = try db.one(
                Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)", arguments: [user.id])
            #expect(exists == true)
            let none: Int64? = nil
            #expect(try db.one(Int.self, sql: "SELECT count(*) FROM users WHERE ? IS NULL", arguments: [none]) == 1)
        }
    }

    /// Text is stored as given and read back byte for byte, whatever it holds; every kind of value
    /// keeps its kind; on SQLite a statement given the wrong number of values is refused, not run.
    @Test func valuesRoundTripExactlyAndArgumentsMustMatchThePlaceholders() throws {
        let database = try database()
        try database.write { db in
            let team = try TeamRepository.insert(db, name: "Round trip", now: 1)
            // PostgreSQL refuses a NUL in text; SQLite stores it.
            var texts = ["", " ", "ä\u{301}", "日本語 🙂\u{200F}", "\u{1B}[31m", String(repeating: "x", count: 70_000)]
            if case .sqlite = db.engine { texts.append("a\u{0}b") }
            for text in texts {
                let back = try db.one(String.self, sql: "SELECT ? FROM teams WHERE id = ?", arguments: [text, team.id])
                #expect(back == text && back?.utf8.count == text.utf8.count, "\(text.debugDescription)")
            }
            for number: Int64 in [0, -1, .max, .min] {
                #expect(try db.one(Int64.self, sql: "SELECT ? + 0", arguments: [number]) == number)
            }
            #expect(try db.one(Double.self, sql: "SELECT ? * 1.0", arguments: [0.125]) == 0.125)
            let none: String? = nil
            #expect(try db.one(String.self, sql: "SELECT ?", arguments: [none]) == nil)

        }
        // SQLite's statements are bound by parley itself (`SQLiteStatementRunner`): a count that
        // does not match is refused there. (libpq binds PostgreSQL's, typed.)
        guard try database.withConnection({ db in if case .sqlite = db.engine { true } else { false } }) else { return }
        #expect(throws: (any Error).self) {
            try database.write { db in
                try db.one(Int64.self, sql: "SELECT id FROM teams WHERE id = ? AND name = ?", arguments: [1])
            }
        }
        #expect(throws: (any Error).self) {
            try database.write { db in try db.run(sql: "DELETE FROM teams WHERE id >= ?", arguments: [1, 2]) }
        }
        let kept = try database.withConnection { db in try TeamRepository.find(db, name: "Round trip") }
        #expect(kept != nil, "the refused DELETE ran nothing")
    }

    @Test func emailsAndNamesIgnoreCaseAsOnBothEngines() throws {
        let database = try database()
        try database.write { db in
            _ = try UserRepository.insert(
                db, email: "Ada@X.example", name: "A", role: .admin, passwordHash: nil, now: 1)
            _ = try UserRepository.insert(
                db, email: "bob@x.example", name: "B", role: .agent, passwordHash: nil, now: 1)
            #expect(try UserRepository.find(db, email: "ada@x.EXAMPLE")?.email == "Ada@X.example")
            #expect(try UserRepository.emails(db, prefix: "AD", limit: 10) == ["Ada@X.example"])
            #expect(try UserRepository.list(db).map(\.email) == ["Ada@X.example", "bob@x.example"])
            _ = try TeamRepository.insert(db, name: "Night Shift", now: 1)
            #expect(throws: ParleyError.self) { _ = try TeamRepository.insert(db, name: "night shift", now: 1) }
        }
    }

    @Test func aConversationComesWithItsTagsAndTopicsInOrder() throws {
        let database = try database()
        try database.write { db in
            let channel = try ChannelRepository.insert(
                db, kind: .twitter, handle: "h", accountID: "sandbox:h", displayName: "@h", now: 0)
            let contact = try ConversationRepository.contact(db, channelID: channel.id, platformID: "9", handle: "c")
            let id = try ConversationRepository.insert(
                db, channelID: channel.id, contactID: contact.id,
                state: ConversationState(queue: .new, ownerID: nil, deadline: nil, limitSeconds: nil), now: 0)
            for tag in ["zeta", "alpha", "mid"] { try ConversationRepository.addTag(db, conversationID: id, tag: tag) }
            #expect(try ConversationRepository.addTag(db, conversationID: id, tag: "mid") == false)
            let found = try ConversationRepository.find(db, id: id)
            #expect(found?.tags == ["alpha", "mid", "zeta"])
            #expect(found?.topics == [])
        }
    }
}

/// How statements are written for PostgreSQL: pure text, tested without a server.
@Suite struct PostgresStatementTests {
    @Test func placeholdersAreNumberedOutsideQuotesAndComments() {
        #expect(PostgresStatement.numbered("SELECT ? , ?") == "SELECT $1 , $2")
        #expect(PostgresStatement.numbered("WHERE a = ?1 OR b = ?1 AND c = ?2") == "WHERE a = $1 OR b = $1 AND c = $2")
        #expect(PostgresStatement.numbered("SELECT '?', \"?\", ? -- ?\n, ?") == "SELECT '?', \"?\", $1 -- ?\n, $2")
        #expect(PostgresStatement.numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1")
    }

    @Test func connectionStringsAreToldFromPaths() {
        for s in ["postgresql://u@h/db", "POSTGRES://h", "host=/tmp dbname=x", " dbname=parley", "service=main"] {
            #expect(ParleyDatabase.isConnectionString(s), "\(s)")
        }
        for s in ["parley.db", "./a=b.db", "/var/lib/parley/org.db", "weird=name.db", ":memory:", "postgres.db"] {
            #expect(!ParleyDatabase.isConnectionString(s), "\(s)")
        }
    }
}
