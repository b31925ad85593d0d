import ParleyCore

package struct TeamMember: Sendable, Equatable {
    package var user: User
    package var role: ChannelRole
}

package enum TeamRepository {
    static func team(_ row: StoreRow) -> Team { Team(id: row["id"], name: row["name"]) }

    package static func find(_ db: StoreAccess, name: String) throws -> Team? {
        try db.row(sql: "SELECT id, name FROM teams WHERE name = ?", arguments: [name]).map(team)
    }

    /// The team with this name, or an error that names the closest. With `memberID`, only that
    /// user's teams exist: another team gets the answer a team that does not exist gets.
    package static func require(_ db: StoreAccess, name: String, memberID: Int64? = nil) throws -> Team {
        if let t = try find(db, name: name) {
            if let memberID, try memberRole(db, teamID: t.id, userID: memberID) == nil {
                // Not one of theirs: answered below as if it did not exist.
            } else {
                return t
            }
        }
        let all =
            memberID == nil
            ? try db.all(String.self, sql: "SELECT name FROM teams ORDER BY name LIMIT 1000")
            : try memberships(db, userID: memberID!).map(\.0.name)
        let scope = memberID == nil ? "" : " that you can see"
        throw ParleyError.notFound("no team '\(name)'\(scope)" + Suggest.didYouMean(name, among: all))
    }

    package struct Summary: Sendable {
        package var team: Team
        package var members: Int
        package var channels: Int
    }

    /// Every team, or (with `memberID`) the teams that user is in.
    package static func list(_ db: StoreAccess, memberID: Int64? = nil) throws -> [Summary] {
        let only = memberID.map { " WHERE t.id IN (SELECT team_id FROM team_members WHERE user_id = \($0))" } ?? ""
        return try db.uncachedRows(
            sql: """
                SELECT t.id, t.name,
                       (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS members,
                       (SELECT count(*) FROM team_channels c WHERE c.team_id = t.id) AS channels
                FROM teams t\(only) ORDER BY t.name \(SQLDialect.caseless)
                """
        ).map { Summary(team: team($0), members: $0["members"], channels: $0["channels"]) }
    }

    /// Team names starting with `prefix`; with `memberID`, only that user's teams.
    package static func names(
        _ db: StoreAccess, prefix: String, limit: Int,
        memberID: Int64? = nil
    ) throws -> [String] {
        let only = memberID.map { " AND id IN (SELECT team_id FROM team_members WHERE user_id = \($0))" } ?? ""
        return try db.uncachedAll(
            String.self,
            sql:
                "SELECT name FROM teams WHERE \(db.dialect.caselessLike("name")) ? ESCAPE '\\'\(only) ORDER BY name LIMIT ?",
            arguments: [likePrefix(prefix), limit])
    }

    @discardableResult
    package static func insert(_ db: StoreAccess, name: String, now: Timestamp) throws -> Team {
        if try find(db, name: name) != nil { throw ParleyError.conflict("a team named '\(name)' exists already") }
        let insertedID = try db.insert(
            sql: "INSERT INTO teams(name, created_at) VALUES (?, ?)", arguments: [name, now])
        return Team(id: insertedID, name: name)
    }

    package static func rename(_ db: StoreAccess, id: Int64, to name: String) throws {
        if let other = try find(db, name: name), other.id != id {
            throw ParleyError.conflict("a team named '\(name)' exists already")
        }
        try db.run(sql: "UPDATE teams SET name = ? WHERE id = ?", arguments: [name, id])
    }

    package static func delete(_ db: StoreAccess, id: Int64) throws {
        try db.run(sql: "DELETE FROM teams WHERE id = ?", arguments: [id])
    }

    package static func members(_ db: StoreAccess, teamID: Int64) throws -> [TeamMember] {
        try db.rows(
            sql: """
                SELECT u.id, u.email, u.name, u.role, u.enabled, u.password_hash IS NOT NULL AS has_password,
                       u.created_at, m.role AS team_role
                FROM team_members m JOIN users u ON u.id = m.user_id
                WHERE m.team_id = ? ORDER BY u.email
                """, arguments: [teamID]
        ).map {
            TeamMember(user: UserRepository.user($0), role: ChannelRole(rawValue: $0["team_role"]) ?? .viewer)
        }
    }

    package static func memberRole(_ db: StoreAccess, teamID: Int64, userID: Int64) throws -> ChannelRole? {
        try db.one(
            String.self, sql: "SELECT role FROM team_members WHERE team_id = ? AND user_id = ?",
            arguments: [teamID, userID]
        ).flatMap(ChannelRole.init(rawValue:))
    }

    package static func setMember(_ db: StoreAccess, teamID: Int64, userID: Int64, role: ChannelRole) throws {
        try db.run(
            sql: """
                INSERT INTO team_members(team_id, user_id, role) VALUES (?, ?, ?)
                ON CONFLICT(team_id, user_id) DO UPDATE SET role = excluded.role
                """, arguments: [teamID, userID, role.rawValue])
    }

    package static func removeMember(_ db: StoreAccess, teamID: Int64, userID: Int64) throws {
        try db.run(sql: "DELETE FROM team_members WHERE team_id = ? AND user_id = ?", arguments: [teamID, userID])
    }

    package static func channels(_ db: StoreAccess, teamID: Int64) throws -> [Channel] {
        try db.rows(
            sql: """
                SELECT \(ChannelRepository.columns) FROM channels
                WHERE id IN (SELECT channel_id FROM team_channels WHERE team_id = ?) ORDER BY display_name
                """, arguments: [teamID]
        ).map(ChannelRepository.channel)
    }

    package static func hasChannel(_ db: StoreAccess, teamID: Int64, channelID: Int64) throws -> Bool {
        try db.one(
            Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM team_channels WHERE team_id = ? AND channel_id = ?)",
            arguments: [teamID, channelID]) ?? false
    }

    package static func addChannel(_ db: StoreAccess, teamID: Int64, channelID: Int64) throws {
        try db.run(
            sql: "INSERT INTO team_channels(team_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            arguments: [teamID, channelID])
    }

    package static func removeChannel(_ db: StoreAccess, teamID: Int64, channelID: Int64) throws {
        try db.run(
            sql: "DELETE FROM team_channels WHERE team_id = ? AND channel_id = ?", arguments: [teamID, channelID])
    }

    /// The teams a user is in, with their role.
    package static func memberships(_ db: StoreAccess, userID: Int64) throws -> [(Team, ChannelRole)] {
        try db.rows(
            sql: """
                SELECT t.id, t.name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id
                WHERE m.user_id = ? ORDER BY t.name
                """, arguments: [userID]
        ).map { (team($0), ChannelRole(rawValue: $0["role"]) ?? .viewer) }
    }
}
