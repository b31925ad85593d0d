import GRDB

/// Static SQL runs through the connection's statement cache: prepared once per connection,
/// then reused. (SQL that embeds a variable list of ids is not cached: see `uncached`.)
extension Database {
    public func all<T: DatabaseValueConvertible & StatementColumnConvertible>(_ type: T.Type, sql: String, arguments: StatementArguments = []) throws -> [T] {
        try T.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    public func one<T: DatabaseValueConvertible & StatementColumnConvertible>(_ type: T.Type, sql: String, arguments: StatementArguments = []) throws -> T? {
        try T.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    public func rows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    public func row(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    public func run(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Database {
    /// For SQL that embeds a variable list (`IN (1,2,3)`): prepared each time, never cached.
    public func uncachedRows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(self, sql: sql, arguments: arguments)
    }

    public func uncachedAll<T: DatabaseValueConvertible & StatementColumnConvertible>(_ type: T.Type, sql: String, arguments: StatementArguments = []) throws -> [T] {
        try T.fetchAll(self, sql: sql, arguments: arguments)
    }
}
