import ParleyCore
import ParleyStore

/// `channel add twitter`: a sandbox channel by handle, or an X account by OAuth.
enum ChannelConnect {
    static func add(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        try ctx.requireAdmin("channel add")
        if let raw = inv.option("handle") {
            return try addSandbox(inv, ctx, handle: raw)
        }
        throw ParleyError.refused("connecting an X account needs the OAuth flow; on a sandbox database add a training channel with `channel add twitter --handle @name`")
    }

    static func addSandbox(_ inv: Invocation, _ ctx: CommandContext, handle raw: String) throws -> CommandOutput {
        try ctx.requireSandbox("channel add twitter --handle")
        let handle = try Validation.handle(raw)
        let displayName = try Validation.displayName(inv.option("display-name") ?? "@" + handle)
        return try ctx.db.atomically {
            let accountID = "sandbox:" + handle.lowercased()
            if let existing = try ChannelRepository.find(ctx.db, accountID: accountID) {
                throw ParleyError.conflict("\(existing.atHandle) is a channel already (#\(existing.id), \(existing.displayName))")
            }
            let c = try ChannelRepository.insert(ctx.db, kind: .twitter, handle: handle, accountID: accountID,
                                                 displayName: displayName, now: ctx.now)
            try ctx.audit("channel.add", c.atHandle, channelID: c.id, new: "sandbox, \(c.displayName)")
            return .done("added sandbox channel \(c.atHandle) (#\(c.id)); give people access with `channel grant` or `team channel add`",
                         record: zip(ChannelCommands.columns, ChannelCommands.row(c)).map { ($0, $1) })
        }
    }
}
