import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyStore

/// The queue page finds the same conversations as the plain query, however the traffic is spread
/// over the channels: busy channels the user sees, and quiet ones among busy others (the walk of
/// the queue's index gives up and the per-channel merge takes over).
@Suite struct QueuePageTests {
    @Test func thePageIsThePlainQueryWhateverTheSpread() throws {
        let database = try ParleyDatabase(path: TestStore.newDatabase())
        var generator = SplitMix(seed: 7)
        let channels = try database.write { db in
            try (0..<12).map { i in
                try ChannelRepository.insert(
                    db, kind: .twitter, handle: "c\(i)", accountID: "sandbox:c\(i)", displayName: "@c\(i)", now: 0
                ).id
            }
        }
        // Channels 0–9 are busy; 10 and 11 get a conversation once in a while, late.
        try database.write { db in
            for n in 0..<3_000 {
                let quiet = n % 300 == 299
                let channel = quiet ? channels[10 + Int.random(in: 0...1, using: &generator)] : channels[n % 10]
                let contact = try ConversationRepository.contact(
                    db, channelID: channel, platformID: "p\(n)", handle: "h\(n)")
                let queue = [Queue.new, .pending, .resolved].randomElement(using: &generator)!
                _ = try ConversationRepository.insert(
                    db, channelID: channel, contactID: contact.id,
                    state: ConversationState(queue: queue, ownerID: nil, deadline: nil, limitSeconds: nil), now: 0)
            }
        }
        let views: [[Int64]] = [
            Array(channels[10...11]), [channels[0], channels[11]], Array(channels[0..<10]), channels,
        ]
        try database.read { db in
            for seen in views {
                for queue in [Queue.new, .resolved, nil] {
                    for (after, limit) in [(0, 50), (0, 1), (1_500, 20), (2_990, 50)] {
                        let page = try ConversationRepository.pageIDs(
                            db, channelIDs: seen, queue: queue, after: Int64(after), limit: limit)
                        #expect(
                            page == (try plain(db, seen, queue, Int64(after), limit)),
                            "channels \(seen) queue \(queue?.rawValue ?? "any") after \(after) limit \(limit)")
                    }
                }
            }
        }
    }

    func plain(_ db: StoreAccess, _ channels: [Int64], _ queue: Queue?, _ after: Int64, _ limit: Int) throws -> [Int64]
    {
        let list = channels.map(String.init).joined(separator: ",")
        let queueCondition = queue.map { "AND queue = '\($0.rawValue)'" } ?? ""
        return try db.uncachedAll(
            Int64.self,
            sql:
                "SELECT id FROM conversations WHERE channel_id IN (\(list)) \(queueCondition) AND id > ? ORDER BY id LIMIT ?",
            arguments: [after, limit])
    }
}
