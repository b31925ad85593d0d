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
    /// A script's `begin` … `commit` is open (a transaction that spans commands).
    private var longTransaction = false
    /// The connection was lost inside the script's transaction: the server dropped all of it.
    /// Every statement fails until `commit` (which reports the loss) or `rollback` ends it.
    private var lostInside = false

    /// How long a transaction that keeps losing to concurrent ones, or a server that does not
    /// come back, is waited for before the command fails.
    let retryWindow: TimeInterval
    static let defaultRetryWindow: TimeInterval = 30
    static let retryWindowVariable = "PARLEY_PG_RETRY_SECONDS"

    package var host: String { connection.host }
    package var port: String { connection.port }

    init(connectionString: String, environment: [String: String] = ProcessEnvironment.current) throws {
        retryWindow = try Self.retryWindow(environment)
        self.connectionString = connectionString
        connection = try PostgresConnection(connectionString)
        try prepareConnection()
        schemaReady = try checkSchema()
    }

    /// The retry window: PARLEY_PG_RETRY_SECONDS when set (seconds, fractions allowed, 0 to 3600).
    static func retryWindow(_ environment: [String: String]) throws -> TimeInterval {
        guard let given = environment[retryWindowVariable], !given.isEmpty else { return defaultRetryWindow }
        guard let seconds = Double(given), seconds.isFinite, seconds >= 0, seconds <= 3600 else {
            throw ParleyError.invalidValue(
                "\(retryWindowVariable) must be a number of seconds from 0 to 3600 (how long parley runs again "
                    + "a transaction that loses to concurrent ones, or waits for the server to come back), "
                    + "not '\(given)'")
        }
        return seconds
    }

    /// Seconds as people read them: `30`, `1.5`.
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
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
                   (SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version'),
                   (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = 'schema_version' AND NOT a.attisdropped
                        AND a.attname IN ('application', 'version'))
            """, [PostgresSchema.name], types: [.text])
        let row = found.rows.first ?? []
        guard row.first == "1" else { return false }
        guard row.count > 2, row[1] == "1" else {
            throw ParleyError.storage(.notParleys, Self.notParleys("it has no parley.schema_version table"))
        }
        // Another application's table of that name is not read: it lacks parley's columns.
        guard row[2] == "2" else {
            throw ParleyError.storage(
                .notParleys, Self.notParleys("its schema_version table is not parley's: it lacks parley's columns"))
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
        if lostInside && depth == 1 {
            // A read between two commands of the lost transaction (the clock, what is due): on a
            // new connection, so that `commit` and `rollback` still reach the store.
            if !connection.isConnected { try connectAgain(since: Date()) }
            return try runStatement(sql, arguments)
        }
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
                try reconnect(since: Date())
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

    /// Hands `body` the rows of a query one at a time (see `PostgresConnection.stream`), inside
    /// the open transaction or as a statement of its own.
    func stream(_ sql: String, _ arguments: SQLArguments, _ body: ([String], [String?]) throws -> Void) throws {
        if depth == 0 && !schemaReady {
            let result = try execute(sql, arguments)
            for row in result.rows { try body(result.columns, row) }
            return
        }
        try checkNotLostInside()
        try connection.stream(
            PostgresStatement.numbered(sql), arguments.values.map(\.text),
            types: PostgresStatement.types(arguments.values), body)
    }

    private func run(_ sql: String, _ arguments: SQLArguments) throws -> PostgresConnection.Rows {
        try checkNotLostInside()
        do {
            return try runStatement(sql, arguments)
        } catch let error as ParleyError where longTransaction && Self.isLostConnection(error) {
            throw loseLongTransaction()
        }
    }

    private func runStatement(_ sql: String, _ arguments: SQLArguments) throws -> PostgresConnection.Rows {
        let text: String
        if let known = numbered[sql] {
            text = known
        } else {
            text = PostgresStatement.numbered(sql)
            numbered[sql] = text
        }
        return try connection.executePrepared(
            text, arguments.values.map(\.text), types: PostgresStatement.types(arguments.values))
    }

    /// The script's transaction is gone with its connection: from here on, until `commit` or
    /// `rollback`, every command fails with this error.
    private func loseLongTransaction() -> ParleyError {
        lostInside = true
        return lostInsideError
    }

    private var lostInsideError: ParleyError {
        .storage(
            .unavailable,
            "lost the connection to PostgreSQL at host \(host) port \(port) inside `begin` … `commit`: "
                + "the server dropped everything since `begin`, and nothing of it will be kept; "
                + "commands fail until `rollback` (or `commit`) ends it")
    }

    private func checkNotLostInside() throws {
        if lostInside { throw lostInsideError }
    }

    // MARK: Transactions

    var isInsideTransaction: Bool { depth > 0 }

    /// Runs `body` in a transaction of its own, committed at its end, run again when it loses to
    /// a concurrent transaction or the connection is lost before its commit. Inside an open
    /// transaction it is a savepoint instead, undone alone when `body` throws.
    /// With `lockOutLong`, the transaction first takes the lock a script's `begin` holds in share
    /// mode (`lockOutLongTransactions`), sent with its BEGIN: one round trip for both.
    func transaction<T>(write: Bool, lockOutLong: Bool = false, _ body: () throws -> T) throws -> T {
        if depth > 0 { return try savepoint(body) }
        let started = Date()
        var attempt = 0
        while true {
            do {
                return try attemptTransaction(write: write, lockOutLong: lockOutLong, body)
            } catch let error as ParleyError {
                let lost = Self.isLostConnection(error)
                guard Self.isRetryable(error) || lost else { throw error }
                attempt += 1
                guard Date().timeIntervalSince(started) < retryWindow else {
                    throw lost ? error : gaveUp(error, tries: attempt)
                }
                if lost {
                    try reconnect(since: started)
                } else {
                    usleep(UInt32.random(in: 200...2000) * UInt32(min(attempt, 20)))
                }
            }
        }
    }

    /// The error of a transaction that lost to concurrent ones for the whole retry window.
    private func gaveUp(_ error: ParleyError, tries: Int) -> ParleyError {
        guard case .storage(let failure, let message) = error, failure == .serialization else { return error }
        let why = message.range(of: "run it again: ").map { String(message[$0.upperBound...]) } ?? message
        return .storage(
            failure,
            "the transaction kept losing to concurrent ones for \(Self.seconds(retryWindow))s (\(tries) tries) "
                + "and was undone, nothing was changed: run the command again when the database is less busy "
                + "(\(Self.retryWindowVariable) sets how long parley keeps trying; last: \(why))")
    }

    /// The statement that keeps a command's write transaction out while a `begin` … `commit` is
    /// open: it fails at once (SQLSTATE 55P03, retried like a conflict) instead of waiting.
    static let lockOutLongTransactions = "LOCK TABLE meta IN ROW EXCLUSIVE MODE NOWAIT"

    private func attemptTransaction<T>(write: Bool, lockOutLong: Bool, _ body: () throws -> T) throws -> T {
        var locked = false
        var xid: String? = nil
        if lockOutLong && schemaReady && depth == 0 && !lostInside {
            depth = 1
            do {
                // One round trip: begin, the lock, and the transaction's id for `commitChecked`.
                let begun = try connection.executeScript(
                    "BEGIN ISOLATION LEVEL SERIALIZABLE; \(Self.lockOutLongTransactions); SELECT txid_current()")
                xid = begun.rows.first?.first ?? nil
            } catch {
                abandon()
                throw error
            }
            locked = true
        } else {
            try begin()
        }
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
            if lockOutLong && !locked { _ = try run(Self.lockOutLongTransactions, []) }
            let result = try body()
            if provisional {
                try finishProvisional()
            } else {
                if !schemaReady { schemaReady = true }
                try commitChecked(knownID: xid)
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
        connection.forgetPrepared()
        depth = 0
        try connection.execute("ROLLBACK")
    }

    /// Commits, and when the connection is lost during the commit, asks the server once it is
    /// back whether the transaction committed: a command is applied once, never twice.
    /// `knownID` is the transaction's id when it was read with its BEGIN.
    private func commitChecked(knownID: String? = nil) throws {
        let xid: String?
        if let knownID {
            xid = knownID
        } else {
            xid = try connection.execute("SELECT txid_current_if_assigned()").rows.first?.first ?? nil
        }
        do {
            try commit()
        } catch let error as ParleyError where Self.isLostConnection(error) {
            // A transaction that wrote nothing has nothing to lose: run it again.
            guard let xid else { throw error }
            let started = Date()
            do {
                try reconnect(since: started)
                while true {
                    let status = try connection.execute("SELECT txid_status($1)", [xid], types: [.bigint])
                    switch status.rows.first?.first ?? nil {
                    case "committed": return
                    case "in progress" where Date().timeIntervalSince(started) < retryWindow:
                        // The server is still finishing the commit the lost connection sent.
                        usleep(50_000)
                    case "in progress":
                        throw ParleyError.storage(.other, unknownOutcome("it is still committing"))
                    default:
                        // Aborted (or forgotten): nothing of it was kept, and it runs again.
                        throw error
                    }
                }
            } catch let failure as ParleyError where failure != error && Self.isLostConnection(failure) {
                throw ParleyError.storage(.other, unknownOutcome(failure.message))
            }
        }
    }

    /// When parley cannot learn whether a commit whose answer was lost went through.
    private func unknownOutcome(_ why: String) -> String {
        "the connection to PostgreSQL at host \(host) port \(port) was lost while committing, and parley could "
            + "not learn whether the command was kept (\(why)): check before running it again"
    }

    /// After a failure: the transaction is rolled back (or gone with the connection).
    private func abandon() {
        if provisional { connection.forgetPrepared() }
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
            if !lostInside && connection.isConnected { try? rollback() }
            throw error
        }
    }

    /// Opens a transaction (a savepoint inside one).
    func begin() throws {
        try checkNotLostInside()
        do {
            if depth == 0 {
                try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            } else {
                try connection.execute("SAVEPOINT s\(depth)")
            }
        } catch let error as ParleyError where longTransaction && Self.isLostConnection(error) {
            throw loseLongTransaction()
        }
        depth += 1
    }

    /// Ends a script's transaction that the connection took with it; the next statement connects again.
    private func endLostTransaction() {
        lostInside = false
        longTransaction = false
        provisional = false
        depth = 0
    }

    /// Commits what `begin` opened. A transaction PostgreSQL had to abort commits as a rollback:
    /// that is an error here, never a silent loss.
    func commit() throws {
        if lostInside {
            let error = lostInsideError
            endLostTransaction()
            throw error
        }
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            let long = longTransaction
            longTransaction = false
            if provisional {
                provisional = false
                connection.forgetPrepared()
                try connection.execute("ROLLBACK")
                return
            }
            createdSchema = false
            do {
                try connection.execute("COMMIT")
            } catch let error as ParleyError where long && Self.isLostConnection(error) {
                throw ParleyError.storage(
                    .unavailable,
                    "lost the connection to PostgreSQL at host \(host) port \(port) while committing the "
                        + "transaction opened by `begin`: check whether its commands were kept before running "
                        + "them again")
            }
        } else {
            do {
                try connection.execute("RELEASE SAVEPOINT s\(depth)")
            } catch let error as ParleyError where longTransaction && Self.isLostConnection(error) {
                throw loseLongTransaction()
            }
        }
    }

    func rollback() throws {
        if lostInside {
            endLostTransaction()
            return
        }
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            if provisional { connection.forgetPrepared() }
            provisional = false
            forgetSchemaIfCreated()
            longTransaction = false
            // A rollback on a lost connection has nothing left to undo.
            do { try connection.execute("ROLLBACK") } catch let error as ParleyError where Self.isLostConnection(error)
            {}
        } else {
            do {
                try connection.execute("ROLLBACK TO SAVEPOINT s\(depth)")
                try connection.execute("RELEASE SAVEPOINT s\(depth)")
            } catch let error as ParleyError where longTransaction && Self.isLostConnection(error) {
                throw loseLongTransaction()
            }
        }
    }

    /// A script's `begin`: a transaction that stays open across commands, creating parley's
    /// schema first when the database has none.
    func beginLong() throws {
        if depth == 0 && !connection.isConnected { try reconnect(since: Date()) }
        do {
            try begin()
        } catch let error as ParleyError where depth == 0 && Self.isLostConnection(error) {
            // Nothing was open yet: connect again and begin there.
            try reconnect(since: Date())
            try begin()
        }
        if depth == 1 { longTransaction = true }
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
            connection.forgetPrepared()
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

    /// Connects again, waiting while the server restarts, until `retryWindow` has passed since
    /// `since`. Whatever transaction was open is gone with the old connection.
    func reconnect(since started: Date = Date()) throws {
        depth = 0
        provisional = false
        forgetSchemaIfCreated()
        try connectAgain(since: started)
    }

    /// Replaces the connection, waiting for the server as `reconnect` does.
    private func connectAgain(since started: Date) throws {
        numbered = [:]
        while true {
            do {
                connection = try PostgresConnection(connectionString)
                try prepareConnection()
                return
            } catch let error as ParleyError {
                guard Self.isLostConnection(error) else { throw error }
                guard Date().timeIntervalSince(started) < retryWindow else {
                    throw ParleyError.storage(
                        .unavailable,
                        "lost the connection to PostgreSQL, and it did not come back within "
                            + "\(Self.seconds(retryWindow))s: \(error.message)")
                }
                usleep(100_000)
            }
        }
    }
}
