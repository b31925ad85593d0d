import Testing
import ParleyCore
import ParleyStore
@testable import ParleyShell

/// An X API in memory: mentions and DMs newest first, pages of `pageSize`.
class FakeXAPI: XChannelAPI, @unchecked Sendable {
    var mentionsData: [XInboundTweet] = []   // newest first
    var dms: [XDirectMessage] = []           // newest first
    var pageSize = 3
    var posted: [(String, String?)] = []
    var sentDMs: [(String, String)] = []
    var failAfterPages: Int? = nil
    var pagesServed = 0
    var nextID = 9_000_000

    func me() throws -> XAccount { XAccount(id: "100", username: "acme_help", name: "Acme") }

    func page<T>(_ items: [T], _ token: String?) throws -> XPage<T> {
        pagesServed += 1
        if let f = failAfterPages, pagesServed > f { throw ParleyError.io("connection cut") }
        let start = Int(token ?? "0")!
        let end = min(start + pageSize, items.count)
        return XPage(items: Array(items[start..<end]), nextToken: end < items.count ? String(end) : nil)
    }

    func mentions(userID: String, sinceID: String?, paginationToken: String?) throws -> XPage<XInboundTweet> {
        let newer = mentionsData.filter { XID.isNewer($0.id, than: sinceID) }
        return try page(newer, paginationToken)
    }

    func directMessages(paginationToken: String?) throws -> XPage<XDirectMessage> { try page(dms, paginationToken) }

    func postTweet(text: String, inReplyTo: String?) throws -> String {
        posted.append((text, inReplyTo)); nextID += 1; return String(nextID)
    }

    func sendDirectMessage(to participantID: String, text: String) throws -> String {
        sentDMs.append((participantID, text)); nextID += 1; return String(nextID)
    }
}

@Suite struct ChannelSyncTests {
    let db: ParleyDatabase
    let shell: Shell
    let io = BufferIO()
    let api = FakeXAPI()
    let clock = FixedClock(1_700_000_000_000)

    init() throws {
        db = try ParleyDatabase(path: ":memory:")
        let session = Session(database: db, io: io, systemClock: clock, environment: ["PARLEY_KDF_ROUNDS": "1024"])
        shell = Shell(session: session)
        #expect(shell.execute(line: "init ada@acme.example --name Ada"))
        #expect(shell.execute(line: "user add cora@acme.example --name Cora"))
        // A connected channel, as `channel add twitter` leaves it.
        try db.withConnection { db in
            let c = try ChannelRepository.insert(db, kind: .twitter, handle: "acme_help", accountID: "100", displayName: "@acme_help", now: 0)
            try ChannelRepository.setCredentials(db, id: c.id, ChannelCredentials(kind: "oauth2", accessToken: "at-secret", refreshToken: "rt-secret"))
        }
        #expect(shell.execute(line: "channel grant @acme_help cora@acme.example contributor"))
        let api = self.api
        session.channelAPIProvider = { _, _, _ in api }
    }

    func tweet(_ id: Int, from user: Int, _ text: String) -> XInboundTweet {
        XInboundTweet(id: String(id), authorID: String(user), authorUsername: "user\(user)", text: text, createdAt: Int64(id))
    }

    func count(_ sql: String) throws -> Int { try db.withConnection { try Int.fetchOne($0, sql: sql) ?? 0 } }

    @Test func mentionsAndDirectMessagesBecomeConversationsOnce() throws {
        api.mentionsData = (1...10).reversed().map { tweet(1000 + $0, from: $0 % 4 + 1, "mention \($0)") }
        api.dms = [XDirectMessage(id: "5002", senderID: "7", participantIDs: ["7", "100"], senderUsername: "dmuser", text: "private", createdAt: 2),
                   XDirectMessage(id: "5001", senderID: "7", participantIDs: ["7", "100"], senderUsername: "dmuser", text: "first", createdAt: 1)]
        #expect(shell.execute(line: "channel sync @acme_help"), Comment(rawValue: io.errText))
        #expect(io.outText.contains("@acme_help: 12 new messages, 5 new conversations, 0 reopened"))
        #expect(try count("SELECT count(*) FROM messages") == 12)
        #expect(try count("SELECT count(*) FROM conversations") == 5)
        #expect(try count("SELECT count(*) FROM messages WHERE kind = 'dm'") == 2)
        // Again: nothing new, nothing twice.
        #expect(shell.execute(line: "channel sync"))
        #expect(io.outText.contains("@acme_help: 0 new messages"))
        #expect(try count("SELECT count(*) FROM messages") == 12)
        let cursor = try db.withConnection { try ChannelRepository.syncCursor($0, id: 1) }
        #expect(cursor.mentionsSinceID == "1010" && cursor.dmNewestID == "5002")
    }

    @Test func aSyncCutMidwayLosesNothingAndStoresNothingTwice() throws {
        api.mentionsData = (1...10).reversed().map { tweet(2000 + $0, from: $0, "m\($0)") }
        api.failAfterPages = 2
        #expect(!shell.execute(line: "channel sync @acme_help"))
        #expect(io.errText.contains("connection cut"))
        #expect(try count("SELECT count(*) FROM messages") == 6)
        // The cursor did not move: the next sync fetches everything and skips what is stored.
        #expect(try db.withConnection { try ChannelRepository.syncCursor($0, id: 1) }.mentionsSinceID == nil)
        api.failAfterPages = nil
        api.pagesServed = 0
        #expect(shell.execute(line: "channel sync @acme_help"), Comment(rawValue: io.errText))
        #expect(try count("SELECT count(*) FROM messages") == 10)
        #expect(try count("SELECT count(DISTINCT platform_id) FROM messages") == 10)
    }

    @Test func aResolvedConversationReopensWithNoOwner() throws {
        api.mentionsData = [tweet(3001, from: 9, "hello")]
        #expect(shell.execute(line: "channel sync"))
        try shell.session.startAs(email: "cora@acme.example")
        #expect(shell.execute(line: "conversation reply 1 \"on it\""), Comment(rawValue: io.errText))
        #expect(api.posted.last! == ("on it", "3001"))
        #expect(shell.execute(line: "conversation move 1 resolved"))
        api.mentionsData.insert(tweet(3002, from: 9, "still broken"), at: 0)
        #expect(shell.execute(line: "channel sync"))
        let c = try db.withConnection { try ConversationRepository.find($0, id: 1)! }
        #expect(c.state.queue == .new && c.ownerEmail == nil)
    }

    @Test func repliesSplitIntoAThreadAndDMsGoByDirectMessage() throws {
        api.mentionsData = [tweet(4001, from: 5, "help")]
        api.dms = [XDirectMessage(id: "6001", senderID: "6", participantIDs: ["6", "100"], senderUsername: "quiet", text: "dm", createdAt: 1)]
        #expect(shell.execute(line: "channel sync"))
        try shell.session.startAs(email: "cora@acme.example")
        let long = Array(repeating: "word", count: 120).joined(separator: " ")
        #expect(shell.execute(line: "conversation reply 1 \"\(long)\""), Comment(rawValue: io.errText))
        #expect(api.posted.count == 3)
        #expect(api.posted.allSatisfy { $0.0.count <= 280 })
        #expect(api.posted[0].1 == "4001" && api.posted[1].1 == String(9_000_001) && api.posted[2].0.hasSuffix("3/3"))
        #expect(shell.execute(line: "conversation reply 2 \"thanks\""))
        #expect(api.sentDMs.count == 1 && api.sentDMs[0] == ("6", "thanks"))
        #expect(try count("SELECT count(*) FROM messages WHERE direction = 'out'") == 4)
    }

    @Test func aViewersReplyIsRefusedBeforeAnyRequest() throws {
        #expect(shell.execute(line: "user add vic@acme.example --name Vic"))
        #expect(shell.execute(line: "channel grant @acme_help vic@acme.example viewer"))
        api.mentionsData = [tweet(5001, from: 5, "help")]
        #expect(shell.execute(line: "channel sync"))
        try shell.session.startAs(email: "vic@acme.example")
        #expect(!shell.execute(line: "conversation reply 1 hi"))
        #expect(api.posted.isEmpty)
        #expect(io.errText.contains("reply needs contributor"))
    }

    @Test func aFailedSendStoresNothing() throws {
        final class Failing: FakeXAPI, @unchecked Sendable {
            override func postTweet(text: String, inReplyTo: String?) throws -> String { throw ParleyError.io("403: missing scope tweet.write") }
        }
        let failing = Failing()
        failing.mentionsData = [tweet(6001, from: 5, "help")]
        shell.session.channelAPIProvider = { _, _, _ in failing }
        #expect(shell.execute(line: "channel sync"))
        try shell.session.startAs(email: "cora@acme.example")
        #expect(!shell.execute(line: "conversation reply 1 hi"))
        #expect(io.errText.contains("reply not sent, nothing stored: 403: missing scope tweet.write"))
        #expect(try count("SELECT count(*) FROM messages WHERE direction = 'out'") == 0)
    }
}
