/// What a user may try to do on a channel's conversations, or on the organisation's settings.
/// These are the actions `can` and `who-can` take (the table of docs/PRODUCT.md plus `manage-settings`).
package enum Action: String, CaseIterable, Sendable {
    /// See the channel and its conversations.
    case view
    /// Move a conversation to New, Pending or Resolved.
    case move
    /// Add or remove tags.
    case tag
    /// Set topics.
    case topic
    /// Add internal notes.
    case note
    /// Reply, publicly or by direct message.
    case reply
    /// Own a conversation; assign or unassign it.
    case assign
    /// See the channel's reports.
    case report
    /// Manage users, teams, channels, access and topics (account role admin).
    case manageSettings = "manage-settings"

    /// The least channel role the action needs; nil for account-level actions.
    package var requiredChannelRole: ChannelRole? {
        switch self {
        case .view, .move, .tag, .topic, .note: return .viewer
        case .reply, .assign: return .contributor
        case .report: return .supervisor
        case .manageSettings: return nil
        }
    }

    /// Words users may type for an action, mapped to it.
    package static let aliases: [String: Action] = [
        "see": .view, "list": .view, "show": .view,
        "untag": .tag, "own": .assign, "unassign": .assign,
        "topics": .topic, "notes": .note, "dm": .reply, "reports": .report,
        "settings": .manageSettings, "admin": .manageSettings,
    ]

    package static func parse(_ text: String) throws -> Action {
        let lowered = text.lowercased()
        if let a = Action(rawValue: lowered) ?? aliases[lowered] { return a }
        throw ParleyError.invalidValue(
            "'\(text)' is not an action: use " + Action.allCases.map(\.rawValue).joined(separator: ", ")
                + Suggest.didYouMean(text, among: Action.allCases.map(\.rawValue)))
    }
}
