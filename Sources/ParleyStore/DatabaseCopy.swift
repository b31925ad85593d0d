import ParleyCore

/// `parley db copy`: an organisation moved whole from one database to another (a SQLite file
/// into PostgreSQL, and back), every row with its id, in one transaction on the target, then
/// checked by reading every row of both and comparing them.
package enum DatabaseCopy {
    package struct Summary: Equatable, Sendable {
        package var tables: Int
        package var rows: Int
    }

    /// Rows per INSERT statement: few round trips, well under the engines' parameter limits.
    static let batch = 200

    package static func copy(from source: ParleyDatabase, to target: ParleyDatabase) throws -> Summary {
        if source.path == target.path {
            throw ParleyError.usage("the source and the target are the same database: \(source.path)")
        }
        try source.withConnection { db in
            if try Meta.isEmpty(db) {
                throw ParleyError.refused("\(source.path) holds no organisation: there is nothing to copy")
            }
        }
        var rows = 0
        try source.withConnection { from in
            try from.atomically(write: false) {
                try target.write { to in
                    try requireEmpty(to, path: target.path)
                    for table in PostgresSchema.tables {
                        rows += try copy(table.name, columns: table.columns, from: from, to: to)
                    }
                }
            }
        }
        try verify(source, target)
        return Summary(tables: PostgresSchema.tables.count, rows: rows)
    }

    /// The target must hold nothing: no organisation, and no row in any of parley's tables.
    static func requireEmpty(_ db: StoreAccess, path: String) throws {
        let users = try UserRepository.count(db)
        if users > 0 {
            throw ParleyError.refused(
                "\(path) already holds an organisation (\(users) user\(users == 1 ? "" : "s")): "
                    + "parley copies only into an empty database")
        }
        for table in PostgresSchema.tables {
            if try db.one(Int.self, sql: "SELECT EXISTS (SELECT 1 FROM \(table.name))") == 1 {
                throw ParleyError.refused(
                    "\(path) is not empty (its \(table.name) table has rows): parley copies only into an empty database"
                )
            }
        }
    }

    static func copy(_ table: String, columns: [String], from: StoreAccess, to: StoreAccess) throws -> Int {
        var pending: [SQLValue] = []
        var count = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            let rowCount = pending.count / columns.count
            let one = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            try to.uncachedRun(
                sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    + Array(repeating: one, count: rowCount).joined(separator: ", "),
                arguments: SQLArguments(values: pending))
            pending.removeAll(keepingCapacity: true)
        }
        try from.stream(sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table)") { row in
            pending += row.values.enumerated().map { i, value in typed(value, column: columns[i]) }
            count += 1
            if count % batch == 0 { try flush() }
        }
        try flush()
        if columns.first == "id" { try to.continueIDs(after: table) }
        return count
    }

    /// A value read from PostgreSQL comes as text: integers go back as integers, so a copy into
    /// SQLite stores what parley itself would have stored.
    static func typed(_ value: SQLValue, column: String) -> SQLValue {
        if value.isNull { return .null(.unknown) }
        guard case .text(let text) = value, integerColumns.contains(column), let i = Int64(text) else { return value }
        return .integer(i)
    }

    /// Columns that hold integers in every table (ids, times, flags, limits).
    static let integerColumns: Set<String> = [
        "id", "team_id", "user_id", "channel_id", "conversation_id", "contact_id", "topic_id", "owner_id",
        "author_id", "author_user_id", "enabled", "created_at", "updated_at", "auto_ownership", "auto_resolve_new",
        "auto_resolve_pending", "all_users", "all_teams", "token_expires_at", "last_sync_at", "deadline",
        "limit_seconds", "at",
    ]

    /// Reads every row of every table from both databases and compares them.
    static func verify(_ source: ParleyDatabase, _ target: ParleyDatabase) throws {
        for table in PostgresSchema.tables {
            if table.columns.first == "id" {
                try verifyByID(source, target, table.name, table.columns)
                continue
            }
            let a = try source.read { db in try canonicalRows(db, table.name, table.columns) }
            let b = try target.read { db in try canonicalRows(db, table.name, table.columns) }
            try compare(a, b, table: table.name, from: 0, source: source)
        }
    }

    /// Rows compared a chunk of ids at a time, in id order on both sides: a table of millions of
    /// messages is checked without holding it.
    static func verifyByID(
        _ source: ParleyDatabase, _ target: ParleyDatabase, _ table: String, _ columns: [String]
    ) throws {
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE id > ? ORDER BY id LIMIT ?"
        var after: Int64 = -1
        var checked = 0
        while true {
            let a = try source.read { db in try db.rows(sql: sql, arguments: [after, verifyChunk]) }.map(texts)
            let b = try target.read { db in try db.rows(sql: sql, arguments: [after, verifyChunk]) }.map(texts)
            try compare(a, b, table: table, from: checked, source: source)
            guard a.count == verifyChunk, let last = a.last?.first ?? nil, let id = Int64(last) else { return }
            after = id
            checked += a.count
        }
    }

    static let verifyChunk = 10_000

    static func texts(_ row: StoreRow) -> [String?] { row.values.map(\.text) }

    static func compare(_ a: [[String?]], _ b: [[String?]], table: String, from: Int, source: ParleyDatabase) throws {
        guard a != b else { return }
        let differing =
            zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(a.count, b.count)
        throw ParleyError.storage(
            .other,
            "the copy differs from \(source.path) in table \(table) at row \(from + differing + 1) "
                + "(in the order this check reads them): drop the target and copy again")
    }

    /// A table's rows as text, in one order both engines give alike (by every column, bytes).
    package static func canonicalRows(_ db: StoreAccess, _ table: String, _ columns: [String]) throws -> [[String?]] {
        let rows = try db.uncachedRows(sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table)")
        return rows.map(texts).sorted { lhs, rhs in
            for (l, r) in zip(lhs, rhs) where l != r {
                guard let l else { return true }
                guard let r else { return false }
                return l.utf8.lexicographicallyPrecedes(r.utf8)
            }
            return false
        }
    }
}
