import Testing

@testable import ParleyCore

/// Every conversation action × every role situation × every access path (docs/PRODUCT.md, "Access").
@Suite struct AccessMatrixTests {
    enum Path: String, CaseIterable, Sendable {
        case direct, team, allUsers, allTeams
    }

    /// The role each action needs, from the table in docs/PRODUCT.md.
    static let needs: [Action: ChannelRole] = [
        .view: .viewer, .move: .viewer, .tag: .viewer, .topic: .viewer, .note: .viewer,
        .reply: .contributor, .assign: .contributor, .report: .supervisor,
    ]

    static let conversationActions: [Action] = Action.allCases.filter { $0 != .manageSettings }

    /// Facts where the user reaches the channel by exactly `path` at `role`.
    static func facts(_ path: Path, _ role: ChannelRole, enabled: Bool = true) -> AccessFacts {
        var f = AccessFacts(userEmail: "bob@acme.example", userEnabled: enabled, channelName: "@acme_help")
        switch path {
        case .direct: f.directRole = role
        case .team: f.memberships = [.init(team: "Support", role: role, teamHasChannel: true)]
        case .allUsers:
            f.allUsers = true
            f.allUsersRole = role
        case .allTeams:
            f.allTeams = true
            f.memberships = [.init(team: "Sales", role: role, teamHasChannel: false)]
        }
        return f
    }

    static func source(_ path: Path) -> String {
        switch path {
        case .direct: return "direct grant"
        case .team: return "team Support"
        case .allUsers: return "All Users"
        case .allTeams: return "All Teams (team Sales)"
        }
    }

    @Test(arguments: conversationActions, ChannelRole.allCases)
    func everyPathAtEveryRole(action: Action, role: ChannelRole) {
        for path in Path.allCases {
            let d = AccessPolicy.decide(action, Self.facts(path, role))
            let need = Self.needs[action]!
            #expect(d.allowed == (role >= need), "\(action) as \(role) via \(path)")
            let expectedPath: AccessPath
            switch path {
            case .direct: expectedPath = .direct(role)
            case .team: expectedPath = .team("Support", role)
            case .allUsers: expectedPath = .allUsers(role)
            case .allTeams: expectedPath = .allTeams(team: "Sales", role)
            }
            if role >= need {
                #expect(d.rule == .roleSufficient(expectedPath))
                #expect(d.explanation.hasPrefix("yes — bob@acme.example is \(role.rawValue) on @acme_help"))
            } else {
                #expect(d.rule == .roleTooLow(expectedPath, needed: need))
                #expect(d.explanation.hasPrefix("no — bob@acme.example is \(role.rawValue) on @acme_help"))
            }
            #expect(d.explanation.contains("via \(Self.source(path))"), "\(d.explanation)")
            #expect(d.explanation.hasSuffix("\(action.rawValue) needs \(need.rawValue)"))
        }
    }

    @Test(arguments: conversationActions)
    func noRoleIsRefusedByNoChannelRole(action: Action) {
        let bare = AccessFacts(userEmail: "bob@acme.example", channelName: "@acme_help")
        let d = AccessPolicy.decide(action, bare)
        #expect(!d.allowed && d.rule == .noChannelRole)
        #expect(d.explanation.contains("has no role on @acme_help") && d.explanation.contains("All Users off"))
        // A team that does not list the channel, with All Teams off, gives nothing either.
        var teamed = bare
        teamed.memberships = [.init(team: "Sales", role: .supervisor, teamHasChannel: false)]
        let t = AccessPolicy.decide(action, teamed)
        #expect(!t.allowed && t.rule == .noChannelRole && t.explanation.contains("All Teams off"))
        // An admin account alone opens no conversation.
        var admin = bare
        admin.accountRole = .admin
        #expect(!AccessPolicy.decide(action, admin).allowed)
    }

    @Test(arguments: conversationActions, Path.allCases)
    func aDisabledUserHasNoRoleAnywhere(action: Action, path: Path) {
        let d = AccessPolicy.decide(action, Self.facts(path, .supervisor, enabled: false))
        #expect(!d.allowed && d.rule == .disabledUser)
        #expect(d.explanation.contains("disabled"))
        #expect(AccessPolicy.effectiveRole(Self.facts(path, .supervisor, enabled: false)).role == nil)
    }

    /// Two paths at different roles: the highest wins, and names its path.
    @Test(arguments: conversationActions)
    func twoPathsTheHighestWins(action: Action) {
        for low in Path.allCases {
            for high in Path.allCases where high != low {
                for (lowRole, highRole) in [
                    (ChannelRole.viewer, ChannelRole.contributor), (.viewer, .supervisor), (.contributor, .supervisor),
                ] {
                    var f = Self.facts(low, lowRole)
                    let h = Self.facts(high, highRole)
                    if h.directRole != nil { f.directRole = h.directRole }
                    if h.allUsers {
                        f.allUsers = true
                        f.allUsersRole = h.allUsersRole
                    }
                    if h.allTeams { f.allTeams = true }
                    f.memberships += h.memberships
                    // All Teams on also carries a team that lists the channel: that one is still "team".
                    let eff = AccessPolicy.effectiveRole(f)
                    #expect(eff.role == highRole, "\(low)@\(lowRole) + \(high)@\(highRole)")
                    #expect(eff.paths.count == 2)
                    #expect(eff.decidingPath?.role == highRole)
                    let d = AccessPolicy.decide(action, f)
                    #expect(d.allowed == (highRole >= Self.needs[action]!))
                    #expect(
                        d.explanation.contains("via \(Self.source(high)) as \(highRole.rawValue)"), "\(d.explanation)")
                    #expect(
                        d.explanation.contains("via \(Self.source(low)) as \(lowRole.rawValue)"), "\(d.explanation)")
                }
            }
        }
    }

    @Test func allUsersRoleIsTheChannels() {
        for role in ChannelRole.allCases {
            var f = AccessFacts(userEmail: "x@y.example", channelName: "@c", allUsers: true, allUsersRole: role)
            #expect(AccessPolicy.effectiveRole(f).role == role)
            f.allUsers = false
            #expect(AccessPolicy.effectiveRole(f).role == nil)
        }
    }

    @Test func manageSettingsIsDecidedByTheAccountRole() {
        #expect(AccessPolicy.decideSettings(email: "a@x.example", enabled: true, role: .admin).allowed)
        #expect(AccessPolicy.decideSettings(email: "a@x.example", enabled: true, role: .admin).rule == .adminAccount)
        let agent = AccessPolicy.decideSettings(email: "b@x.example", enabled: true, role: .agent)
        #expect(!agent.allowed && agent.rule == .notAdmin && agent.explanation.contains("needs an admin account"))
        let disabled = AccessPolicy.decideSettings(email: "a@x.example", enabled: false, role: .admin)
        #expect(!disabled.allowed && disabled.rule == .disabledUser)
        // A supervisor on every channel is still no admin.
        let f = AccessFacts(userEmail: "s@x.example", accountRole: .agent, channelName: "@c", directRole: .supervisor)
        #expect(!AccessPolicy.decide(.manageSettings, f).allowed)
    }

    /// `allows` (listings) and `decide` (commands) answer alike for every combination of facts.
    @Test func allowsAgreesWithDecide() {
        let roles: [ChannelRole?] = [nil] + ChannelRole.allCases
        let membershipSets: [[AccessFacts.Membership]] = [
            [], [.init(team: "Support", role: .viewer, teamHasChannel: true)],
            [.init(team: "Sales", role: .supervisor, teamHasChannel: false)],
            [
                .init(team: "Sales", role: .contributor, teamHasChannel: false),
                .init(team: "support", role: .viewer, teamHasChannel: true),
            ],
        ]
        var checked = 0
        for enabled in [true, false] {
            for account in AccountRole.allCases {
                for direct in roles {
                    for memberships in membershipSets {
                        for allTeams in [false, true] {
                            for allUsers in [false, true] {
                                for allUsersRole in ChannelRole.allCases {
                                    let f = AccessFacts(
                                        userEmail: "bob@acme.example", userEnabled: enabled, accountRole: account,
                                        channelName: "@acme_help", directRole: direct, memberships: memberships,
                                        allTeams: allTeams, allUsers: allUsers, allUsersRole: allUsersRole)
                                    for action in Action.allCases {
                                        #expect(
                                            AccessPolicy.allows(action, f) == AccessPolicy.decide(action, f).allowed)
                                        checked += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 1000)
    }
}
