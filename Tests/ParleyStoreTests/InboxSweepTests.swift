import GRDB
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyStore

/// The set-based sweep must do what `ConversationQueue` says, conversation by conversation.
@Suite struct InboxSweepTests {
    @Test func theSweepResolvesExactlyWhatTheRuleSaysIsDue() throws {
        let database = try ParleyDatabase(path: TestStore.newDatabase())
        try database.withConnection { db in
            var channel = try ChannelRepository.insert(
                db, kind: .twitter, handle: "h", accountID: "sandbox:h", displayName: "@h", now: 0)
            channel.autoResolve = AutoResolveSettings(newAfter: .minutes(10), pendingAfter: .hours(1))
            channel.resolveReason = "Quiet"
            try ChannelRepository.save(db, channel)
            let owner = try UserRepository.insert(
                db, email: "o@x.example", name: "O", role: .agent, passwordHash: nil, now: 0)
            var expected: [Int64: ConversationState] = [:]
            var now: Timestamp = 1_000_000
            for i in 0..<60 {
                now += 60_000
                let r = try Inbox.recordInbound(
                    db, channel: channel, contactPlatformID: "c\(i)", contactHandle: "c\(i)",
                    platformID: "m\(i)", kind: .publicTweet, text: "hi", at: now, now: now)
                var c = try ConversationRepository.find(db, id: r.conversationID)!
                if i % 3 == 0 {
                    _ = try Inbox.move(
                        db, channel: channel, conversation: c, to: .pending, cause: "agent", now: now,
                        actor: AuditActor(actor: "o@x.example", session: "test", userID: owner.id))
                    c = try ConversationRepository.find(db, id: r.conversationID)!
                }
                if i % 4 == 0 {
                    var s = c.state
                    s.ownerID = owner.id
                    try ConversationRepository.setState(db, id: c.id, s, now: now)
                }
                expected[c.id] = try ConversationRepository.find(db, id: c.id)!.state
            }
            let sweepAt = now + 30 * 60_000
            let due = expected.filter { ConversationQueue.isDue($0.value, now: sweepAt) }
            #expect(!due.isEmpty && due.count < expected.count)
            let auditBefore = try db.one(Int.self, sql: "SELECT count(*) FROM audit") ?? 0
            let resolved = try Inbox.sweep(db, now: sweepAt)
            #expect(Set(resolved) == Set(due.keys))
            for (id, before) in expected {
                let after = try ConversationRepository.find(db, id: id)!
                if let deadline = before.deadline, deadline <= sweepAt {
                    #expect(
                        after.state
                            == ConversationQueue.enter(
                                .resolved, from: before, settings: channel.autoResolve, now: deadline))
                    #expect(after.updatedAt == deadline)
                    let event = try db.row(
                        sql:
                            "SELECT at, from_queue, cause FROM queue_events WHERE conversation_id = ? AND to_queue = 'resolved'",
                        arguments: [id])!
                    #expect(
                        event["at"] as Int64 == deadline && event["from_queue"] as String == before.queue.rawValue
                            && event["cause"] as String == "auto-resolve")
                } else {
                    #expect(after.state == before)
                }
            }
            let entries = try AuditLog.entries(db, AuditLog.Query(limit: 1000)).filter {
                $0.action == "conversation.auto-resolve"
            }
            #expect(entries.count == due.count)
            #expect((try db.one(Int.self, sql: "SELECT count(*) FROM audit") ?? 0) == auditBefore + due.count)
            #expect(entries.allSatisfy { $0.actor == "system" && $0.newValue == "resolved (reason: Quiet)" })
            #expect(entries.contains { $0.oldValue == "new, owner o@x.example" })
            // Nothing left to do.
            #expect(try Inbox.sweep(db, now: sweepAt).isEmpty)
        }
    }
}
