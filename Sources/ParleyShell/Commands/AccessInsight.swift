import ParleyCore
import ParleyStore

/// `can`, `who-can`: access decisions with the rule behind them, like `kubectl auth can-i`.
enum AccessInsight {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "can",
                args: [
                    ArgSpec("EMAIL", .user), ArgSpec("ACTION", .action),
                    ArgSpec("TARGET", .conversationOrChannel, optional: true),
                ],
                summary: "may a user take an action on a conversation (N) or channel, and why",
                example: "can bob@acme.example reply 12",
                requirement: .selfOrAdmin("can about another user"), access: .read, handler: can),
            CommandSpec(
                "who-can", args: [ArgSpec("ACTION", .action), ArgSpec("CHANNEL", .channel)],
                summary: "the users who may take an action on a channel, and through what",
                example: "who-can reply @acme_help", requirement: .onChannelOrAdmin(.report, naming: true),
                access: .read,
                handler: whoCan),
        ]
    }

    static func can(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (subject, action) = (inv.user(), inv.action())
        var channel: Channel? = nil
        var conversationID: Int64? = nil
        switch inv.given("TARGET") {
        case .conversation(let c, let ch)?:
            channel = ch
            conversationID = c.id
        case .channel(let ch)?: channel = ch
        default: break
        }
        let decision: AccessDecision
        if action == .manageSettings {
            decision = AccessPolicy.decideSettings(email: subject.email, enabled: subject.enabled, role: subject.role)
        } else {
            guard let channel else {
                throw ParleyError.usage(
                    "can \(action.rawValue) needs a conversation number or a channel: can EMAIL \(action.rawValue) 12")
            }
            decision = AccessPolicy.decide(action, try AccessRepository.facts(ctx.db, user: subject, channel: channel))
        }
        var explanation = decision.explanation
        if let conversationID { explanation += " (conversation \(conversationID) is on \(channel!.atHandle))" }
        return .done(
            explanation,
            record: [
                ("allowed", .bool(decision.allowed)), ("user", .string(subject.email)),
                ("action", .string(action.rawValue)),
                ("channel", .of(channel?.atHandle)), ("conversation", .of(conversationID)),
                ("role", .of(decision.effective?.role?.rawValue)), ("rule", .string(ruleName(decision.rule))),
                ("paths", .strings(decision.effective?.paths.map(\.description) ?? [])),
            ])
    }

    static func ruleName(_ r: AccessRule) -> String {
        switch r {
        case .notLoggedIn: return "not-logged-in"
        case .disabledUser: return "disabled-user"
        case .noChannelRole: return "no-channel-role"
        case .roleSufficient(let p): return "role via \(p.source)"
        case .roleTooLow(let p, let needed): return "role too low via \(p.source) (needs \(needed.rawValue))"
        case .adminAccount: return "admin-account"
        case .notAdmin: return "not-admin"
        }
    }

    static func whoCan(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (action, channel) = (inv.action(), inv.channel())
        var rows: [[Value]] = []
        let users =
            action == .manageSettings
            // The answer's candidates (settings are admins' work), not an access rule.
            ? try UserRepository.list(ctx.db).filter { $0.role == .admin }
            : try AccessRepository.candidateUsers(ctx.db, channel: channel)
        for u in users {
            let d =
                action == .manageSettings
                ? AccessPolicy.decideSettings(email: u.email, enabled: u.enabled, role: u.role)
                : AccessPolicy.decide(action, try AccessRepository.facts(ctx.db, user: u, channel: channel))
            guard d.allowed else { continue }
            rows.append([
                .string(u.email), .of(d.effective?.role?.rawValue ?? (action == .manageSettings ? "admin" : nil)),
                .string(d.effective?.decidingPath?.source ?? "admin account"),
            ])
        }
        return .table(
            Table(
                columns: ["email", "role", "via"], rows: rows,
                footer: rows.isEmpty ? "(no one may \(action.rawValue) on \(channel.atHandle))" : nil))
    }
}
