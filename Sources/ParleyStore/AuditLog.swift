import ParleyCore

/// One line of the audit log: who (and as whom), what, when, old and new value.
package struct AuditEntry: Sendable, Equatable {
    package var id: Int64
    package var at: Timestamp
    /// The person acting: the logged-in user, or the admin who impersonates.
    package var actor: String
    /// The user being impersonated, when an admin acts as someone else.
    package var asUser: String?
    /// How the session was opened: password, --as, impersonation, init, system.
    package var session: String
    package var action: String
    package var target: String
    package var channelID: Int64?
    package var oldValue: String?
    package var newValue: String?

    package init(
        id: Int64 = 0, at: Timestamp, actor: String, asUser: String?, session: String, action: String,
        target: String, channelID: Int64? = nil, oldValue: String? = nil, newValue: String? = nil
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.asUser = asUser
        self.session = session
        self.action = action
        self.target = target
        self.channelID = channelID
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

package enum AuditLog {
    package static func record(_ db: StoreAccess, _ e: AuditEntry) throws {
        try db.run(
            sql: """
                INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [e.at, e.actor, e.asUser, e.session, e.action, e.target, e.channelID, e.oldValue, e.newValue])
    }

    package struct Query: Sendable {
        package var limit: Int = 50
        package var user: String?
        package var channelID: Int64?
        package var since: Timestamp?
        package init(limit: Int = 50, user: String? = nil, channelID: Int64? = nil, since: Timestamp? = nil) {
            self.limit = limit
            self.user = user
            self.channelID = channelID
            self.since = since
        }
    }

    /// The newest entries first.
    package static func entries(_ db: StoreAccess, _ q: Query) throws -> [AuditEntry] {
        var conditions: [String] = []
        var args: [any SQLBindable] = []
        if let u = q.user {
            conditions.append("(actor = ? \(SQLDialect.caseless) OR as_user = ? \(SQLDialect.caseless))")
            args += [u, u]
        }
        if let c = q.channelID {
            conditions.append("channel_id = ?")
            args.append(c)
        }
        if let s = q.since {
            conditions.append("at >= ?")
            args.append(s)
        }
        args.append(q.limit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try db.rows(
            sql: "SELECT * FROM audit \(whereClause) ORDER BY id DESC LIMIT ?",
            arguments: SQLArguments(args)
        ).map {
            AuditEntry(
                id: $0["id"], at: $0["at"], actor: $0["actor"], asUser: $0["as_user"], session: $0["session"],
                action: $0["action"], target: $0["target"], channelID: $0["channel_id"],
                oldValue: $0["old_value"], newValue: $0["new_value"])
        }
    }
}
