import GRDB
import GRDBSQLite

/// Runs a statement GRDB prepared and keeps (its statement cache) straight through SQLite's C
/// API: binds parley's values, steps, and reads each row's columns into `SQLValue`s.
///
/// The store's every statement went through GRDB's argument and row types
/// (`StatementArguments`, `RowCursor`, `Row`, `DatabaseValue`) before becoming parley's, about a
/// sixth of a short command's time. Transactions, savepoints, the statement cache, the busy
/// handler and migrations stay GRDB's: SQLite itself tracks the transaction state both read.
enum SQLiteStatementRunner {
    /// SQLite copies a text argument: the Swift string may go before the statement runs.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Resets the statement and binds `arguments`, one per `?`.
    static func bind(_ statement: Statement, _ arguments: SQLArguments, in db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let values = arguments.values
        guard values.count == Int(sqlite3_bind_parameter_count(handle)) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "wrong number of statement arguments: \(values.count) for "
                    + "\(sqlite3_bind_parameter_count(handle)) placeholders",
                sql: statement.sql)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let i): code = sqlite3_bind_int64(handle, index, i)
            case .real(let d): code = sqlite3_bind_double(handle, index, d)
            case .text(let s):
                // The length, not the terminating NUL, ends the text: a NUL inside is kept.
                code = s.withCString { sqlite3_bind_text(handle, index, $0, Int32(s.utf8.count), transient) }
            }
            if code != SQLITE_OK { try fail(statement, code: code, in: db) }
        }
    }

    /// Steps the bound statement to its end, calling `body` with each row's values.
    static func step(_ statement: Statement, in db: Database, _ body: ([SQLValue]) throws -> Void) throws {
        let count = Int32(sqlite3_column_count(statement.sqliteStatement))
        try stepWhile(statement, in: db) { handle in
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count { values.append(value(handle, column)) }
            try body(values)
            return true
        }
    }

    /// Steps the bound statement, calling `body` with the statement on each row until it returns
    /// false (the rows after that are never read) or the rows end.
    static func stepWhile(_ statement: Statement, in db: Database, _ body: (OpaquePointer) throws -> Bool) throws {
        let handle = statement.sqliteStatement
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE:
                return
            case SQLITE_ROW:
                let more: Bool
                do { more = try body(handle) } catch {
                    sqlite3_reset(handle)
                    throw error
                }
                if !more {
                    sqlite3_reset(handle)
                    return
                }
            case let code:
                try fail(statement, code: code, in: db)
            }
        }
    }

    /// Column `column` of the current row as SQLite stored it; a blob is read as UTF-8 text, as
    /// GRDB's rows were.
    static func value(_ handle: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null(.text)
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let bytes, count > 0 else { return .text("") }
            return .text(String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self))
        default:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard let text = sqlite3_column_text(handle, column), count > 0 else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    /// The error GRDB would have thrown, with SQLite's message and the statement's SQL; the
    /// statement is reset so that the cache can hand it out again.
    static func fail(_ statement: Statement, code: Int32, in db: Database) throws -> Never {
        let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        sqlite3_reset(statement.sqliteStatement)
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
