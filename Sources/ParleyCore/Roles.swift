/// A user's account role: admins manage settings, agents do not.
/// Neither role by itself opens any conversation (docs/PRODUCT.md, "People and roles").
package enum AccountRole: String, CaseIterable, Sendable, Codable {
    case admin
    case agent
}

/// A role on a channel, ordered viewer < contributor < supervisor.
package enum ChannelRole: String, CaseIterable, Sendable, Codable, Comparable {
    case viewer
    case contributor
    case supervisor

    package var rank: Int {
        switch self {
        case .viewer: return 1
        case .contributor: return 2
        case .supervisor: return 3
        }
    }

    package static func < (lhs: ChannelRole, rhs: ChannelRole) -> Bool { lhs.rank < rhs.rank }

    package static func parse(_ text: String) throws -> ChannelRole {
        if let role = ChannelRole(rawValue: text.lowercased()) { return role }
        throw ParleyError.invalidValue(
            "'\(text)' is not a channel role: use viewer, contributor or supervisor"
                + Suggest.didYouMean(text, among: ChannelRole.allCases.map(\.rawValue)))
    }
}

extension AccountRole {
    package static func parse(_ text: String) throws -> AccountRole {
        if let role = AccountRole(rawValue: text.lowercased()) { return role }
        throw ParleyError.invalidValue(
            "'\(text)' is not an account role: use admin or agent"
                + Suggest.didYouMean(text, among: AccountRole.allCases.map(\.rawValue)))
    }
}
