import ParleyCore

/// Gathers the facts `AccessPolicy` decides on. It never decides anything itself.
package enum AccessRepository {
    /// The facts for one user on one channel.
    package static func facts(_ db: StoreAccess, user: User, channel: Channel) throws -> AccessFacts {
        let direct = try ChannelRepository.directRole(db, channelID: channel.id, userID: user.id)
        let memberships = try db.rows(
            sql: """
                SELECT t.name, m.role,
                       EXISTS (SELECT 1 FROM team_channels tc WHERE tc.team_id = m.team_id AND tc.channel_id = ?) AS has_channel
                FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?
                """, arguments: [channel.id, user.id]
        ).map {
            AccessFacts.Membership(team: $0[0], role: ChannelRole(rawValue: $0[1]) ?? .viewer, teamHasChannel: $0[2])
        }
        return AccessFacts(
            userEmail: user.email, userEnabled: user.enabled, accountRole: user.role,
            channelName: channel.atHandle,
            directRole: direct, memberships: memberships, allTeams: channel.allTeams,
            allUsers: channel.allUsers, allUsersRole: channel.allUsersRole)
    }

    /// The facts that decide for one user on one channel: the memberships are only those that
    /// reach the channel (all of them under All Teams). The same decision as `facts`, without the
    /// text that explains a refusal; a command on a conversation reads one row instead of one per
    /// team of the user.
    package static func decidingFacts(_ db: StoreAccess, user: User, channel: Channel) throws -> AccessFacts {
        guard !channel.allTeams else { return try facts(db, user: user, channel: channel) }
        let direct = try ChannelRepository.directRole(db, channelID: channel.id, userID: user.id)
        let memberships = try db.rows(
            sql: """
                SELECT t.name, m.role FROM team_channels tc
                JOIN team_members m ON m.team_id = tc.team_id AND m.user_id = ?
                JOIN teams t ON t.id = tc.team_id WHERE tc.channel_id = ?
                """, arguments: [user.id, channel.id]
        ).map {
            AccessFacts.Membership(team: $0[0], role: ChannelRole(rawValue: $0[1]) ?? .viewer, teamHasChannel: true)
        }
        return AccessFacts(
            userEmail: user.email, userEnabled: user.enabled, accountRole: user.role,
            channelName: channel.atHandle,
            directRole: direct, memberships: memberships, allTeams: channel.allTeams,
            allUsers: channel.allUsers, allUsersRole: channel.allUsersRole)
    }

    /// The facts for one user on every channel where some path could give a role.
    /// Channels outside this set have no path at all, so the user has no role there.
    ///
    /// With `pathsOnly`, each channel's facts hold only the memberships that reach it (all of them
    /// under All Teams): the same decision, without the text that explains a refusal. Listing
    /// pages use it: a user in 50 teams on 200 channels would otherwise build 10,000 memberships.
    package static func factsForCandidateChannels(_ db: StoreAccess, user: User, pathsOnly: Bool = false) throws -> [(
        Channel, AccessFacts
    )] {
        guard user.enabled else { return [] }
        let inAnyTeam =
            try db.one(
                Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM team_members WHERE user_id = ?)", arguments: [user.id])
            ?? false
        let channels = try db.rows(
            sql: """
                SELECT \(ChannelRepository.columns) FROM channels WHERE id IN (
                    SELECT channel_id FROM channel_grants WHERE user_id = ?1
                    UNION SELECT tc.channel_id FROM team_members m JOIN team_channels tc ON tc.team_id = m.team_id WHERE m.user_id = ?1
                    UNION SELECT id FROM channels WHERE all_users = 1 OR (all_teams = 1 AND ?2 = 1)
                ) ORDER BY display_name \(SQLDialect.caseless), id
                """, arguments: [user.id, inAnyTeam]
        ).map(ChannelRepository.channel)
        guard !channels.isEmpty else { return [] }
        var direct: [Int64: ChannelRole] = [:]
        for row in try db.rows(
            sql: "SELECT channel_id, role FROM channel_grants WHERE user_id = ?", arguments: [user.id])
        {
            direct[row[0]] = ChannelRole(rawValue: row[1])
        }
        let teams = try db.rows(
            sql: "SELECT t.id, t.name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?",
            arguments: [user.id]
        ).map { (id: $0[0] as Int64, name: $0[1] as String, role: ChannelRole(rawValue: $0[2]) ?? .viewer) }
        // For each channel, the user's teams (by position in `teams`) whose channel list holds it.
        var teamsHolding: [Int64: [Int]] = [:]
        if !teams.isEmpty {
            var position: [Int64: Int] = [:]
            for (i, t) in teams.enumerated() { position[t.id] = i }
            for (team, channel) in try db.integerPairs(
                sql:
                    "SELECT tc.team_id, tc.channel_id FROM team_channels tc JOIN team_members m ON m.team_id = tc.team_id WHERE m.user_id = ?",
                arguments: [user.id])
            {
                if let i = position[team] { teamsHolding[channel, default: []].append(i) }
            }
        }
        return channels.map { c in
            var memberships: [AccessFacts.Membership] = []
            // The memberships in the order of `teams`, whichever are kept.
            let holding = (teamsHolding[c.id] ?? []).sorted()
            if pathsOnly && !c.allTeams {
                for i in holding {
                    memberships.append(
                        AccessFacts.Membership(team: teams[i].name, role: teams[i].role, teamHasChannel: true))
                }
            } else {
                let held = Set(holding)
                for (i, t) in teams.enumerated() {
                    memberships.append(
                        AccessFacts.Membership(team: t.name, role: t.role, teamHasChannel: held.contains(i)))
                }
            }
            return (
                c,
                AccessFacts(
                    userEmail: user.email, userEnabled: user.enabled, accountRole: user.role,
                    channelName: c.atHandle, directRole: direct[c.id], memberships: memberships,
                    allTeams: c.allTeams, allUsers: c.allUsers, allUsersRole: c.allUsersRole)
            )
        }
    }

    /// The channels the user has any role on (the access rules decide), in display order.
    package static func visibleChannels(_ db: StoreAccess, user: User) throws -> [Channel] {
        try factsForCandidateChannels(db, user: user, pathsOnly: true).filter {
            AccessPolicy.allows(.view, $0.1)
        }.map(\.0)
    }

    /// The condition on a `users u` row for the users `viewer` may see, given the channels the
    /// viewer has a role on: themselves, enabled admins (the people who grant access), members of
    /// the viewer's teams, and enabled users with a role on one of those channels.
    static func visibleUserCondition(viewer: User, channels: [Channel]) -> String {
        var parts = [
            "u.id = \(viewer.id)",
            "(u.role = 'admin' AND u.enabled = 1)",
            "u.id IN (SELECT o.user_id FROM team_members mine JOIN team_members o ON o.team_id = mine.team_id"
                + " WHERE mine.user_id = \(viewer.id))",
        ]
        if !channels.isEmpty {
            let ids = channels.map { String($0.id) }.joined(separator: ",")
            var holders = [
                "u.id IN (SELECT user_id FROM channel_grants WHERE channel_id IN (\(ids)))",
                "u.id IN (SELECT m.user_id FROM team_members m JOIN team_channels tc ON tc.team_id = m.team_id"
                    + " WHERE tc.channel_id IN (\(ids)))",
            ]
            if channels.contains(where: \.allTeams) { holders.append("u.id IN (SELECT user_id FROM team_members)") }
            // `1 = 1`, not `1`: PostgreSQL wants a boolean where SQLite takes any integer.
            if channels.contains(where: \.allUsers) { holders = ["1 = 1"] }
            parts.append("(u.enabled = 1 AND (" + holders.joined(separator: " OR ") + "))")
        }
        return "(" + parts.joined(separator: " OR ") + ")"
    }

    /// Whether `viewer`, who has a role on `channels`, may see the user with this id.
    package static func seesUser(_ db: StoreAccess, viewer: User, channels: [Channel], userID: Int64) throws -> Bool {
        let condition = visibleUserCondition(viewer: viewer, channels: channels)
        return try db.uncachedAll(
            Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND \(condition))",
            arguments: [userID]
        ).first ?? false
    }

    /// The users `viewer` may see, by email: a page after `after`, or those starting with `prefix`.
    /// With `everyone` (an admin), every user.
    package static func visibleUsers(
        _ db: StoreAccess, viewer: User, channels: [Channel], everyone: Bool = false, prefix: String? = nil,
        after: String? = nil, limit: Int? = nil
    ) throws -> [User] {
        let condition = everyone ? "1 = 1" : visibleUserCondition(viewer: viewer, channels: channels)
        var sql = "SELECT \(UserRepository.columns) FROM users u WHERE \(condition)"
        var args: [any SQLBindable] = []
        if let prefix, !prefix.isEmpty {
            sql += " AND u.email >= ? AND u.email < ?"
            args += [prefix, prefix + "\u{10FFFF}"]
        }
        if let after {
            sql += " AND u.email > ?"
            args.append(after)
        }
        sql += " ORDER BY u.email \(SQLDialect.caseless)"
        if let limit {
            sql += " LIMIT ?"
            args.append(limit)
        }
        return try db.uncachedRows(sql: sql, arguments: SQLArguments(args)).map(UserRepository.user)
    }

    /// Users who might have a role on the channel: direct grants, members of its teams,
    /// and (with All Teams) every team member, (with All Users) every enabled user.
    package static func candidateUsers(_ db: StoreAccess, channel: Channel) throws -> [User] {
        var sql = """
            SELECT \(UserRepository.columns) FROM users WHERE id IN (
                SELECT user_id FROM channel_grants WHERE channel_id = ?1
                UNION SELECT m.user_id FROM team_members m JOIN team_channels tc ON tc.team_id = m.team_id WHERE tc.channel_id = ?1
            """
        if channel.allTeams { sql += " UNION SELECT user_id FROM team_members" }
        if channel.allUsers { sql += " UNION SELECT id FROM users WHERE enabled = 1" }
        sql += ") ORDER BY email"
        return try db.rows(sql: sql, arguments: [channel.id]).map(UserRepository.user)
    }
}
