import Foundation
import GRDB
import ParleyCore
import Testing

@testable import ParleyStore

/// parley writes only to its own databases: anything else is refused before a byte changes.
@Suite struct DatabaseIdentityTests {
    /// A fresh folder for one test.
    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "parley-identity-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func listing(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    func sqlite(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try queue.close()
    }

    func applicationID(_ path: String) throws -> Int32 {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0 }
    }

    /// Opening `path` must fail with an invalid-value error naming it, and leave the folder as it was.
    func expectRefused(_ dir: String, _ path: String) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let files = try listing(dir)
        var caught: ParleyError?
        do {
            _ = try ParleyDatabase(path: path)
        } catch let error as ParleyError {
            caught = error
        }
        guard case .storage(.notParleys, let message)? = caught else {
            Issue.record("expected a refusal, got \(String(describing: caught))")
            return
        }
        #expect(message.contains(path))
        #expect(message.contains("is not a parley database"))
        #expect(!message.contains("\n"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try listing(dir) == files)
    }

    @Test func anotherApplicationsSQLiteFileIsRefusedUnchanged() throws {
        let dir = try folder()
        let path = dir + "/other.db"
        try sqlite(path, "CREATE TABLE foo(x); INSERT INTO foo VALUES (1)")
        try expectRefused(dir, path)
    }

    @Test func aFileMarkedByAnotherApplicationIsRefusedUnchanged() throws {
        let dir = try folder()
        let path = dir + "/marked.db"
        try sqlite(path, "PRAGMA application_id = 42; CREATE TABLE users(x)")
        try expectRefused(dir, path)
    }

    @Test func anSQLiteFileInWALModeOfAnotherApplicationIsRefusedUnchanged() throws {
        let dir = try folder()
        let path = dir + "/wal.db"
        try sqlite(path, "PRAGMA journal_mode = WAL; CREATE TABLE foo(x)")
        try expectRefused(dir, path)
    }

    @Test func textAndRandomBytesAreRefusedUnchanged() throws {
        let dir = try folder()
        let text = dir + "/notes.txt"
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: text))
        try expectRefused(dir, text)
        let random = dir + "/random.bin"
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: random))
        try expectRefused(dir, random)
    }

    @Test func aNewDatabaseCarriesParleysApplicationIDAndSchemaVersion() throws {
        let dir = try folder()
        let path = dir + "/new.db"
        let database = try ParleyDatabase(path: path)
        database.close()
        #expect(try applicationID(path) == 0x5052_4C59)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        #expect(
            try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Int(Schema.version),
            "the number of the last migration")
        #expect(Int(Schema.version) == Schema.migrator.migrations.count)
        #expect(try DatabaseIdentity.inspect(path: path) == .parley(schemaVersion: Schema.version, wal: true))
    }

    /// Opening skips the migrator only for a file at the current version: one a migration behind
    /// (its header says so) is migrated on open.
    @Test func aDatabaseAMigrationBehindIsMigratedOnOpen() throws {
        let dir = try folder()
        let path = dir + "/behind.db"
        let queue = try DatabaseQueue(path: path)
        let migrations = Schema.migrator.migrations
        try Schema.migrator.migrate(queue, upTo: migrations[migrations.count - 2])
        _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        try queue.close()
        #expect(try DatabaseIdentity.inspect(path: path) == .parley(schemaVersion: Schema.version - 1, wal: true))

        let database = try ParleyDatabase(path: path)
        let applied = try database.withConnection { db in
            try db.one(Int.self, sql: "SELECT count(*) FROM grdb_migrations")
        }
        database.close()
        #expect(applied == migrations.count)
        #expect(try DatabaseIdentity.inspect(path: path) == .parley(schemaVersion: Schema.version, wal: true))
    }

    @Test func aZeroByteFileIsANewDatabase() throws {
        let dir = try folder()
        let path = dir + "/empty.db"
        FileManager.default.createFile(atPath: path, contents: Data())
        let database = try ParleyDatabase(path: path)
        let users = try database.withConnection { db in try db.one(Int.self, sql: "SELECT count(*) FROM users") }
        database.close()
        #expect(users == 0)
        #expect(try applicationID(path) == 0x5052_4C59)
    }

    @Test func aDatabaseOfAnEarlierParleyOpensAndGainsTheApplicationID() throws {
        let dir = try folder()
        let path = dir + "/earlier.db"
        // What an earlier parley left: its tables and migrations, no application id.
        let queue = try DatabaseQueue(path: path)
        let earlier = Schema.migrator.migrations.prefix { $0 != Schema.identityMigration }
        try Schema.migrator.migrate(queue, upTo: earlier.last!)
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users(email, name, role, created_at) VALUES ('a@x.example', 'A', 'admin', 0)
                    """)
        }
        try queue.close()
        #expect(try applicationID(path) == 0)
        #expect(try DatabaseIdentity.inspect(path: path) == .earlierParley)

        let database = try ParleyDatabase(path: path)
        let email = try database.withConnection { db in try db.one(String.self, sql: "SELECT email FROM users") }
        database.close()
        #expect(email == "a@x.example")
        #expect(try applicationID(path) == 0x5052_4C59)
        #expect(try DatabaseIdentity.inspect(path: path) == .parley(schemaVersion: Schema.version, wal: true))
    }

    @Test func anSQLiteFileWithParleysTablesButNotItsMigrationsIsRefused() throws {
        let dir = try folder()
        let path = dir + "/lookalike.db"
        try sqlite(
            path,
            """
            CREATE TABLE grdb_migrations(identifier TEXT); INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE meta(x); CREATE TABLE users(x); CREATE TABLE channels(x);
            CREATE TABLE conversations(x); CREATE TABLE messages(x)
            """)
        try expectRefused(dir, path)
    }

    @Test func aFolderIsRefused() throws {
        let dir = try folder()
        let inner = dir + "/a-folder"
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        #expect(throws: ParleyError.self) { _ = try ParleyDatabase(path: inner) }
        #expect(try listing(inner).isEmpty)
    }

    @Test func pathsWithURICharactersAreInspectedAsFiles() throws {
        let dir = try folder()
        let path = dir + "/odd?name#100%.db"
        let database = try ParleyDatabase(path: path)
        database.close()
        #expect(try DatabaseIdentity.holdsParleySchema(path))
        // The file and its -wal and -shm files (kept between runs), nothing named after a part
        // of the path as a URI would read it.
        #expect(try listing(dir) == ["odd?name#100%.db", "odd?name#100%.db-shm", "odd?name#100%.db-wal"])
    }
}
