import GRDB
import ParleyCore

/// An open connection to the store, handed to the closures `ParleyDatabase.withConnection`,
/// `read` and `write` run. It is all that code above the store holds of the database: every
/// store operation (`UserRepository.find`, `Inbox.sweep`, …) takes it, and its only powers of
/// its own are transaction control. SQL, statements and the engine's errors stay inside
/// ParleyStore (like GRDB's `DatabaseReader`/`DatabaseWriter`, a narrow surface on purpose).
///
/// Valid only inside the closure it was handed to.
package struct StoreAccess {
    let db: Database

    init(_ db: Database) { self.db = db }

    // MARK: Transaction control

    /// Whether a transaction is open (one of `atomically`, or a script's `begin`).
    package var isInsideTransaction: Bool { db.isInsideTransaction }

    /// Runs `body` as one unit: a transaction of its own, or a savepoint inside a script's
    /// transaction (`begin` … `commit`). A thrown error undoes everything `body` wrote.
    /// `write: false` starts a deferred transaction (a consistent read that takes no write lock).
    package func atomically<T>(write: Bool = true, _ body: () throws -> T) throws -> T {
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

    /// Opens a transaction that stays open across calls (`begin`), taking the write lock at once.
    package func begin() throws {
        try db.beginTransaction(.immediate)
    }

    /// Commits the transaction `begin` opened.
    package func commit() throws {
        try db.commit()
    }

    /// Rolls back the transaction `begin` opened.
    package func rollback() throws {
        try db.rollback()
    }

    // MARK: Statements (inside the store only)

    /// Static SQL runs through the connection's statement cache: prepared once per connection,
    /// then reused. (SQL that embeds a variable list of ids is not cached: see `uncached`.)
    func all<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> [T] {
        try db.all(type, sql: sql, arguments: arguments)
    }

    func one<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> T? {
        try db.one(type, sql: sql, arguments: arguments)
    }

    func rows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try db.rows(sql: sql, arguments: arguments)
    }

    func row(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try db.row(sql: sql, arguments: arguments)
    }

    func run(sql: String, arguments: StatementArguments = []) throws {
        try db.run(sql: sql, arguments: arguments)
    }

    func uncachedRows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try db.uncachedRows(sql: sql, arguments: arguments)
    }

    func uncachedAll<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> [T] {
        try db.uncachedAll(type, sql: sql, arguments: arguments)
    }

    var lastInsertedRowID: Int64 { db.lastInsertedRowID }
    var changesCount: Int { db.changesCount }
}

/// The one place the engine's errors become parley's: what a person can act on.
enum StoreErrors {
    /// `error` as a `ParleyError` (unchanged when it is one, or not the engine's).
    /// `readOnlyMessage` is the open database's reason it may not be written, when it has one.
    static func parleyError(_ error: Error, readOnlyMessage: String?) -> Error {
        guard let e = error as? DatabaseError else { return error }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return ParleyError.storage(
                .busy,
                "the database stayed busy for \(Int(ParleyDatabase.busyTimeout))s "
                    + "(another parley holds a long transaction): try again")
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
