import ParleyCore
import ParleyStore

/// `conversation reply`: checked before anything is sent; stored only once the platform accepted it.
enum ConversationReply {
    static func reply(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let (c, ch) = try ctx.conversation(inv.arg("N")!)
        try ctx.require(.reply, on: ch, what: "conversation reply \(c.id)")
        let me = try ctx.requireUser()
        let text = inv.arg("TEXT")!
        guard !text.allSatisfy(\.isWhitespace) else { throw ParleyError.invalidValue("a reply needs some text") }
        guard text.count <= 10_000 else { throw ParleyError.invalidValue("a reply has at most 10,000 characters") }
        let latest = try ConversationRepository.latestInbound(ctx.db, conversationID: c.id)
        let kind: MessageKind = inv.flag("dm") || latest?.kind == .directMessage ? .directMessage : .publicTweet
        guard !ch.connected else {
            throw ParleyError.refused("\(ch.atHandle) is a connected X account: sending through the X API is not available in this build")
        }
        // A sandbox channel: the reply is recorded as if the platform had accepted it.
        let parts = kind == .publicTweet ? TweetSplitter.split(text) : [text]
        var state = c.state
        var summary = c
        for part in parts {
            let seq = (Int64(try Meta.value(ctx.db, "sandbox_seq") ?? "0") ?? 0) + 1
            try Meta.set(ctx.db, "sandbox_seq", String(seq))
            state = try Inbox.recordOutbound(ctx.db, channel: ch, conversation: summary, author: me, platformID: "sandbox-out-\(seq)",
                                             kind: kind, text: part, now: ctx.now, actor: ctx.session.auditActor)
            summary.state = state
        }
        let after = try ConversationRepository.find(ctx.db, id: c.id)!
        var message = "replied to conversation \(c.id) by \(kind == .directMessage ? "direct message" : "public reply")"
        if parts.count > 1 { message += " in \(parts.count) parts" }
        if after.state.ownerID != c.state.ownerID, after.ownerEmail == me.email { message += "; you own it now (auto-ownership)" }
        return .done(message, record: ConversationCommands.record(after, channel: ch) + [("parts", .of(parts.count))])
    }
}

/// Splits a public reply into tweets of at most 280 characters, numbered `1/3` when more than one.
public enum TweetSplitter {
    public static let limit = 280

    public static func split(_ text: String, limit: Int = TweetSplitter.limit) -> [String] {
        if text.count <= limit { return [text] }
        // Reserve room for " 99/99"; split on blanks where possible.
        var total = 2
        while true {
            let suffixRoom = " \(total)/\(total)".count
            let chunks = chunk(text, size: limit - suffixRoom)
            if chunks.count <= total || total >= 999 {
                return chunks.enumerated().map { "\($0.element) \($0.offset + 1)/\(chunks.count)" }
            }
            total = chunks.count
        }
    }

    static func chunk(_ text: String, size: Int) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.count <= size { out.append(String(rest)); break }
            let window = rest.prefix(size)
            var cut = window.endIndex
            if let blank = window.lastIndex(where: { $0 == " " || $0 == "\n" }), window.distance(from: window.startIndex, to: blank) > size / 2 {
                cut = blank
            }
            out.append(String(rest[rest.startIndex..<cut]).trimmingWhitespace)
            rest = rest[cut...].drop(while: { $0 == " " || $0 == "\n" })
        }
        return out
    }
}
