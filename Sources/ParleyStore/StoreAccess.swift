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
            let statement = try Self.bound(
                cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql), arguments)
            let columns = statement.columnNames
            let cursor = try Row.fetchCursor(statement)
            var out: [StoreRow] = []
            while try cursor.next() != nil {
                out.append(StoreRow(columns: columns, values: Self.values(statement)))
            }
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
            let statement = try Self.bound(try db.cachedStatement(sql: sql), arguments)
            let columns = statement.columnNames
            let cursor = try Row.fetchCursor(statement)
            while try cursor.next() != nil {
                try body(StoreRow(columns: columns, values: Self.values(statement)))
            }
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
            try Self.bound(try db.cachedStatement(sql: sql), arguments).execute()
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

    /// `statement` with `arguments` bound, for GRDB to run (`execute()`, `Row.fetchCursor`) as
    /// it runs a statement whose arguments it was given. Bound here, straight from the values:
    /// building GRDB's `StatementArguments` for each statement cost more than running it. Text
    /// is bound as GRDB binds it (up to a NUL).
    static func bound(_ statement: Statement, _ arguments: SQLArguments) throws -> Statement {
        // Resets the statement and clears its bindings; GRDB then runs it as bound.
        statement.setUncheckedArguments(StatementArguments())
        let s = statement.sqliteStatement
        let values = arguments.values
        guard Int(sqlite3_bind_parameter_count(s)) == values.count else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "wrong number of statement arguments: \(values.count)", sql: statement.sql)
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(s, index)
            case .integer(let v): code = sqlite3_bind_int64(s, index, v)
            case .real(let v): code = sqlite3_bind_double(s, index, v)
            case .text(let v): code = sqlite3_bind_text(s, index, v, -1, transient)
            }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind argument \(i + 1)")
            }
        }
        return statement
    }

    /// SQLite copies a value bound with this destructor.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// The current row of `statement`, read as GRDB reads it (text up to a NUL, a blob as text).
    static func values(_ statement: Statement) -> [SQLValue] {
        let s = statement.sqliteStatement
        let count = sqlite3_column_count(s)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for i in 0..<count {
            switch sqlite3_column_type(s, i) {
            case SQLITE_NULL: values.append(.null(.text))
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(s, i)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(s, i)))
            case SQLITE_TEXT: values.append(.text(String(cString: sqlite3_column_text(s, i))))
            default:
                let bytes = sqlite3_column_blob(s, i)
                let n = Int(sqlite3_column_bytes(s, i))
                values.append(
                    .text(
                        bytes.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: n), as: UTF8.self) } ?? ""
                    ))
            }
        }
        return values
    }

    /// The values as GRDB binds them. Built from existentials: GRDB's initializer for a sequence
    /// of `DatabaseValue` maps it through a generic key path, made anew on every call, which cost
    /// more than running the statement.
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
