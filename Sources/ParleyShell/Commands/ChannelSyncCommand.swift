import Foundation
import ParleyCore
import ParleyStore

/// `channel sync [CH]`: runs outside any long transaction (each page is its own), so other
/// shells keep working while it waits on the network.
enum ChannelSyncCommand {
    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let session = ctx.session
        var channels: [Channel]
        if let c = inv.given("CHANNEL")?.channel {
            guard c.connected else {
                throw ParleyError.refused(
                    "\(c.atHandle) is not a connected X account (a sandbox channel has nothing to sync)")
            }
            channels = [c]
        } else {
            channels = try ctx.visibility.channels().filter(\.connected)
            if channels.isEmpty { return .done("no connected channel to sync", record: [("channels", .array([]))]) }
        }
        if ctx.db.isInsideTransaction {
            throw ParleyError.refused("channel sync cannot run inside `begin` … `commit`: it commits page by page")
        }
        var lines: [String] = []
        var records: [Value] = []
        var failures: [String] = []
        for channel in channels {
            do {
                var sync = ChannelSync(
                    database: session.database, api: try session.api(for: channel), clock: session.systemClock)
                if session.io.isInteractive {
                    sync.progress = { pages, messages in
                        if pages > 1 {
                            session.io.err("\(channel.atHandle): \(pages) pages, \(messages) new messages…")
                        }
                    }
                }
                let s = try sync.run(channel: channel)
                lines.append(s.line)
                records.append(
                    .object([
                        ("channel", .string(channel.atHandle)), ("new_messages", .of(s.newMessages)),
                        ("new_conversations", .of(s.newConversations)), ("reopened", .of(s.reopened)),
                        ("auto_resolved", .of(s.autoResolved)), ("pages", .of(s.pages)),
                    ]))
            } catch {
                failures.append("\(channel.atHandle): \(Shell.message(for: error))")
            }
        }
        try session.database.withConnection { db in
            try db.atomically {
                try AuditLog.record(
                    db,
                    session.auditActor.entry(
                        "channel.sync", channels.map(\.atHandle).joined(separator: " "),
                        new: lines.joined(separator: "; "), at: try Meta.now(db, system: session.systemClock)))
            }
        }
        if !failures.isEmpty {
            for l in lines { session.io.out(l) }
            throw ParleyError.io("sync failed for " + failures.joined(separator: "; "))
        }
        return .lines(lines, record: [("channels", .array(records))])
    }
}
