import ParleyCore

package enum TopicRepository {
    /// The organisation's topics with how many conversations carry each: all conversations, or
    /// (with `channelIDs`) those on these channels only.
    package static func list(_ db: StoreAccess, channelIDs: [Int64]? = nil) throws -> [(
        id: Int64, name: String, uses: Int
    )] {
        let only =
            channelIDs.map { ids in
                " AND ct.conversation_id IN (SELECT id FROM conversations WHERE channel_id IN ("
                    + (ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",")) + "))"
            } ?? ""
        return try db.uncachedRows(
            sql: """
                SELECT t.id, t.name, (SELECT count(*) FROM conversation_topics ct WHERE ct.topic_id = t.id\(only)) AS uses
                FROM topics t ORDER BY t.name \(SQLDialect.caseless)
                """
        ).map { (id: $0["id"], name: $0["name"], uses: $0["uses"]) }
    }

    package static func find(_ db: StoreAccess, name: String) throws -> (id: Int64, name: String)? {
        try db.row(sql: "SELECT id, name FROM topics WHERE name = ?", arguments: [name]).map {
            (id: $0["id"], name: $0["name"])
        }
    }

    package static func require(_ db: StoreAccess, name: String) throws -> (id: Int64, name: String) {
        if let t = try find(db, name: name) { return t }
        let all = try db.all(String.self, sql: "SELECT name FROM topics ORDER BY name LIMIT 1000")
        throw ParleyError.notFound(
            "no topic '\(name)'" + Suggest.didYouMean(name, among: all)
                + (all.isEmpty ? " (an admin adds topics with `topic add NAME`)" : ""))
    }

    package static func insert(_ db: StoreAccess, name: String) throws {
        if try find(db, name: name) != nil { throw ParleyError.conflict("topic '\(name)' exists already") }
        try db.run(sql: "INSERT INTO topics(name) VALUES (?)", arguments: [name])
    }

    package static func delete(_ db: StoreAccess, id: Int64) throws {
        try db.run(sql: "DELETE FROM topics WHERE id = ?", arguments: [id])
    }

    package static func names(_ db: StoreAccess, prefix: String, limit: Int) throws -> [String] {
        try db.all(
            String.self,
            sql: "SELECT name FROM topics WHERE \(db.dialect.caselessLike("name")) ? ESCAPE '\\' ORDER BY name LIMIT ?",
            arguments: [likePrefix(prefix), limit])
    }
}
