/// One way a user reaches a channel role (docs/PRODUCT.md, "Access").
package enum AccessPath: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// A direct grant: user → channel → role.
    case direct(ChannelRole)
    /// Membership of a team whose channels include this one.
    case team(String, ChannelRole)
    /// Membership of a team that has the channel only through the channel's All Teams switch.
    case allTeams(team: String, ChannelRole)
    /// The channel's All Users switch.
    case allUsers(ChannelRole)

    package var role: ChannelRole {
        switch self {
        case .direct(let r), .team(_, let r), .allTeams(_, let r), .allUsers(let r): return r
        }
    }

    /// `direct`, `team Support`, `All Teams (team Sales)`, `All Users`.
    package var source: String {
        switch self {
        case .direct: return "direct grant"
        case .team(let name, _): return "team \(name)"
        case .allTeams(let name, _): return "All Teams (team \(name))"
        case .allUsers: return "All Users"
        }
    }

    package var description: String { "\(role.rawValue) via \(source)" }
}

/// The facts about one user and one channel that decide the user's access to it.
/// The store gathers them; the policy alone decides.
package struct AccessFacts: Sendable, Equatable {
    package struct Membership: Sendable, Equatable {
        package var team: String
        package var role: ChannelRole
        /// Whether the team's own channel list holds the channel.
        package var teamHasChannel: Bool
        package init(team: String, role: ChannelRole, teamHasChannel: Bool) {
            self.team = team
            self.role = role
            self.teamHasChannel = teamHasChannel
        }
    }

    package var userEmail: String
    package var userEnabled: Bool
    package var accountRole: AccountRole
    package var channelName: String
    package var directRole: ChannelRole?
    package var memberships: [Membership]
    package var allTeams: Bool
    package var allUsers: Bool
    package var allUsersRole: ChannelRole

    package init(
        userEmail: String, userEnabled: Bool = true, accountRole: AccountRole = .agent,
        channelName: String, directRole: ChannelRole? = nil, memberships: [Membership] = [],
        allTeams: Bool = false, allUsers: Bool = false, allUsersRole: ChannelRole = .contributor
    ) {
        self.userEmail = userEmail
        self.userEnabled = userEnabled
        self.accountRole = accountRole
        self.channelName = channelName
        self.directRole = directRole
        self.memberships = memberships
        self.allTeams = allTeams
        self.allUsers = allUsers
        self.allUsersRole = allUsersRole
    }
}

/// A user's effective role on a channel, with every path that grants a role.
package struct EffectiveRole: Sendable, Equatable {
    /// The highest role any path grants; nil when none does or the user is disabled.
    package var role: ChannelRole?
    /// Every granting path, highest role first (ties: direct, team, All Teams, All Users).
    package var paths: [AccessPath]
    package var disabled: Bool

    /// The path that decides: the first of the highest role.
    package var decidingPath: AccessPath? { paths.first }
}

/// The rule that decided an access question. Every denial names one.
package enum AccessRule: Equatable, Sendable {
    case notLoggedIn
    case disabledUser
    case noChannelRole
    case roleSufficient(AccessPath)
    case roleTooLow(AccessPath, needed: ChannelRole)
    case adminAccount
    case notAdmin
}

/// A yes or no, the rule behind it, and the whole story in words.
package struct AccessDecision: Sendable, Equatable {
    package var allowed: Bool
    package var rule: AccessRule
    package var action: Action
    package var effective: EffectiveRole?
    /// One line: `no — bob@acme.example is viewer on @acme_help (via team Support; no direct grant;
    /// All Users off); reply needs contributor`.
    package var explanation: String
}

/// Every permission decision of parley, in one place (docs/PRODUCT.md, "Access").
package enum AccessPolicy {
    /// The effective role: the highest of direct, team, All Teams and All Users. Disabled: none.
    package static func effectiveRole(_ f: AccessFacts) -> EffectiveRole {
        guard f.userEnabled else { return EffectiveRole(role: nil, paths: [], disabled: true) }
        var paths: [AccessPath] = []
        if let r = f.directRole { paths.append(.direct(r)) }
        // Only memberships that reach the channel become paths; those few are sorted by team name.
        var teamPaths: [(key: String, path: AccessPath)] = []
        for m in f.memberships where m.teamHasChannel || f.allTeams {
            teamPaths.append(
                (m.team.lowercased(), m.teamHasChannel ? .team(m.team, m.role) : .allTeams(team: m.team, m.role)))
        }
        if teamPaths.count > 1 { teamPaths.sort { $0.key < $1.key } }
        paths.append(contentsOf: teamPaths.map(\.path))
        if f.allUsers { paths.append(.allUsers(f.allUsersRole)) }
        // Stable sort: highest role first, keeping the order above among equals.
        let ordered =
            paths.count < 2
            ? paths
            : paths.enumerated().sorted {
                $0.element.role != $1.element.role ? $0.element.role > $1.element.role : $0.offset < $1.offset
            }.map(\.element)
        return EffectiveRole(role: ordered.first?.role, paths: ordered, disabled: false)
    }

    /// May the user take `action` on the channel the facts describe? The explanation ends in
    /// "`label` needs ROLE": the action's name, or the command's when it gives one.
    package static func decide(_ action: Action, _ f: AccessFacts, naming label: String? = nil) -> AccessDecision {
        if action == .manageSettings { return decideSettings(f, naming: label) }
        let what = label ?? action.rawValue
        let needed = action.requiredChannelRole ?? .viewer
        let eff = effectiveRole(f)
        if eff.disabled {
            return AccessDecision(
                allowed: false, rule: .disabledUser, action: action, effective: eff,
                explanation: "no — \(f.userEmail) is disabled: a disabled user has no role on any channel")
        }
        guard let path = eff.decidingPath else {
            return AccessDecision(
                allowed: false, rule: .noChannelRole, action: action, effective: eff,
                explanation: "no — \(f.userEmail) has no role on \(f.channelName) (\(context(f, eff)));"
                    + " \(what) needs \(needed.rawValue)")
        }
        if path.role >= needed {
            return AccessDecision(
                allowed: true, rule: .roleSufficient(path), action: action, effective: eff,
                explanation: "yes — \(f.userEmail) is \(path.role.rawValue) on \(f.channelName)"
                    + " (\(context(f, eff))); \(what) needs \(needed.rawValue)")
        }
        return AccessDecision(
            allowed: false, rule: .roleTooLow(path, needed: needed), action: action, effective: eff,
            explanation: "no — \(f.userEmail) is \(path.role.rawValue) on \(f.channelName)"
                + " (\(context(f, eff))); \(what) needs \(needed.rawValue)")
    }

    /// Whether `decide(action, f)` allows it: the same rules, without the words that explain
    /// the decision (a listing decides for every channel the user reaches).
    package static func allows(_ action: Action, _ f: AccessFacts) -> Bool {
        if action == .manageSettings { return f.userEnabled && f.accountRole == .admin }
        guard let role = effectiveRole(f).role else { return false }
        return role >= action.requiredChannelRole ?? .viewer
    }

    /// Settings need an enabled admin account; no channel role is involved.
    package static func decideSettings(_ f: AccessFacts, naming label: String? = nil) -> AccessDecision {
        decideSettings(email: f.userEmail, enabled: f.userEnabled, role: f.accountRole, naming: label)
    }

    package static func decideSettings(email: String, enabled: Bool, role: AccountRole, naming label: String? = nil)
        -> AccessDecision
    {
        let what = label ?? Action.manageSettings.rawValue
        if !enabled {
            return AccessDecision(
                allowed: false, rule: .disabledUser, action: .manageSettings, effective: nil,
                explanation: "no — \(email) is disabled")
        }
        if role == .admin {
            return AccessDecision(
                allowed: true, rule: .adminAccount, action: .manageSettings, effective: nil,
                explanation: "yes — \(email) is an admin; \(what) needs an admin account")
        }
        return AccessDecision(
            allowed: false, rule: .notAdmin, action: .manageSettings, effective: nil,
            explanation: "no — \(email) is an agent; \(what) needs an admin account")
    }

    /// May `assignee` own a conversation of the channel? Owners need contributor or higher.
    package static func canOwn(_ f: AccessFacts) -> AccessDecision { decide(.assign, f) }

    /// The decision path in words: every granting path, and which rules gave nothing.
    static func context(_ f: AccessFacts, _ eff: EffectiveRole) -> String {
        var parts: [String] = eff.paths.map {
            "via \($0.source)" + (eff.paths.count > 1 ? " as \($0.role.rawValue)" : "")
        }
        if f.directRole == nil { parts.append("no direct grant") }
        if !eff.paths.contains(where: { if case .team = $0 { return true } else { return false } })
            && !eff.paths.contains(where: { if case .allTeams = $0 { return true } else { return false } })
        {
            parts.append(f.memberships.isEmpty ? "in no team" : "no team of theirs has it")
        }
        if !f.allUsers { parts.append("All Users off") }
        if !f.allTeams && !f.memberships.isEmpty && !f.memberships.allSatisfy(\.teamHasChannel) {
            parts.append("All Teams off")
        }
        return parts.joined(separator: "; ")
    }
}
