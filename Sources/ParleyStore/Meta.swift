import ParleyCore

/// Database-wide facts: whether it is a sandbox, and the sandbox's simulated clock.
package enum Meta {
    package static func value(_ db: StoreAccess, _ key: String) throws -> String? {
        try db.one(String.self, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    package static func set(_ db: StoreAccess, _ key: String, _ value: String) throws {
        try db.run(
            sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key, value])
    }

    package static func isSandbox(_ db: StoreAccess) throws -> Bool {
        try value(db, "sandbox") == "1"
    }

    /// The simulated time of a sandbox; nil on a normal database.
    package static func sandboxTime(_ db: StoreAccess) throws -> Timestamp? {
        guard try isSandbox(db), let v = try value(db, "clock"), let t = Timestamp(v) else { return nil }
        return t
    }

    package static func setSandboxTime(_ db: StoreAccess, _ t: Timestamp) throws {
        try set(db, "clock", String(t))
    }

    /// True while no user exists: `init` and `demo` only work then.
    package static func isEmpty(_ db: StoreAccess) throws -> Bool {
        try db.one(Int.self, sql: "SELECT EXISTS (SELECT 1 FROM users)") == 0
    }

    /// The time rules read now (as `now` gives it) and whether a conversation is due for
    /// auto-resolve then: what every command reads before it runs, in one statement.
    package static func nowAndWhetherDue(
        _ db: StoreAccess, system: ParleyClock = SystemClock()
    ) throws -> (now: Timestamp, due: Bool) {
        let systemNow = system.now()
        let row = try db.row(
            sql: """
                SELECT (SELECT value FROM meta WHERE key = 'sandbox') AS sandbox,
                       (SELECT value FROM meta WHERE key = 'clock') AS clock,
                       EXISTS (SELECT 1 FROM conversations WHERE deadline IS NOT NULL AND deadline <= coalesce(
                           (SELECT CAST(c.value AS BIGINT) FROM meta c JOIN meta s ON s.key = 'sandbox' AND s.value = '1'
                            WHERE c.key = 'clock'), ?)) AS due
                """, arguments: [systemNow])
        let due: Bool = row?["due"] ?? false
        if (row?["sandbox"] as String?) == "1", let text: String = row?["clock"], let t = Timestamp(text) {
            return (t, due)
        }
        return (systemNow, due)
    }

    /// The time rules read now: the sandbox clock, or the system clock. One query.
    package static func now(_ db: StoreAccess, system: ParleyClock = SystemClock()) throws -> Timestamp {
        let row = try db.row(
            sql: """
                SELECT (SELECT value FROM meta WHERE key = 'sandbox') AS sandbox, (SELECT value FROM meta WHERE key = 'clock') AS clock
                """)
        if (row?["sandbox"] as String?) == "1", let text: String = row?["clock"], let t = Timestamp(text) { return t }
        return system.now()
    }
}
