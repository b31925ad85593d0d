import GRDB

/// Static SQL runs through the connection's statement cache: prepared once per connection,
/// then reused. (SQL that embeds a variable list of ids is not cached: see `uncached`.)
extension Database {
    func all<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> [T] {
        try T.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func one<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> T? {
        try T.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func rows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func row(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func run(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Database {
    /// For SQL that embeds a variable list (`IN (1,2,3)`): prepared each time, never cached.
    func uncachedRows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(self, sql: sql, arguments: arguments)
    }

    func uncachedAll<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: T.Type, sql: String, arguments: StatementArguments = []
    ) throws -> [T] {
        try T.fetchAll(self, sql: sql, arguments: arguments)
    }
}
