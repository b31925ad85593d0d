import Foundation
import ParleyCore
import Testing

@testable import ParleyStore

/// PostgresConnection against a real server: scripts/test starts a throwaway cluster
/// (scripts/pg-cluster) and names it in PARLEY_TEST_PG.
@Suite struct PostgresConnectionTests {
    /// The test cluster's connection string, or a recorded failure saying how to get one.
    func cluster() -> String? {
        if let conninfo = ProcessInfo.processInfo.environment["PARLEY_TEST_PG"], !conninfo.isEmpty { return conninfo }
        Issue.record(
            """
            needs PARLEY_TEST_PG, a PostgreSQL connection string: run scripts/test, or \
            export PARLEY_TEST_PG=$(scripts/pg-cluster start /tmp/parley-pg)
            """)
        return nil
    }

    /// The error `body` throws, as a ParleyError.
    func parleyError(_ body: () throws -> Void) -> ParleyError? {
        do { try body() } catch let error as ParleyError { return error } catch {
            Issue.record("not a ParleyError: \(error)")
        }
        return nil
    }

    /// The failure and message of the `ParleyError.storage` that `body` throws.
    func storageError(_ body: () throws -> Void) -> (failure: StorageFailure, message: String)? {
        let error = parleyError(body)
        guard case .storage(let failure, let message)? = error else {
            Issue.record("not a storage error: \(String(describing: error))")
            return nil
        }
        return (failure, message)
    }

    /// A table name no other test run uses.
    func table() -> String { "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    @Test func writesAndReadsBackWithParameters() throws {
        guard let conninfo = cluster() else { return }
        let db = try PostgresConnection(conninfo)
        let name = table()
        try db.execute("CREATE TABLE \(name) (id integer PRIMARY KEY, body text, note text)")
        defer { _ = try? db.execute("DROP TABLE \(name)") }
        let insert = "INSERT INTO \(name) (id, body, note) VALUES ($1, $2, $3)"
        let inserted = try db.execute(insert, ["1", "héllo ✓ 你好 🙂", nil])
        #expect(inserted == PostgresConnection.Rows(columns: [], rows: [], affected: 1))
        try db.execute(insert, ["2", "it's \"quoted\"; DROP", ""])
        let read = try db.execute("SELECT id, body, note FROM \(name) WHERE id >= $1 ORDER BY id", ["1"])
        #expect(read.columns == ["id", "body", "note"])
        #expect(read.rows == [["1", "héllo ✓ 你好 🙂", nil], ["2", "it's \"quoted\"; DROP", ""]])
        let none = try db.execute("SELECT id FROM \(name) WHERE id = $1", ["3"])
        #expect(none.columns == ["id"] && none.rows.isEmpty)
        #expect(db.port == "5432")
    }

    @Test func aSyntaxErrorCarriesItsSQLState() throws {
        guard let conninfo = cluster() else { return }
        let db = try PostgresConnection(conninfo)
        guard let (failure, message) = storageError({ try db.execute("SELEC 1") }) else { return }
        #expect(failure == .other)
        #expect(message.contains("SQLSTATE 42601"), "\(message)")
        #expect(message.contains("syntax error"), "\(message)")
        #expect(!message.contains("\n"))
        // The connection is still usable after a failed statement.
        #expect(try db.execute("SELECT 1 AS one").rows == [["1"]])
    }

    @Test func aDuplicateIsAConstraintFailure() throws {
        guard let conninfo = cluster() else { return }
        let db = try PostgresConnection(conninfo)
        let name = table()
        try db.execute("CREATE TABLE \(name) (id integer PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(name)") }
        try db.execute("INSERT INTO \(name) VALUES ($1)", ["1"])
        guard let (failure, message) = storageError({ try db.execute("INSERT INTO \(name) VALUES ($1)", ["1"]) })
        else { return }
        #expect(failure == .constraint)
        #expect(message.contains("SQLSTATE 23505"))
    }

    @Test func serializationFailureAndDeadlockAreRetryable() throws {
        #expect(PostgresConnection.failure(sqlState: "40001") == .serialization)
        #expect(PostgresConnection.failure(sqlState: "40P01") == .serialization)
        #expect(StorageFailure.serialization.isRetryable && StorageFailure.busy.isRetryable)
        #expect(!PostgresConnection.failure(sqlState: "42601").isRetryable)
        #expect(PostgresConnection.failure(sqlState: "08006") == .unavailable)

        // A real one: two transactions at SERIALIZABLE that read what the other writes.
        guard let conninfo = cluster() else { return }
        let a = try PostgresConnection(conninfo)
        let b = try PostgresConnection(conninfo)
        let name = table()
        try a.execute("CREATE TABLE \(name) (k text PRIMARY KEY, v integer)")
        defer { _ = try? a.execute("DROP TABLE \(name)") }
        try a.execute("INSERT INTO \(name) VALUES ('x', 0), ('y', 0)")
        for db in [a, b] { try db.execute("BEGIN ISOLATION LEVEL SERIALIZABLE") }
        _ = try a.execute("SELECT sum(v) FROM \(name)")
        _ = try b.execute("SELECT sum(v) FROM \(name)")
        try a.execute("UPDATE \(name) SET v = 1 WHERE k = 'x'")
        try b.execute("UPDATE \(name) SET v = 1 WHERE k = 'y'")
        try a.execute("COMMIT")
        guard let (failure, message) = storageError({ try b.execute("COMMIT") }) else { return }
        #expect(failure == .serialization && failure.isRetryable)
        #expect(message.contains("SQLSTATE 40001") && message.contains("run it again"), "\(message)")
    }

    @Test func aFailedConnectionIsOneLineNamingHostAndPort() {
        let folder = "/tmp/parley-no-such-folder-" + UUID().uuidString
        let conninfo = "host=\(folder) port=5499 dbname=parley user=postgres"
        guard let (failure, message) = storageError({ _ = try PostgresConnection(conninfo) }) else { return }
        #expect(failure == .unavailable)
        #expect(message.contains("host \(folder) port 5499"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func thePasswordNeverShows() {
        let folder = "/tmp/parley-no-such-folder-" + UUID().uuidString
        let secret = "Sw0rdfish-" + UUID().uuidString.prefix(8)
        let uriFolder = folder.replacingOccurrences(of: "/", with: "%2F")
        let strings = [
            "host=\(folder) dbname=parley user=postgres password=\(secret)",
            "host=\(folder) password='\(secret)' dbname=parley",
            "postgresql://postgres:\(secret)@\(uriFolder)/parley",
            "postgresql://postgres@/parley?host=\(folder)&password=\(secret)",
            // Unreadable strings: libpq quotes the pieces it cannot read.
            "host=\(folder) password \(secret)",
            "postgresql://postgres:\(secret)@[::1/parley",
            "postgres://postgres:\(secret)%zz@localhost/parley",
        ]
        for conninfo in strings {
            let error = parleyError { _ = try PostgresConnection(conninfo) }
            #expect(error != nil, "\(conninfo)")
            if let message = error?.message {
                #expect(!message.contains(secret), "\(message)")
                #expect(!message.contains(secret.prefix(8)), "\(message)")
            }
            let shown = PostgresConnection.redacted(conninfo)
            #expect(!shown.contains(secret.prefix(8)), "\(shown)")
        }
        #expect(PostgresConnection.redacted("host=h dbname=d") == "host=h dbname=d")
        #expect(PostgresConnection.redacted("postgresql://u:p@h/d") == "postgresql://u:***@h/d")
    }

    @Test func aWrongPasswordIsNotShownEither() throws {
        guard let conninfo = cluster() else { return }
        // The test cluster trusts its socket, so any password is accepted: a statement's error
        // must not show it all the same.
        let secret = "Hunter2-" + UUID().uuidString.prefix(8)
        let db = try PostgresConnection(conninfo + " password=\(secret)")
        let error = parleyError { try db.execute("SELECT '\(secret)'::integer") }
        #expect(error != nil)
        #expect(error.map { !$0.message.contains(secret) } ?? true, "\(String(describing: error))")
    }
}
