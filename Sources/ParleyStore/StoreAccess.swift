import GRDB
import GRDBSQLite
import ParleyCore

/// An open connection to the store, handed to the closures `ParleyDatabase.withConnection`,
/// `read` and `write` run. It is all that code above the store holds of the database: every
/// store operation (`UserRepository.find`, `Inbox.sweep`, …) takes it, and its only powers of
/// its own are transaction control. SQL, statements and the engine's errors stay inside
/// ParleyStore (like GRDB's `DatabaseReader`/`DatabaseWriter`, a narrow surface on purpose).
///
/// Valid only inside the closure it was handed to.
package struct StoreAccess {
    /// The connection, on one engine or the other.
    enum Engine {
        case sqlite(Database)
        case postgres(PostgresSession)
    }

    let engine: Engine

    init(_ db: Database) { engine = .sqlite(db) }
    init(_ session: PostgresSession) { engine = .postgres(session) }

    /// The SQLite connection, when the store is SQLite (for tests that read its query plans).
    var sqlite: Database? {
        if case .sqlite(let db) = engine { return db }
        return nil
    }

    /// How this engine spells what parley's SQL says differently.
    var dialect: SQLDialect {
        switch engine {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    // MARK: Change detection

    /// What the connection sees of the database, as one value: two equal stamps read on the
    /// same connection mean nothing was written in between, by this connection or by another.
    /// SQLite counts both: `PRAGMA data_version` moves when another connection commits, the
    /// connection's total of changed rows when it writes (a write later rolled back counts too,
    /// so a stamp never comes back). Inside a transaction the stamp is the transaction's view.
    /// Nil on PostgreSQL, which keeps no such count: what depends on it is read again each time.
    package func dataStamp() throws -> DataStamp? {
        guard case .sqlite(let db) = engine, let version = try integers(sql: "PRAGMA data_version").first else {
            return nil
        }
        return DataStamp(version: version, changes: db.totalChangesCount)
    }

    // MARK: Transaction control

    /// Whether a transaction is open (one of `atomically`, or a script's `begin`).
    package var isInsideTransaction: Bool {
        switch engine {
        case .sqlite(let db): return db.isInsideTransaction
        case .postgres(let pg): return pg.isInsideTransaction
        }
    }

    /// Runs `body` as one unit: a transaction of its own, or a savepoint inside a script's
    /// transaction (`begin` … `commit`). A thrown error undoes everything `body` wrote.
    /// `write: false` starts a deferred transaction (a consistent read that takes no write lock).
    /// On PostgreSQL a transaction of its own that loses to a concurrent one is run again, so
    /// `body` must do nothing outside the database that may not be done twice.
    package func atomically<T>(write: Bool = true, _ body: () throws -> T) throws -> T {
        switch engine {
        case .postgres(let pg):
            guard write, !pg.isInsideTransaction else { return try pg.transaction(write: write, body) }
            do {
                return try pg.transaction(write: true, lockOutLong: true, body)
            } catch let error as ParleyError where Self.isBusy(error) {
                throw StoreErrors.busy(seconds: pg.retryWindow)
            }
        case .sqlite(let db):
            var result: T?
            if db.isInsideTransaction {
                try db.inSavepoint {
                    result = try body()
                    return .commit
                }
            } else {
                try db.inTransaction(write ? .immediate : .deferred) {
                    result = try body()
                    return .commit
                }
            }
            return result!
        }
    }

    /// Opens a transaction that stays open across calls (`begin`), taking the write lock at once.
    package func begin() throws {
        switch engine {
        case .sqlite(let db): try db.beginTransaction(.immediate)
        case .postgres(let pg):
            try pg.beginLong()
            do {
                try Self.lockOutWriters(pg)
            } catch {
                try? pg.rollback()
                throw Self.isBusy(error) ? StoreErrors.busy(seconds: ParleyDatabase.busyTimeout) : error
            }
        }
    }

    // On PostgreSQL, writers run at once, and a serializable transaction that loses to a
    // concurrent one is run again (`PostgresSession.transaction`). A script's `begin` … `commit`
    // cannot be run again: like SQLite's write lock, it keeps other writers out while it is open,
    // so it never loses. The lock is on the table `meta`, taken before the transaction's first
    // read (its snapshot), so the writers it waited for are not concurrent with it.

    /// A `begin` … `commit`: waits for the writers at work to finish, then keeps the others out.
    static func lockOutWriters(_ pg: PostgresSession) throws {
        _ = try pg.execute("SET LOCAL lock_timeout = '\(Int(ParleyDatabase.busyTimeout * 1000))ms'", [])
        _ = try pg.execute("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE", [])
    }

    static func isBusy(_ error: Error) -> Bool {
        if case .storage(.busy, _)? = error as? ParleyError { return true }
        return false
    }

    /// Commits the transaction `begin` opened.
    package func commit() throws {
        switch engine {
        case .sqlite(let db): try db.commit()
        case .postgres(let pg): try pg.commit()
        }
    }

    /// Rolls back the transaction `begin` opened.
    package func rollback() throws {
        switch engine {
        case .sqlite(let db): try db.rollback()
        case .postgres(let pg): try pg.rollback()
        }
    }

    // MARK: Statements (inside the store only)

    /// Runs `sql` and returns its rows. On SQLite the statement goes through the connection's
    /// cache (prepared once, then reused) unless `cached` is false (SQL that embeds a variable
    /// list of ids, prepared each time).
    func rows(sql: String, arguments: SQLArguments = [], cached: Bool = true) throws -> [StoreRow] {
        switch engine {
        case .sqlite(let db):
            let statement = cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            let columns = statement.columnNames
            try SQLiteStatementRunner.bind(statement, arguments, in: db)
            var out: [StoreRow] = []
            try SQLiteStatementRunner.step(statement, in: db) { out.append(StoreRow(columns: columns, values: $0)) }
            return out
        case .postgres(let pg):
            let result = try pg.execute(sql, arguments)
            return result.rows.map { row in
                StoreRow(columns: result.columns, values: row.map { $0.map(SQLValue.text) ?? .null(.text) })
            }
        }
    }

    /// Calls `body` with each row as the statement returns it: on SQLite without holding them all.
    func each(sql: String, arguments: SQLArguments = [], _ body: (StoreRow) throws -> Void) throws {
        switch engine {
        case .sqlite(let db):
            let statement = try db.cachedStatement(sql: sql)
            let columns = statement.columnNames
            try SQLiteStatementRunner.bind(statement, arguments, in: db)
            try SQLiteStatementRunner.step(statement, in: db) { try body(StoreRow(columns: columns, values: $0)) }
        case .postgres:
            // `body` may run statements of its own on this connection: the rows are read first.
            for row in try rows(sql: sql, arguments: arguments) { try body(row) }
        }
    }

    /// `each` for a body that runs no statement on this connection (it writes to another
    /// database): on PostgreSQL too the rows are not all held at once.
    func stream(sql: String, arguments: SQLArguments = [], _ body: (StoreRow) throws -> Void) throws {
        guard case .postgres(let pg) = engine else { return try each(sql: sql, arguments: arguments, body) }
        try pg.stream(sql, arguments) { columns, values in
            try body(StoreRow(columns: columns, values: values.map { $0.map(SQLValue.text) ?? .null(.text) }))
        }
    }

    /// The first column of each row, an integer (an id): on SQLite read straight from the
    /// statement, without building rows (index walks read hundreds of them).
    func integers(sql: String, arguments: SQLArguments = []) throws -> [Int64] {
        guard case .sqlite(let db) = engine else { return try all(Int64.self, sql: sql, arguments: arguments) }
        let statement = try db.cachedStatement(sql: sql)
        try SQLiteStatementRunner.bind(statement, arguments, in: db)
        var out: [Int64] = []
        try SQLiteStatementRunner.stepWhile(statement, in: db) { handle in
            out.append(sqlite3_column_int64(handle, 0))
            return true
        }
        return out
    }

    /// The first two columns of each row, integers (an id and what it belongs to), read like `integers`.
    func integerPairs(sql: String, arguments: SQLArguments = []) throws -> [(Int64, Int64)] {
        var out: [(Int64, Int64)] = []
        _ = try eachIntegerPair(sql: sql, arguments: arguments) { id, owner in
            out.append((id, owner))
            return true
        }
        return out
    }

    /// Calls `body` with the first two columns of each row, integers, until it returns false;
    /// returns how many rows it was called with. On SQLite the rows after those are never read:
    /// an index walk stops where its page is full, however many rows its LIMIT allows.
    func eachIntegerPair(
        sql: String, arguments: SQLArguments = [], _ body: (Int64, Int64) throws -> Bool
    ) throws -> Int {
        var count = 0
        guard case .sqlite(let db) = engine else {
            for row in try rows(sql: sql, arguments: arguments) {
                count += 1
                if try !body(row[0], row[1]) { break }
            }
            return count
        }
        let statement = try db.cachedStatement(sql: sql)
        try SQLiteStatementRunner.bind(statement, arguments, in: db)
        try SQLiteStatementRunner.stepWhile(statement, in: db) { handle in
            count += 1
            return try body(sqlite3_column_int64(handle, 0), sqlite3_column_int64(handle, 1))
        }
        return count
    }

    func row(sql: String, arguments: SQLArguments = []) throws -> StoreRow? {
        try rows(sql: sql, arguments: arguments).first
    }

    func all<T: SQLColumnValue>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try rows(sql: sql, arguments: arguments).map { $0[0] }
    }

    func one<T: SQLColumnValue>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> T? {
        guard let row = try rows(sql: sql, arguments: arguments).first else { return nil }
        return row.values[0].isNull ? nil : T.fromSQL(row.values[0])
    }

    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(sql: String, arguments: SQLArguments = []) throws -> Int {
        switch engine {
        case .sqlite(let db):
            let statement = try db.cachedStatement(sql: sql)
            try SQLiteStatementRunner.bind(statement, arguments, in: db)
            try SQLiteStatementRunner.stepWhile(statement, in: db) { _ in true }
            return db.changesCount
        case .postgres(let pg):
            return try pg.execute(sql, arguments).affected
        }
    }

    /// `run` for SQL built each time (a multi-row INSERT): never kept in the statement cache.
    @discardableResult
    func uncachedRun(sql: String, arguments: SQLArguments = []) throws -> Int {
        switch engine {
        case .sqlite(let db):
            try db.execute(sql: sql, arguments: Self.grdbArguments(arguments))
            return db.changesCount
        case .postgres(let pg):
            return try pg.execute(sql, arguments).affected
        }
    }

    /// After rows were inserted with their ids given (`db copy`): the next row inserted without
    /// one gets an id after them. SQLite does this by itself; a PostgreSQL identity column's
    /// sequence is moved past the largest id.
    func continueIDs(after table: String) throws {
        guard case .postgres(let pg) = engine else { return }
        _ = try pg.execute(
            "SELECT setval(pg_get_serial_sequence(?, 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)",
            ["\(PostgresSchema.name).\(table)"])
    }

    func uncachedRows(sql: String, arguments: SQLArguments = []) throws -> [StoreRow] {
        try rows(sql: sql, arguments: arguments, cached: false)
    }

    func uncachedAll<T: SQLColumnValue>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try rows(sql: sql, arguments: arguments, cached: false).map { $0[0] }
    }

    /// Runs an INSERT of one row and returns the id it was given (`RETURNING id`, on both engines).
    func insert(sql: String, arguments: SQLArguments = []) throws -> Int64 {
        guard let id = try one(Int64.self, sql: sql + " RETURNING id", arguments: arguments) else {
            throw ParleyError.storage(.other, "database error: an insert returned no id")
        }
        return id
    }
}

extension StoreAccess {
    /// The values as GRDB binds them, for the multi-statement SQL GRDB runs itself
    /// (`uncachedRun`). Built from existentials: GRDB's initializer for a sequence of
    /// `DatabaseValue` maps it through a generic key path, made anew on every call.
    static func grdbArguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(
            arguments.values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: return nil
                case .integer(let i): return i
                case .real(let d): return d
                case .text(let s): return s
                }
            })
    }
}

/// See `StoreAccess.dataStamp`.
package struct DataStamp: Equatable, Sendable {
    let version: Int64
    let changes: Int
}

/// The one place the engine's errors become parley's: what a person can act on.
enum StoreErrors {
    /// A writer that waited `seconds` for another's long transaction, on either engine.
    static func busy(seconds: Double) -> ParleyError {
        ParleyError.storage(
            .busy, "the database stayed busy for \(Int(seconds))s (another parley holds a long transaction): try again")
    }

    /// `error` as a `ParleyError` (unchanged when it is one, or not the engine's).
    /// `readOnlyMessage` is the open database's reason it may not be written, when it has one.
    static func parleyError(_ error: Error, readOnlyMessage: String?) -> Error {
        guard let e = error as? DatabaseError else { return error }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return busy(seconds: ParleyDatabase.busyTimeout)
        case .SQLITE_READONLY:
            // A write outside a command's declared access (a login's audit line) on a read-only file.
            return ParleyError.storage(
                .readOnly, readOnlyMessage ?? "the database file is read-only: check its permissions")
        case .SQLITE_FULL: return ParleyError.storage(.full, "the disk is full: nothing was written")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return ParleyError.storage(.corrupt, "the database file is damaged or not a parley database")
        case .SQLITE_CONSTRAINT:
            return ParleyError.storage(.constraint, "database error: \(e.message ?? e.description)")
        default: return ParleyError.storage(.other, "database error: \(e.message ?? e.description)")
        }
    }
}
