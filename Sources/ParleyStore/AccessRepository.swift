import GRDB
import ParleyCore

/// Gathers the facts `AccessPolicy` decides on. It never decides anything itself.
public enum AccessRepository {
    /// The facts for one user on one channel.
    public static func facts(_ db: Database, user: User, channel: Channel) throws -> AccessFacts {
        let direct = try ChannelRepository.directRole(db, channelID: channel.id, userID: user.id)
        let memberships = try db.rows(sql: """
            SELECT t.name, m.role,
                   EXISTS (SELECT 1 FROM team_channels tc WHERE tc.team_id = m.team_id AND tc.channel_id = ?) AS has_channel
            FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?
            """, arguments: [channel.id, user.id]).map {
            AccessFacts.Membership(team: $0["name"], role: ChannelRole(rawValue: $0["role"]) ?? .viewer,
                                   teamHasChannel: $0["has_channel"])
        }
        return AccessFacts(userEmail: user.email, userEnabled: user.enabled, accountRole: user.role,
                           channelName: channel.atHandle,
                           directRole: direct, memberships: memberships, allTeams: channel.allTeams,
                           allUsers: channel.allUsers, allUsersRole: channel.allUsersRole)
    }

    /// The facts for one user on every channel where some path could give a role.
    /// Channels outside this set have no path at all, so the user has no role there.
    public static func factsForCandidateChannels(_ db: Database, user: User) throws -> [(Channel, AccessFacts)] {
        guard user.enabled else { return [] }
        let inAnyTeam = try db.one(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM team_members WHERE user_id = ?)", arguments: [user.id]) ?? false
        let channels = try db.rows(sql: """
            SELECT \(ChannelRepository.columns) FROM channels WHERE id IN (
                SELECT channel_id FROM channel_grants WHERE user_id = ?1
                UNION SELECT tc.channel_id FROM team_members m JOIN team_channels tc ON tc.team_id = m.team_id WHERE m.user_id = ?1
                UNION SELECT id FROM channels WHERE all_users = 1
                UNION SELECT id FROM channels WHERE all_teams = 1 AND ?2
            ) ORDER BY display_name COLLATE NOCASE, id
            """, arguments: [user.id, inAnyTeam]).map(ChannelRepository.channel)
        guard !channels.isEmpty else { return [] }
        var direct: [Int64: ChannelRole] = [:]
        for row in try db.rows(sql: "SELECT channel_id, role FROM channel_grants WHERE user_id = ?", arguments: [user.id]) {
            direct[row["channel_id"]] = ChannelRole(rawValue: row["role"])
        }
        let teams = try db.rows(sql: "SELECT t.id, t.name, m.role FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?",
                                     arguments: [user.id]).map { (id: $0["id"] as Int64, name: $0["name"] as String, role: ChannelRole(rawValue: $0["role"]) ?? .viewer) }
        var teamChannels: [Int64: Set<Int64>] = [:]
        if !teams.isEmpty {
            for row in try db.rows(sql: "SELECT tc.team_id, tc.channel_id FROM team_channels tc JOIN team_members m ON m.team_id = tc.team_id WHERE m.user_id = ?",
                                        arguments: [user.id]) {
                teamChannels[row["team_id"], default: []].insert(row["channel_id"])
            }
        }
        return channels.map { c in
            let memberships = teams.map {
                AccessFacts.Membership(team: $0.name, role: $0.role, teamHasChannel: teamChannels[$0.id]?.contains(c.id) ?? false)
            }
            return (c, AccessFacts(userEmail: user.email, userEnabled: user.enabled, accountRole: user.role,
                                   channelName: c.atHandle, directRole: direct[c.id], memberships: memberships,
                                   allTeams: c.allTeams, allUsers: c.allUsers, allUsersRole: c.allUsersRole))
        }
    }

    /// Users who might have a role on the channel: direct grants, members of its teams,
    /// and (with All Teams) every team member, (with All Users) every enabled user.
    public static func candidateUsers(_ db: Database, channel: Channel) throws -> [User] {
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
