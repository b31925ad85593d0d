import Foundation
import ParleyCore

/// parley's one connection to a PostgreSQL database, with what it keeps across statements:
/// where the connection string points (to connect again after the server restarts), the open
/// transaction and savepoints, and the statements already numbered for PostgreSQL.
///
/// Transactions are SERIALIZABLE: PostgreSQL runs writers at once, and this level makes the
/// rules that read before they write (the last enabled admin, the first reply's owner, a queue
/// move against an inbound message) hold as if the transactions had run one after the other.
/// One that loses to a concurrent one (SQLSTATE 40001 or 40P01) is undone and run again, as is
/// one that lost its connection before it committed.
///
/// While the database holds no parley schema, a transaction that only reads creates the empty
/// schema inside itself and rolls it back at its end: commands that read see an empty
/// organisation and leave the database as they found it. The first transaction that writes
/// creates the schema for good.
package final class PostgresSession {
    let connectionString: String
    private(set) var connection: PostgresConnection
    /// 0 outside a transaction; 1 inside one; each savepoint adds 1.
    private(set) var depth = 0
    /// Whether parley's schema exists (false until a writing transaction creates it).
    private(set) var schemaReady = false
    /// The open transaction created the schema only to read it: it rolls back at its end.
    private var provisional = false
    /// The open transaction created the schema: undoing it undoes the schema too.
    private var createdSchema = false
    private var numbered: [String: String] = [:]

    /// How long a transaction that keeps losing to concurrent ones, or a server that does not
    /// come back, is waited for before the command fails.
    static let retryWindow: TimeInterval = 30

    package var host: String { connection.host }
    package var port: String { connection.port }

    init(connectionString: String) throws {
        self.connectionString = connectionString
        connection = try PostgresConnection(connectionString)
        try prepareConnection()
        schemaReady = try checkSchema()
    }

    /// Every statement names parley's tables without their schema: `parley` comes first.
    private func prepareConnection() throws {
        try connection.execute("SET search_path TO \(PostgresSchema.name)")
    }

    /// Whether parley's schema is there, brought to this parley's version when it is older.
    /// A schema named `parley` that parley did not create is refused, untouched.
    func checkSchema() throws -> Bool {
        let found = try connection.execute(
            """
            SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1),
                   (SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version')
            """, [PostgresSchema.name], types: [.text])
        let row = found.rows.first ?? []
        guard row.first == "1" else { return false }
        guard row.count > 1, row[1] == "1" else {
            throw ParleyError.storage(.notParleys, Self.notParleys("it has no parley.schema_version table"))
        }
        let version = try connection.execute(
            "SELECT version FROM \(PostgresSchema.name).schema_version WHERE application = 'parley'")
        guard let text = version.rows.first?.first ?? nil, let number = Int(text) else {
            throw ParleyError.storage(.notParleys, Self.notParleys("its schema_version names no parley version"))
        }
        if number > PostgresSchema.version {
            throw ParleyError.storage(
                .other,
                "the database's parley schema is version \(number), newer than this parley knows "
                    + "(\(PostgresSchema.version)): use a newer parley")
        }
        if number < PostgresSchema.version {
            try migrate(from: number)
        }
        return true
    }

    static func notParleys(_ why: String) -> String {
        "the PostgreSQL database has a schema named \(PostgresSchema.name) that is not parley's (\(why)); "
            + "parley left it untouched: give --db another database"
    }

    private func migrate(from version: Int) throws {
        if depth > 0 {
            for step in PostgresSchema.steps where step.version > version { try connection.executeScript(step.sql) }
            return
        }
        try connection.execute("BEGIN")
        do {
            for step in PostgresSchema.steps where step.version > version {
                try connection.executeScript(step.sql)
            }
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    // MARK: Statements

    /// Runs one statement: at the top level (no transaction) on its own, reconnecting first when
    /// the server went away; inside a transaction as it is.
    func execute(_ sql: String, _ arguments: SQLArguments) throws -> PostgresConnection.Rows {
        if depth == 0 {
            if !schemaReady {
                // Reading an organisation that does not exist yet creates nothing; the first
                // statement that writes creates the schema for good.
                return try transaction(write: !Self.onlyReads(sql)) { try run(sql, arguments) }
            }
            do {
                return try run(sql, arguments)
            } catch let error as ParleyError where Self.isLostConnection(error) {
                // A statement outside a transaction only reads: run it again on a new connection.
                try reconnect()
                return try run(sql, arguments)
            }
        }
        return try run(sql, arguments)
    }

    /// Whether a statement only reads (a SELECT, or VALUES).
    static func onlyReads(_ sql: String) -> Bool {
        let start = sql.drop(while: { $0 == " " || $0 == "\n" || $0 == "(" }).prefix(6).uppercased()
        return start.hasPrefix("SELECT") || start.hasPrefix("VALUES")
    }

    private func run(_ sql: String, _ arguments: SQLArguments) throws -> PostgresConnection.Rows {
        let text: String
        if let known = numbered[sql] {
            text = known
        } else {
            text = PostgresStatement.numbered(sql)
            numbered[sql] = text
        }
        return try connection.execute(
            text, arguments.values.map(\.text), types: PostgresStatement.types(arguments.values))
    }

    // MARK: Transactions

    var isInsideTransaction: Bool { depth > 0 }

    /// Runs `body` in a transaction of its own, committed at its end, run again when it loses to
    /// a concurrent transaction or the connection is lost before its commit. Inside an open
    /// transaction it is a savepoint instead, undone alone when `body` throws.
    func transaction<T>(write: Bool, _ body: () throws -> T) throws -> T {
        if depth > 0 { return try savepoint(body) }
        let started = Date()
        var attempt = 0
        while true {
            do {
                return try attemptTransaction(write: write, body)
            } catch let error as ParleyError {
                let lost = Self.isLostConnection(error)
                guard Self.isRetryable(error) || lost, Date().timeIntervalSince(started) < Self.retryWindow else {
                    throw error
                }
                attempt += 1
                if lost {
                    try reconnect()
                } else {
                    usleep(UInt32.random(in: 200...2000) * UInt32(min(attempt, 20)))
                }
            }
        }
    }

    private func attemptTransaction<T>(write: Bool, _ body: () throws -> T) throws -> T {
        try begin()
        do {
            if !schemaReady {
                if try checkSchema() {
                    schemaReady = true
                } else {
                    for step in PostgresSchema.steps { try connection.executeScript(step.sql) }
                    provisional = !write
                    createdSchema = write
                }
            }
            let result = try body()
            if provisional {
                try finishProvisional()
            } else {
                if !schemaReady { schemaReady = true }
                try commitChecked()
            }
            return result
        } catch {
            abandon()
            throw error
        }
    }

    /// Ends a read on the schema created only for it: nothing of it stays.
    private func finishProvisional() throws {
        provisional = false
        depth = 0
        try connection.execute("ROLLBACK")
    }

    /// Commits, and when the connection is lost during the commit, asks the server once it is
    /// back whether the transaction committed: a command is applied once, never twice.
    private func commitChecked() throws {
        let xid = try connection.execute("SELECT txid_current_if_assigned()").rows.first?.first ?? nil
        do {
            try commit()
        } catch let error as ParleyError where Self.isLostConnection(error) {
            guard let xid else { throw error }
            try reconnect()
            let status = try connection.execute("SELECT txid_status($1)", [xid], types: [.bigint])
            if status.rows.first?.first == "committed" { return }
            throw error
        }
    }

    /// After a failure: the transaction is rolled back (or gone with the connection).
    private func abandon() {
        provisional = false
        forgetSchemaIfCreated()
        if depth > 0 {
            depth = 0
            if connection.isConnected { _ = try? connection.execute("ROLLBACK") }
        }
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        try begin()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            if connection.isConnected { try? rollback() }
            throw error
        }
    }

    /// Opens a transaction (a savepoint inside one).
    func begin() throws {
        if depth == 0 {
            try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        } else {
            try connection.execute("SAVEPOINT s\(depth)")
        }
        depth += 1
    }

    /// Commits what `begin` opened. A transaction PostgreSQL had to abort commits as a rollback:
    /// that is an error here, never a silent loss.
    func commit() throws {
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            if provisional {
                provisional = false
                try connection.execute("ROLLBACK")
                return
            }
            createdSchema = false
            try connection.execute("COMMIT")
        } else {
            try connection.execute("RELEASE SAVEPOINT s\(depth)")
        }
    }

    func rollback() throws {
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            provisional = false
            forgetSchemaIfCreated()
            try connection.execute("ROLLBACK")
        } else {
            try connection.execute("ROLLBACK TO SAVEPOINT s\(depth)")
            try connection.execute("RELEASE SAVEPOINT s\(depth)")
        }
    }

    /// A script's `begin`: a transaction that stays open across commands, creating parley's
    /// schema first when the database has none.
    func beginLong() throws {
        try begin()
        if !schemaReady {
            do {
                if try checkSchema() {
                    schemaReady = true
                } else {
                    for step in PostgresSchema.steps { try connection.executeScript(step.sql) }
                    schemaReady = true
                    createdSchema = true
                }
            } catch {
                abandon()
                throw error
            }
        }
    }

    /// A rolled-back transaction that had created the schema leaves the database without one.
    private func forgetSchemaIfCreated() {
        if createdSchema {
            schemaReady = false
            createdSchema = false
        }
    }

    // MARK: Connection

    static func isRetryable(_ error: ParleyError) -> Bool {
        if case .storage(let failure, _) = error { return failure.isRetryable }
        return false
    }

    static func isLostConnection(_ error: ParleyError) -> Bool {
        if case .storage(.unavailable, _) = error { return true }
        return false
    }

    /// Connects again, waiting while the server restarts, up to `retryWindow`. Whatever
    /// transaction was open is gone with the old connection.
    func reconnect() throws {
        depth = 0
        provisional = false
        forgetSchemaIfCreated()
        numbered = [:]
        let started = Date()
        while true {
            do {
                connection = try PostgresConnection(connectionString)
                try prepareConnection()
                return
            } catch let error as ParleyError {
                guard Date().timeIntervalSince(started) < Self.retryWindow else { throw error }
                usleep(200_000)
            }
        }
    }
}
