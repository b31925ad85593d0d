import ParleyCore
import ParleyStore

/// `doctor`: problems in the organisation's set-up, each with its fix.
enum DoctorCommand {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "doctor",
                options: [
                    OptionSpec(
                        "rebuild-report-figures", nil,
                        "count the figures reports read again from the messages and queue history")
                ],
                summary: "problems in the organisation's set-up, each with its fix", example: "doctor",
                requirement: .admin, access: .read, handler: run)
        ]
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        var rows: [[Value]] = []
        func add(_ severity: String, _ problem: String, _ fix: String) {
            rows.append([.string(severity), .string(problem), .string(fix)])
        }
        let users = try UserRepository.list(ctx.db)
        let channels = try ChannelRepository.list(ctx.db)
        // Roles per user per channel, decided by the policy.
        var repliers: [Int64: Int] = [:]
        var anyRole: [Int64: Int] = [:]
        for u in users where u.enabled {
            let visible = try AccessRepository.factsForCandidateChannels(ctx.db, user: u)
            var hasRole = false
            for (c, facts) in visible {
                if AccessPolicy.decide(.view, facts).allowed {
                    hasRole = true
                    anyRole[c.id, default: 0] += 1
                }
                if AccessPolicy.decide(.reply, facts).allowed { repliers[c.id, default: 0] += 1 }
            }
            if !hasRole && !channels.isEmpty {
                add(
                    "warning", "\(u.email) has no role on any channel: they cannot work a conversation",
                    "channel grant CHANNEL \(u.email) contributor, or team member add TEAM \(u.email) contributor")
            }
        }
        for c in channels {
            if anyRole[c.id, default: 0] == 0 {
                add(
                    "warning", "no one has a role on \(c.atHandle): its conversations go unseen",
                    "team channel add TEAM \(c.atHandle), or channel grant \(c.atHandle) EMAIL contributor")
            } else if repliers[c.id, default: 0] == 0 {
                add(
                    "warning", "no one can reply on \(c.atHandle) (no contributor or supervisor)",
                    "channel grant \(c.atHandle) EMAIL contributor")
            }
            if c.autoResolve.newAfter == nil && c.autoResolve.pendingAfter == nil {
                add(
                    "info", "\(c.atHandle) never auto-resolves: its queues only grow",
                    "channel edit \(c.atHandle) --auto-resolve-pending 7d")
            }
        }
        for t in try TeamRepository.list(ctx.db) {
            if t.members == 0 {
                add(
                    "warning", "team \(t.team.name) has no members",
                    "team member add \(Tokenizer.quote(t.team.name)) EMAIL contributor, or team remove \(Tokenizer.quote(t.team.name))"
                )
            }
            if t.channels == 0 && !channels.contains(where: \.allTeams) {
                add(
                    "info", "team \(t.team.name) has no channels: membership gives no access",
                    "team channel add \(Tokenizer.quote(t.team.name)) CHANNEL")
            }
        }
        // A finding about the organisation (how many admins it has), not an access rule.
        let admins = users.filter { $0.role == .admin && $0.enabled }
        if admins.count == 1 {
            add(
                "info", "\(admins[0].email) is the only enabled admin: if they leave, no one can change settings",
                "user edit EMAIL --role admin (a second admin)")
        }
        for u in users where !u.enabled {
            let grants = try ChannelRepository.directGrantCount(ctx.db, userID: u.id)
            if grants > 0 {
                add(
                    "info",
                    "\(u.email) is disabled but keeps \(grants) direct grant\(grants == 1 ? "" : "s") (they return on enable)",
                    "channel revoke CHANNEL \(u.email)")
            }
        }
        let rebuilt = inv.flag("rebuild-report-figures")
        rows += try reportFigureRows(ctx, channels: channels, rebuild: rebuilt)
        let found = rows.isEmpty ? "no problems found" : nil
        return .table(
            Table(
                columns: ["severity", "problem", "fix"], rows: rows,
                footer: rebuilt ? "report figures rebuilt" + (found.map { "; \($0)" } ?? "") : found))
    }

    /// A warning for each channel whose report figures differ from a recount of its messages and
    /// queue history; with `rebuild`, the figures are counted again first, and the change audited.
    static func reportFigureRows(_ ctx: CommandContext, channels: [Channel], rebuild: Bool) throws -> [[Value]] {
        if rebuild {
            try ReportFigureStore.rebuild(ctx.db)
            try ctx.audit("report.rebuild", "report figures", new: "counted from the messages and queue history")
        }
        let differing = try ReportFigureStore.verify(ctx.db)
        return channels.filter { differing.contains($0.id) }.map { c in
            [
                .string("warning"),
                .string(
                    "the report figures of \(c.atHandle) differ from a recount of its messages: its reports are wrong"),
                .string("doctor --rebuild-report-figures"),
            ]
        }
    }
}
