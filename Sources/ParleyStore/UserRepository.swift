import ParleyCore

/// Users: queries and changes. Callers check access first; these only read and write.
package enum UserRepository {
    static let columns = "id, email, name, role, enabled, password_hash IS NOT NULL AS has_password, created_at"

    static func user(_ row: StoreRow) -> User {
        // By position, in the order of `columns`.
        User(
            id: row[0], email: row[1], name: row[2],
            role: AccountRole(rawValue: row[3]) ?? .agent, enabled: row[4],
            hasPassword: row[5], createdAt: row[6])
    }

    package static func find(_ db: StoreAccess, email: String) throws -> User? {
        try db.row(sql: "SELECT \(columns) FROM users WHERE email = ?", arguments: [email]).map(user)
    }

    package static func find(_ db: StoreAccess, id: Int64) throws -> User? {
        try db.row(sql: "SELECT \(columns) FROM users WHERE id = ?", arguments: [id]).map(user)
    }

    /// The user with this email, or an error that names the closest emails.
    package static func require(_ db: StoreAccess, email: String) throws -> User {
        if let u = try find(db, email: email) { return u }
        let near = try db.all(
            String.self,
            sql: "SELECT email FROM users WHERE \(db.dialect.caselessLike("email")) ? ESCAPE '\\' LIMIT 200",
            arguments: [likePrefix(String(email.prefix(2)))])
        throw ParleyError.notFound("no user '\(email)'" + Suggest.didYouMean(email, among: near))
    }

    package static func list(_ db: StoreAccess, limit: Int? = nil, after: String? = nil) throws -> [User] {
        var sql = "SELECT \(columns) FROM users"
        var args: [any SQLBindable] = []
        if let after {
            sql += " WHERE email > ?"
            args.append(after)
        }
        sql += " ORDER BY email \(SQLDialect.caseless)"
        if let limit {
            sql += " LIMIT ?"
            args.append(limit)
        }
        return try db.rows(sql: sql, arguments: SQLArguments(args)).map(user)
    }

    /// Emails starting with `prefix`, in order: completion's source.
    package static func emails(_ db: StoreAccess, prefix: String, limit: Int) throws -> [String] {
        // A range on the NOCASE index: one seek, then `limit` rows.
        if prefix.isEmpty {
            return try db.all(String.self, sql: "SELECT email FROM users ORDER BY email LIMIT ?", arguments: [limit])
        }
        return try db.all(
            String.self, sql: "SELECT email FROM users WHERE email >= ? AND email < ? ORDER BY email LIMIT ?",
            arguments: [prefix, prefix + "\u{10FFFF}", limit])
    }

    @discardableResult
    package static func insert(
        _ db: StoreAccess, email: String, name: String, role: AccountRole,
        passwordHash: String?, now: Timestamp
    ) throws -> User {
        if try find(db, email: email) != nil {
            throw ParleyError.conflict("a user with email \(email) exists already")
        }
        let insertedID = try db.insert(
            sql: "INSERT INTO users(email, name, role, password_hash, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)",
            arguments: [email, name, role.rawValue, passwordHash, now])
        return try find(db, id: insertedID)!
    }

    package static func update(
        _ db: StoreAccess, id: Int64, name: String? = nil, role: AccountRole? = nil, enabled: Bool? = nil
    ) throws {
        if let name { try db.run(sql: "UPDATE users SET name = ? WHERE id = ?", arguments: [name, id]) }
        if let role { try db.run(sql: "UPDATE users SET role = ? WHERE id = ?", arguments: [role.rawValue, id]) }
        if let enabled { try db.run(sql: "UPDATE users SET enabled = ? WHERE id = ?", arguments: [enabled, id]) }
    }

    package static func setPasswordHash(_ db: StoreAccess, id: Int64, hash: String?) throws {
        try db.run(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, id])
    }

    package static func passwordHash(_ db: StoreAccess, id: Int64) throws -> String? {
        try db.one(String.self, sql: "SELECT password_hash FROM users WHERE id = ?", arguments: [id])
    }

    package static func enabledAdminCount(_ db: StoreAccess) throws -> Int {
        try db.one(Int.self, sql: "SELECT count(*) FROM users WHERE role = 'admin' AND enabled = 1") ?? 0
    }

    package static func count(_ db: StoreAccess) throws -> Int {
        try db.one(Int.self, sql: "SELECT count(*) FROM users") ?? 0
    }
}

/// `abc` → `abc%` with LIKE's wildcards escaped.
func likePrefix(_ s: String) -> String {
    var out = ""
    for ch in s {
        if ch == "%" || ch == "_" || ch == "\\" { out.append("\\") }
        out.append(ch)
    }
    return out + "%"
}
