import ParleyCore
import ParleyStore

enum TeamCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "team add", args: [ArgSpec("NAME", .text)], summary: "add a team", example: "team add Support",
                requirement: .admin, handler: add),
            CommandSpec("team list", summary: "list teams", example: "team list", access: .read, handler: list),
            CommandSpec(
                "team show", args: [ArgSpec("NAME", .team)], summary: "a team's members and channels",
                example: "team show Support", access: .read, handler: show),
            CommandSpec(
                "team rename", args: [ArgSpec("OLD", .team), ArgSpec("NEW", .text)], summary: "rename a team",
                example: "team rename Support \"Customer Care\"", requirement: .admin, handler: rename),
            CommandSpec(
                "team remove", args: [ArgSpec("NAME", .team)],
                summary: "remove a team (its members keep their other access)",
                example: "team remove Support", requirement: .admin, handler: remove),
            CommandSpec(
                "team member add",
                args: [ArgSpec("TEAM", .team), ArgSpec("EMAIL", .user), ArgSpec("ROLE", .channelRole)],
                summary: "add a member at a channel role (or change their role)",
                example: "team member add Support bob@acme.example contributor", requirement: .admin, handler: memberAdd
            ),
            CommandSpec(
                "team member remove", args: [ArgSpec("TEAM", .team), ArgSpec("EMAIL", .user)],
                summary: "remove a member",
                example: "team member remove Support bob@acme.example", requirement: .admin, handler: memberRemove),
            CommandSpec(
                "team channel add", args: [ArgSpec("TEAM", .team), ArgSpec("CHANNEL", .channel)],
                summary: "give a team a channel", example: "team channel add Support @acme_help",
                requirement: .admin, handler: { try channel($0, $1, add: true) }),
            CommandSpec(
                "team channel remove", args: [ArgSpec("TEAM", .team), ArgSpec("CHANNEL", .channel)],
                summary: "take a channel from a team", example: "team channel remove Support @acme_help",
                requirement: .admin, handler: { try channel($0, $1, add: false) }),
        ]
    }

    static func add(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let name = try Validation.name(inv.text("NAME"), what: "a team name")
        let t = try TeamRepository.insert(ctx.db, name: name, now: ctx.now)
        try ctx.audit("team.add", t.name)
        return .done("added team \(t.name)", record: [("name", .string(t.name))])
    }

    static func list(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        .table(
            Table(
                columns: ["name", "members", "channels"],
                rows: try ctx.visibility.teams().map { [.string($0.team.name), .of($0.members), .of($0.channels)] }))
    }

    static func show(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let t = inv.team("NAME")
        let members = try TeamRepository.members(ctx.db, teamID: t.id)
        let channels = try TeamRepository.channels(ctx.db, teamID: t.id).filter { try ctx.visibility.seesChannel($0) }
        return .record(
            [("name", .string(t.name)), ("members", .of(members.count)), ("channels", .of(channels.count))],
            sections: [
                (
                    "member_list",
                    Table(
                        columns: ["email", "name", "role", "enabled"],
                        rows: members.map {
                            [
                                .string($0.user.email), .string($0.user.name), .string($0.role.rawValue),
                                .bool($0.user.enabled),
                            ]
                        })
                ),
                (
                    "channel_list",
                    Table(
                        columns: ["channel", "display_name"],
                        rows: channels.map { [.string($0.atHandle), .string($0.displayName)] })
                ),
            ])
    }

    static func rename(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let t = inv.team("OLD")
        let name = try Validation.name(inv.text("NEW"), what: "a team name")
        try TeamRepository.rename(ctx.db, id: t.id, to: name)
        try ctx.audit("team.rename", name, old: t.name, new: name)
        return .done("renamed team \(t.name) to \(name)", record: [("name", .string(name))])
    }

    static func remove(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let t = inv.team("NAME")
        let members = try TeamRepository.members(ctx.db, teamID: t.id).count
        try TeamRepository.delete(ctx.db, id: t.id)
        try ctx.audit("team.remove", t.name, old: "\(members) members")
        return .done("removed team \(t.name) (\(members) member\(members == 1 ? "" : "s") lost the access it gave)")
    }

    static func memberAdd(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (t, u, role) = (inv.team("TEAM"), inv.user(), inv.channelRole())
        let old = try TeamRepository.memberRole(ctx.db, teamID: t.id, userID: u.id)
        if old == role { return .done("\(u.email) is \(role.rawValue) in \(t.name) already") }
        try TeamRepository.setMember(ctx.db, teamID: t.id, userID: u.id, role: role)
        try ctx.audit("team.member", "\(t.name) \(u.email)", old: old?.rawValue ?? "none", new: role.rawValue)
        return .done(
            old == nil
                ? "added \(u.email) to \(t.name) as \(role.rawValue)"
                : "\(u.email) is now \(role.rawValue) in \(t.name) (was \(old!.rawValue))",
            record: [("team", .string(t.name)), ("email", .string(u.email)), ("role", .string(role.rawValue))])
    }

    static func memberRemove(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (t, u) = (inv.team("TEAM"), inv.user())
        guard let old = try TeamRepository.memberRole(ctx.db, teamID: t.id, userID: u.id) else {
            throw ParleyError.notFound("\(u.email) is not in team \(t.name)")
        }
        try TeamRepository.removeMember(ctx.db, teamID: t.id, userID: u.id)
        try ctx.audit("team.member", "\(t.name) \(u.email)", old: old.rawValue, new: "none")
        return .done("removed \(u.email) from \(t.name)")
    }

    static func channel(_ inv: Invocation, _ ctx: CommandContext, add: Bool) throws -> CommandOutput {
        let (t, c) = (inv.team("TEAM"), inv.channel())
        let had = try TeamRepository.hasChannel(ctx.db, teamID: t.id, channelID: c.id)
        if had == add { return .done("team \(t.name) \(add ? "has" : "does not have") \(c.atHandle) already") }
        if add {
            try TeamRepository.addChannel(ctx.db, teamID: t.id, channelID: c.id)
        } else {
            try TeamRepository.removeChannel(ctx.db, teamID: t.id, channelID: c.id)
        }
        try ctx.audit(add ? "team.channel.add" : "team.channel.remove", "\(t.name) \(c.atHandle)", channelID: c.id)
        return .done(
            add
                ? "team \(t.name) now has \(c.atHandle)"
                : "team \(t.name) no longer has \(c.atHandle)"
                    + (!add && c.allTeams ? " (All Teams is on: its members keep access through it)" : ""))
    }
}
