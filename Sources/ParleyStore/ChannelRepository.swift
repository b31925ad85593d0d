import ParleyCore

/// OAuth credentials stored with a channel. Never printed: see `masked`.
package struct ChannelCredentials: Sendable, Equatable {
    package var kind: String  // "oauth2" or "oauth1"
    package var accessToken: String
    package var refreshToken: String?
    package var tokenSecret: String?
    package var expiresAt: Timestamp?
    package init(
        kind: String, accessToken: String, refreshToken: String? = nil, tokenSecret: String? = nil,
        expiresAt: Timestamp? = nil
    ) {
        self.kind = kind
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenSecret = tokenSecret
        self.expiresAt = expiresAt
    }

    /// `abcd…(41 chars)`: enough to tell two tokens apart, never enough to use one.
    package static func mask(_ token: String?) -> String {
        guard let token, !token.isEmpty else { return "none" }
        return String(token.prefix(4)) + "…(\(token.count) chars)"
    }
}

package enum ChannelRepository {
    static let columns = """
        id, kind, handle, account_id, display_name, auto_ownership, auto_resolve_new, auto_resolve_pending,
        resolve_reason, all_users, all_users_role, all_teams, access_token IS NOT NULL AS connected, created_at
        """

    /// Decodes a row of `columns`, by position (in the order `columns` lists them).
    static func channel(_ row: StoreRow) -> Channel {
        let newSecs: Int64? = row[6]
        let pendingSecs: Int64? = row[7]
        return Channel(
            id: row[0], kind: ChannelKind(rawValue: row[1]) ?? .twitter, handle: row[2],
            accountID: row[3], displayName: row[4], autoOwnership: row[5],
            autoResolve: AutoResolveSettings(
                newAfter: newSecs.map(TimeSpan.init(seconds:)),
                pendingAfter: pendingSecs.map(TimeSpan.init(seconds:))),
            resolveReason: row[8], allUsers: row[9],
            allUsersRole: ChannelRole(rawValue: row[10]) ?? .contributor,
            allTeams: row[11], connected: row[12], createdAt: row[13])
    }

    package static func find(_ db: StoreAccess, id: Int64) throws -> Channel? {
        try db.row(sql: "SELECT \(columns) FROM channels WHERE id = ?", arguments: [id]).map(channel)
    }

    package static func find(_ db: StoreAccess, accountID: String) throws -> Channel? {
        try db.row(sql: "SELECT \(columns) FROM channels WHERE account_id = ?", arguments: [accountID]).map(channel)
    }

    /// Finds a channel by `#id`, `@handle` or display name (case-insensitive). A display name two
    /// channels share is refused with the way to tell them apart.
    ///
    /// With `within`, only those channels exist: one outside it gets the very answer a channel that
    /// does not exist gets, and suggestions come from `within` alone.
    package static func resolve(_ db: StoreAccess, _ name: String, within: [Channel]? = nil) throws -> Channel {
        let visibleIDs = within.map { Set($0.map(\.id)) }
        func seen(_ c: Channel) -> Bool { visibleIDs?.contains(c.id) ?? true }
        let scope = within == nil ? "" : " that you can see"
        if name.hasPrefix("#"), let id = Int64(name.dropFirst()) {
            if let c = try find(db, id: id), seen(c) { return c }
            throw ParleyError.notFound("no channel \(name)\(scope)")
        }
        if name.hasPrefix("@") {
            let rows = try db.rows(
                sql: "SELECT \(columns) FROM channels WHERE handle = ? ORDER BY id",
                arguments: [String(name.dropFirst())]
            ).map(channel).filter(seen)
            if let c = rows.first { return c }
        } else {
            let byName = try db.rows(
                sql:
                    "SELECT \(columns) FROM channels WHERE display_name = ? \(SQLDialect.caseless) ORDER BY id LIMIT 10",
                arguments: [name]
            ).map(channel).filter(seen)
            if byName.count == 1 { return byName[0] }
            if byName.count > 1 {
                throw ParleyError.usage(
                    "'\(name)' names \(byName.count) channels: say which with "
                        + byName.map { "\($0.atHandle) or #\($0.id)" }.joined(separator: ", "))
            }
            let byHandle = try db.rows(
                sql: "SELECT \(columns) FROM channels WHERE handle = ? ORDER BY id",
                arguments: [name]
            ).map(channel).filter(seen)
            if let c = byHandle.first { return c }
        }
        let known: [String]
        if let within {
            known = within.flatMap { [$0.atHandle, $0.displayName] }
        } else {
            known = try db.rows(sql: "SELECT handle, display_name FROM channels ORDER BY id LIMIT 2000")
                .flatMap { ["@" + ($0["handle"] as String), $0["display_name"] as String] }
        }
        throw ParleyError.notFound("no channel '\(name)'\(scope)" + Suggest.didYouMean(name, among: known))
    }

    package static func conversationCount(_ db: StoreAccess, channelID: Int64) throws -> Int {
        try db.one(Int.self, sql: "SELECT count(*) FROM conversations WHERE channel_id = ?", arguments: [channelID])
            ?? 0
    }

    /// How many direct channel grants a user holds.
    package static func directGrantCount(_ db: StoreAccess, userID: Int64) throws -> Int {
        try db.one(Int.self, sql: "SELECT count(*) FROM channel_grants WHERE user_id = ?", arguments: [userID]) ?? 0
    }

    /// A user's direct grants, by channel display name.
    package static func grants(_ db: StoreAccess, userID: Int64) throws -> [(Channel, ChannelRole)] {
        try db.rows(
            sql: """
                SELECT \(columns), g.role FROM channel_grants g JOIN channels ON channels.id = g.channel_id
                WHERE g.user_id = ? ORDER BY display_name \(SQLDialect.caseless), id
                """, arguments: [userID]
        ).map { (channel($0), ChannelRole(rawValue: $0[14]) ?? .viewer) }
    }

    package static func list(_ db: StoreAccess) throws -> [Channel] {
        try db.rows(sql: "SELECT \(columns) FROM channels ORDER BY display_name \(SQLDialect.caseless), id").map(
            channel)
    }

    package static func list(_ db: StoreAccess, ids: [Int64]) throws -> [Channel] {
        guard !ids.isEmpty else { return [] }
        return try db.uncachedRows(
            sql:
                "SELECT \(columns) FROM channels WHERE id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY display_name \(SQLDialect.caseless), id"
        ).map(channel)
    }

    @discardableResult
    package static func insert(
        _ db: StoreAccess, kind: ChannelKind, handle: String, accountID: String,
        displayName: String, now: Timestamp
    ) throws -> Channel {
        let insertedID = try db.insert(
            sql: """
                INSERT INTO channels(kind, handle, account_id, display_name, auto_resolve_new, auto_resolve_pending, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                kind.rawValue, handle, accountID, displayName,
                AutoResolveLimits.default.seconds, AutoResolveLimits.default.seconds, now,
            ])
        return try find(db, id: insertedID)!
    }

    /// Writes every setting of `c` (not credentials, not cursors).
    package static func save(_ db: StoreAccess, _ c: Channel) throws {
        try db.run(
            sql: """
                UPDATE channels SET handle = ?, display_name = ?, auto_ownership = ?, auto_resolve_new = ?, auto_resolve_pending = ?,
                    resolve_reason = ?, all_users = ?, all_users_role = ?, all_teams = ? WHERE id = ?
                """,
            arguments: [
                c.handle, c.displayName, c.autoOwnership, c.autoResolve.newAfter?.seconds,
                c.autoResolve.pendingAfter?.seconds, c.resolveReason, c.allUsers,
                c.allUsersRole.rawValue, c.allTeams, c.id,
            ])
    }

    package static func delete(_ db: StoreAccess, id: Int64) throws {
        try db.run(sql: "DELETE FROM channels WHERE id = ?", arguments: [id])
    }

    // MARK: Credentials and sync cursors

    package static func credentials(_ db: StoreAccess, id: Int64) throws -> ChannelCredentials? {
        guard
            let row = try db.row(
                sql:
                    "SELECT auth_kind, access_token, refresh_token, token_secret, token_expires_at FROM channels WHERE id = ?",
                arguments: [id]),
            let access: String = row["access_token"]
        else { return nil }
        return ChannelCredentials(
            kind: row["auth_kind"] ?? "oauth2", accessToken: access, refreshToken: row["refresh_token"],
            tokenSecret: row["token_secret"], expiresAt: row["token_expires_at"])
    }

    package static func setCredentials(_ db: StoreAccess, id: Int64, _ c: ChannelCredentials?) throws {
        try db.run(
            sql:
                "UPDATE channels SET auth_kind = ?, access_token = ?, refresh_token = ?, token_secret = ?, token_expires_at = ? WHERE id = ?",
            arguments: [c?.kind, c?.accessToken, c?.refreshToken, c?.tokenSecret, c?.expiresAt, id])
    }

    package struct SyncCursor: Sendable, Equatable {
        package var mentionsSinceID: String?
        package var dmNewestID: String?
        package var lastSyncAt: Timestamp?
    }

    package static func syncCursor(_ db: StoreAccess, id: Int64) throws -> SyncCursor {
        let row = try db.row(
            sql: "SELECT mentions_since_id, dm_newest_id, last_sync_at FROM channels WHERE id = ?", arguments: [id])
        return SyncCursor(
            mentionsSinceID: row?["mentions_since_id"], dmNewestID: row?["dm_newest_id"],
            lastSyncAt: row?["last_sync_at"])
    }

    package static func setSyncCursor(_ db: StoreAccess, id: Int64, _ c: SyncCursor) throws {
        try db.run(
            sql: "UPDATE channels SET mentions_since_id = ?, dm_newest_id = ?, last_sync_at = ? WHERE id = ?",
            arguments: [c.mentionsSinceID, c.dmNewestID, c.lastSyncAt, id])
    }

    // MARK: Direct grants

    package static func grant(_ db: StoreAccess, channelID: Int64, userID: Int64, role: ChannelRole) throws {
        try db.run(
            sql: """
                INSERT INTO channel_grants(channel_id, user_id, role) VALUES (?, ?, ?)
                ON CONFLICT(channel_id, user_id) DO UPDATE SET role = excluded.role
                """, arguments: [channelID, userID, role.rawValue])
    }

    package static func revoke(_ db: StoreAccess, channelID: Int64, userID: Int64) throws {
        try db.run(
            sql: "DELETE FROM channel_grants WHERE channel_id = ? AND user_id = ?", arguments: [channelID, userID])
    }

    package static func directRole(_ db: StoreAccess, channelID: Int64, userID: Int64) throws -> ChannelRole? {
        try db.one(
            String.self, sql: "SELECT role FROM channel_grants WHERE channel_id = ? AND user_id = ?",
            arguments: [channelID, userID]
        ).flatMap(ChannelRole.init(rawValue:))
    }

    package static func teams(_ db: StoreAccess, channelID: Int64) throws -> [Team] {
        try db.rows(
            sql:
                "SELECT t.id, t.name FROM team_channels tc JOIN teams t ON t.id = tc.team_id WHERE tc.channel_id = ? ORDER BY t.name",
            arguments: [channelID]
        ).map(TeamRepository.team)
    }

    package static func directGrants(_ db: StoreAccess, channelID: Int64) throws -> [(User, ChannelRole)] {
        try db.rows(
            sql: """
                SELECT u.id, u.email, u.name, u.role, u.enabled, u.password_hash IS NOT NULL AS has_password, u.created_at, g.role AS grant_role
                FROM channel_grants g JOIN users u ON u.id = g.user_id WHERE g.channel_id = ? ORDER BY u.email
                """, arguments: [channelID]
        ).map { (UserRepository.user($0), ChannelRole(rawValue: $0["grant_role"]) ?? .viewer) }
    }

    /// Handles and display names starting with `prefix` (completion's source).
    package static func names(_ db: StoreAccess, prefix: String, limit: Int) throws -> [String] {
        if prefix.hasPrefix("@") {
            return try db.all(
                String.self,
                sql:
                    "SELECT '@' || handle FROM channels WHERE \(db.dialect.caselessLike("handle")) ? ESCAPE '\\' ORDER BY handle LIMIT ?",
                arguments: [likePrefix(String(prefix.dropFirst())), limit])
        }
        return try db.all(
            String.self,
            sql:
                "SELECT display_name FROM channels WHERE \(db.dialect.caselessLike("display_name")) ? ESCAPE '\\' ORDER BY display_name LIMIT ?",
            arguments: [likePrefix(prefix), limit])
    }
}
