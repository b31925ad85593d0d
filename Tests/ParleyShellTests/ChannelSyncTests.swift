import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyShell
@testable import ParleyStore

/// An X API in memory: mentions and DMs newest first, pages of `pageSize`.
class FakeXAPI: XChannelAPI, @unchecked Sendable {
    var mentionsData: [XInboundTweet] = []  // newest first
    var dms: [XDirectMessage] = []  // newest first
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

    /// The pages asked ahead, in order ("mentions 3", "dms 3"), and what `onPrefetch` saw each time.
    var prefetched: [String] = []
    var onPrefetch: () -> Void = {}

    func prefetchMentions(userID: String, sinceID: String?, paginationToken: String?) {
        prefetched.append("mentions \(paginationToken ?? "-")")
        onPrefetch()
    }

    func prefetchDirectMessages(paginationToken: String?) {
        prefetched.append("dms \(paginationToken ?? "-")")
        onPrefetch()
    }

    func postTweet(text: String, inReplyTo: String?) throws -> String {
        posted.append((text, inReplyTo))
        nextID += 1
        return String(nextID)
    }

    func sendDirectMessage(to participantID: String, text: String) throws -> String {
        sentDMs.append((participantID, text))
        nextID += 1
        return String(nextID)
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
            let c = try ChannelRepository.insert(
                db, kind: .twitter, handle: "acme_help", accountID: "100", displayName: "@acme_help", now: 0)
            try ChannelRepository.setCredentials(
                db, id: c.id, ChannelCredentials(kind: "oauth2", accessToken: "at-secret", refreshToken: "rt-secret"))
        }
        #expect(shell.execute(line: "channel grant @acme_help cora@acme.example contributor"))
        let api = self.api
        session.channelAPIProvider = { _, _, _ in api }
    }

    func tweet(_ id: Int, from user: Int, _ text: String) -> XInboundTweet {
        XInboundTweet(
            id: String(id), authorID: String(user), authorUsername: "user\(user)", text: text, createdAt: Int64(id))
    }

    func count(_ sql: String) throws -> Int { try db.withConnection { try $0.one(Int.self, sql: sql) ?? 0 } }

    func text(_ sql: String) throws -> String? { try db.withConnection { try $0.one(String.self, sql: sql) } }

    func dm(_ id: Int, from sender: String, to recipient: String, username: String?, _ text: String) -> XDirectMessage {
        let pair = [sender, recipient].sorted { XID.isNewer($1, than: $0) }
        return XDirectMessage(
            id: String(id), senderID: sender, conversationID: pair.joined(separator: "-"),
            senderUsername: username, text: text, createdAt: Int64(id))
    }

    @Test func mentionsAndDirectMessagesBecomeConversationsOnce() throws {
        api.mentionsData = (1...10).reversed().map { tweet(1000 + $0, from: $0 % 4 + 1, "mention \($0)") }
        api.dms = [
            dm(5002, from: "7", to: "100", username: "dmuser", "private"),
            dm(5001, from: "7", to: "100", username: "dmuser", "first"),
        ]
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

    @Test func eachNextPageIsAskedForBeforeThePageBeforeIsStored() throws {
        api.mentionsData = (1...8).reversed().map { tweet(1000 + $0, from: $0, "mention \($0)") }
        api.dms = (1...4).reversed().map { dm(5000 + $0, from: "7", to: "100", username: "dmuser", "dm \($0)") }
        var storedWhenAsked: [Int] = []
        api.onPrefetch = { storedWhenAsked.append((try? self.count("SELECT count(*) FROM messages")) ?? -1) }
        #expect(shell.execute(line: "channel sync @acme_help"), Comment(rawValue: io.errText))
        // Pages of 3: mentions 8 7 6 | 5 4 3 | 2 1, then DMs 4 3 2 | 1. Nothing is asked after a last page.
        #expect(api.prefetched == ["mentions 3", "mentions 6", "dms 3"])
        #expect(storedWhenAsked == [0, 3, 8])
        #expect(try count("SELECT count(*) FROM messages") == 12)
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
        api.dms = [dm(6001, from: "6", to: "100", username: "quiet", "dm")]
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
            override func postTweet(text: String, inReplyTo: String?) throws -> String {
                throw ParleyError.io("403: missing scope tweet.write")
            }
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

    @Test func theOtherPartyOfAOneToOneConversationIsTheIDThatIsNotTheAccounts() {
        #expect(
            XDirectMessage.otherParticipant(conversationID: "100-1376998163739987969", accountID: "100")
                == "1376998163739987969")
        #expect(XDirectMessage.otherParticipant(conversationID: "7-100", accountID: "100") == "7")
        #expect(XDirectMessage.otherParticipant(conversationID: "1582838650413654016", accountID: "100") == nil)
        #expect(XDirectMessage.otherParticipant(conversationID: "7-8", accountID: "100") == nil)
        #expect(XDirectMessage.otherParticipant(conversationID: "100-100", accountID: "100") == nil)
        #expect(XDirectMessage.otherParticipant(conversationID: "100-", accountID: "100") == nil)
        #expect(XDirectMessage.otherParticipant(conversationID: "100-7-8", accountID: "100") == nil)
        #expect(XDirectMessage.otherParticipant(conversationID: "100-x7", accountID: "100") == nil)
        // Received: the sender; sent: the other id of the pair, never the account itself.
        let received = dm(1, from: "7", to: "100", username: "carla", "hi")
        let sent = dm(2, from: "100", to: "7", username: "acme_help", "hello")
        #expect(received.customerID(accountID: "100") == "7")
        #expect(sent.customerID(accountID: "100") == "7")
    }

    @Test func aDirectMessageCustomerIsNamedByTheUsernameAndNeverByAnID() throws {
        api.dms = [
            dm(5003, from: "7", to: "100", username: nil, "no user in includes"),
            dm(5002, from: "7", to: "100", username: "carla", "hello"),
            dm(5001, from: "8", to: "100", username: nil, "unknown sender"),
        ]
        #expect(shell.execute(line: "channel sync @acme_help"), Comment(rawValue: io.errText))
        #expect(try text("SELECT handle FROM contacts WHERE platform_id = '7'") == "carla")
        #expect(try text("SELECT author_label FROM messages WHERE platform_id = '5003'") == "@carla")
        // A sender X never named gets a name no username can have, replaced once X names them.
        #expect(try text("SELECT handle FROM contacts WHERE platform_id = '8'") == "id:8")
        api.dms.insert(dm(5004, from: "8", to: "100", username: "dan", "me again"), at: 0)
        #expect(shell.execute(line: "channel sync @acme_help"), Comment(rawValue: io.errText))
        #expect(try text("SELECT handle FROM contacts WHERE platform_id = '8'") == "dan")
    }

    @Test func aMentionWhoseAuthorXLeftOutKeepsTheStoredHandle() throws {
        api.mentionsData = [tweet(7001, from: 9, "first")]
        #expect(shell.execute(line: "channel sync"))
        let unnamed = XInboundTweet(id: "7002", authorID: "9", authorUsername: nil, text: "again", createdAt: 2)
        api.mentionsData.insert(unnamed, at: 0)
        api.dms = [dm(7003, from: "9", to: "100", username: nil, "and by DM")]
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        #expect(try text("SELECT handle FROM contacts WHERE platform_id = '9'") == "user9")
        #expect(try count("SELECT count(*) FROM messages WHERE author_label = '@user9'") == 3)
    }

    @Test func aDMTheAccountSentElsewhereIsStoredOnceAsOutboundWithoutMovingTheQueue() throws {
        // The account's answer is on the newer page, the customer's first message on the older one.
        api.pageSize = 1
        api.dms = [
            dm(8002, from: "100", to: "7", username: "acme_help", "answered from the X app"),
            dm(8001, from: "7", to: "100", username: "carla", "help"),
        ]
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        #expect(io.outText.contains("@acme_help: 2 new messages, 1 new conversation"))
        let out = try db.withConnection { try ConversationRepository.messages($0, conversationID: 1) }
        #expect(out.map(\.platformID) == ["8001", "8002"])
        #expect(out[1].direction == .outbound && out[1].kind == .directMessage && out[1].authorUserID == nil)
        #expect(out[1].authorLabel == "@acme_help")
        #expect(try text("SELECT handle FROM contacts WHERE platform_id = '7'") == "carla")
        // Pending stays Pending; a second sync stores nothing again.
        try shell.session.startAs(email: "cora@acme.example")
        #expect(shell.execute(line: "conversation move 1 pending"), Comment(rawValue: io.errText))
        api.dms.insert(dm(8003, from: "100", to: "7", username: "acme_help", "one more"), at: 0)
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        let c = try db.withConnection { try ConversationRepository.find($0, id: 1)! }
        #expect(c.state.queue == .pending && c.ownerEmail == nil)
        #expect(try count("SELECT count(*) FROM messages WHERE direction = 'out'") == 2)
        #expect(try count("SELECT count(*) FROM conversations") == 1)
    }

    @Test func aDMParleySentIsNotStoredAgainBySync() throws {
        api.dms = [dm(9001, from: "6", to: "100", username: "quiet", "dm")]
        #expect(shell.execute(line: "channel sync"))
        try shell.session.startAs(email: "cora@acme.example")
        #expect(shell.execute(line: "conversation reply 1 \"thanks\""), Comment(rawValue: io.errText))
        // X lists the sent message among the account's DM events, with the id the send returned.
        api.dms.insert(dm(9_000_001, from: "100", to: "6", username: "acme_help", "thanks"), at: 0)
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        #expect(io.outText.contains("@acme_help: 0 new messages"))
        #expect(try count("SELECT count(*) FROM messages WHERE direction = 'out'") == 1)
    }

    @Test func aDMTheAccountSentFirstToAStrangerStartsNoConversation() throws {
        api.dms = [dm(9101, from: "100", to: "44", username: "acme_help", "hello stranger")]
        #expect(shell.execute(line: "channel sync"), Comment(rawValue: io.errText))
        #expect(try count("SELECT count(*) FROM conversations") == 0)
        #expect(try count("SELECT count(*) FROM messages") == 0)
        #expect(try count("SELECT count(*) FROM contacts") == 0)
    }
}
