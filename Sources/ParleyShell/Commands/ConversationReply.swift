import ParleyCore
import ParleyStore
import ParleyX

/// `conversation reply`: checked before anything is sent; stored only once the platform accepted it.
enum ConversationReply {
    /// Runs outside a transaction of its own making: the checks read, the sending waits on the
    /// network without holding the database's write lock, and each part the platform accepted is
    /// stored at once in its own transaction.
    static func reply(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let db = ctx.db
        let (c, ch) = inv.conversation
        let me = ctx.me
        let text = inv.text("TEXT")
        guard !text.allSatisfy(\.isWhitespace) else { throw ParleyError.invalidValue("a reply needs some text") }
        guard text.count <= 10_000 else { throw ParleyError.invalidValue("a reply has at most 10,000 characters") }
        let latest = try ConversationRepository.latestInbound(db, conversationID: c.id)
        let kind: MessageKind = inv.flag("dm") || latest?.kind == .directMessage ? .directMessage : .publicTweet
        let parts = kind == .publicTweet ? TweetSplitter.split(text) : [text]
        let api: XChannelAPI?
        if ch.connected {
            if db.isInsideTransaction {
                throw ParleyError.refused(
                    "a reply to a connected channel is sent at once and cannot wait for `commit`: reply outside `begin` … `commit`"
                )
            }
            if kind == .publicTweet && latest == nil {
                throw ParleyError.refused("conversation \(c.id) has no message from the customer to reply to")
            }
            api = try ctx.session.api(for: ch)
        } else {
            api = nil
        }
        var inReplyTo = latest?.kind == .publicTweet ? latest?.platformID : nil
        var sent = 0
        for part in parts {
            let platformID: String
            if let api {
                do {
                    platformID =
                        kind == .directMessage
                        ? try api.sendDirectMessage(to: c.contactPlatformID, text: part)
                        : try api.postTweet(text: part, inReplyTo: inReplyTo)
                } catch {
                    let why = Shell.message(for: error)
                    if sent == 0 { throw ParleyError.io("reply not sent, nothing stored: \(why)") }
                    throw ParleyError.io(
                        "part \(sent + 1) of \(parts.count) not sent (\(why)); parts 1–\(sent) were sent and are stored"
                    )
                }
            } else {
                // A sandbox channel: recorded as if the platform had accepted it.
                platformID = try db.atomically {
                    let seq = (Int64(try Meta.value(db, "sandbox_seq") ?? "0") ?? 0) + 1
                    try Meta.set(db, "sandbox_seq", String(seq))
                    return "sandbox-out-\(seq)"
                }
            }
            try db.atomically {
                let now = try Meta.now(db, system: ctx.session.systemClock)
                guard let current = try ConversationRepository.find(db, id: c.id) else { return }
                _ = try Inbox.recordOutbound(
                    db, channel: ch, conversation: current, author: me, platformID: platformID,
                    kind: kind, text: part, now: now, actor: ctx.session.auditActor)
            }
            inReplyTo = platformID
            sent += 1
        }
        let after = try ConversationRepository.find(db, id: c.id)!
        var message = "replied to conversation \(c.id) by \(kind == .directMessage ? "direct message" : "public reply")"
        if parts.count > 1 { message += " in \(parts.count) parts" }
        if after.state.ownerID != c.state.ownerID, after.ownerEmail == me.email {
            message += "; you own it now (auto-ownership)"
        }
        return .done(message, record: ConversationCommands.record(after, channel: ch) + [("parts", .of(parts.count))])
    }
}
