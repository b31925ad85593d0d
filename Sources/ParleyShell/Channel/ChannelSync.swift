import ParleyCore
import ParleyStore

/// Thrown when `shouldStop` asked a sync to stop between pages.
package struct SyncStopped: Error {}

/// What one sync of a channel did.
package struct SyncSummary: Sendable, Equatable {
    package var channel: String
    package var newMessages = 0
    package var newConversations = 0
    package var reopened = 0
    package var returnedToNew = 0
    package var pages = 0
    package var autoResolved = 0

    package var line: String {
        "\(channel): \(newMessages) new message\(newMessages == 1 ? "" : "s"), \(newConversations) new conversation\(newConversations == 1 ? "" : "s"), \(reopened) reopened"
            + (autoResolved > 0 ? ", \(autoResolved) auto-resolved" : "")
    }
}

/// Pulls a channel's new mentions and direct messages into conversations (docs/PRODUCT.md, "The X channel").
/// Each page is stored in one transaction; the channel's cursor moves in the transaction of
/// the last page, so a sync killed midway stores nothing twice and loses nothing: the next
/// sync fetches the same pages again and skips what is stored.
package struct ChannelSync {
    package let database: ParleyDatabase
    package let api: XChannelAPI
    package let clock: ParleyClock
    /// Called after each page: (pages so far, messages so far).
    package var progress: ((Int, Int) -> Void)?
    /// Asked after each page; true stops the sync there (what is stored stays stored, and the
    /// next sync picks up where it left off).
    package var shouldStop: () -> Bool = { false }

    package init(database: ParleyDatabase, api: XChannelAPI, clock: ParleyClock) {
        self.database = database
        self.api = api
        self.clock = clock
    }

    package func run(channel: Channel) throws -> SyncSummary {
        var summary = SyncSummary(channel: channel.atHandle)
        try syncMentions(channel, &summary)
        try syncDirectMessages(channel, &summary)
        let resolved = try database.withConnection { db in
            try db.atomically { try Inbox.sweep(db, now: try Meta.now(db, system: clock)) }
        }
        summary.autoResolved = resolved.count
        try database.withConnection { db in
            try db.atomically {
                var cursor = try ChannelRepository.syncCursor(db, id: channel.id)
                cursor.lastSyncAt = try Meta.now(db, system: clock)
                try ChannelRepository.setSyncCursor(db, id: channel.id, cursor)
            }
        }
        return summary
    }

    func syncMentions(_ channel: Channel, _ summary: inout SyncSummary) throws {
        let since = try database.withConnection { db in
            try ChannelRepository.syncCursor(db, id: channel.id).mentionsSinceID
        }
        var token: String? = nil
        var newest = since
        repeat {
            let page = try api.mentions(userID: channel.accountID, sinceID: since, paginationToken: token)
            token = page.nextToken
            if let token {
                // The next page comes while this one is stored.
                api.prefetchMentions(userID: channel.accountID, sinceID: since, paginationToken: token)
            }
            for t in page.items where XID.isNewer(t.id, than: newest) { newest = t.id }
            let last = token == nil
            // Counted per try: a transaction run again (it lost to a concurrent sync) counts once.
            var counted = summary
            try store { db, now in
                counted = summary
                let messages = page.items.filter { $0.authorID != channel.accountID }.map { t in
                    PageMessage(
                        origin: .customer(handle: t.authorUsername), contactPlatformID: t.authorID, platformID: t.id,
                        kind: .publicTweet, text: t.text, at: t.createdAt ?? now)
                }
                for case .inbound(let r) in try InboxBatch.record(db, channel: channel, messages, now: now) {
                    count(r, &counted)
                }
                if last, newest != since { try moveCursor(db, channel, \.mentionsSinceID, to: newest) }
            }
            summary = counted
            try pageDone(&summary)
        } while token != nil
    }

    func syncDirectMessages(_ channel: Channel, _ summary: inout SyncSummary) throws {
        let stored = try database.withConnection { db in try ChannelRepository.syncCursor(db, id: channel.id).dmNewestID
        }
        var token: String? = nil
        var newest = stored
        var reachedStored = false
        // Messages the account sent to someone with no conversation yet: the customer's first message
        // may be on a later (older) page, so they are tried again with the last page.
        var waiting: [XDirectMessage] = []
        repeat {
            let page = try api.directMessages(paginationToken: token)
            token = page.nextToken
            var fresh: [XDirectMessage] = []
            for e in page.items {
                if let stored, !XID.isNewer(e.id, than: stored) {
                    reachedStored = true
                    continue
                }
                fresh.append(e)
                if XID.isNewer(e.id, than: newest) { newest = e.id }
            }
            let last = token == nil || reachedStored
            if !last { api.prefetchDirectMessages(paginationToken: token) }
            // Counted per try: a transaction run again (it lost to a concurrent sync) counts once.
            var counted = summary
            var stillWaiting = waiting
            try store { db, now in
                counted = summary
                stillWaiting = waiting
                // Oldest first: a customer's message is stored before the account's answer to it.
                stillWaiting += try storeDirectMessages(db, channel, Array(fresh.reversed()), now: now, &counted)
                if last, !stillWaiting.isEmpty {
                    _ = try storeDirectMessages(db, channel, stillWaiting, now: now, &counted)
                }
                if last, newest != stored { try moveCursor(db, channel, \.dmNewestID, to: newest) }
            }
            summary = counted
            waiting = stillWaiting
            try pageDone(&summary)
            if reachedStored { break }
        } while token != nil
    }

    /// Stores DM events in their order, in one batch: a customer's as inbound, one the account sent
    /// (from parley, X's own app or another tool) once, outbound, in the customer's conversation.
    /// Returns the events the account sent to someone with no conversation (yet): nothing is stored
    /// for them.
    func storeDirectMessages(
        _ db: StoreAccess, _ channel: Channel, _ events: [XDirectMessage], now: Timestamp,
        _ summary: inout SyncSummary
    ) throws -> [XDirectMessage] {
        var kept: [XDirectMessage] = []
        var messages: [PageMessage] = []
        for e in events {
            guard let customer = e.customerID(accountID: channel.accountID) else { continue }
            kept.append(e)
            messages.append(
                PageMessage(
                    origin: e.senderID == channel.accountID ? .account : .customer(handle: e.senderUsername),
                    contactPlatformID: customer, platformID: e.id, kind: .directMessage, text: e.text,
                    at: e.createdAt ?? now))
        }
        var unanswered: [XDirectMessage] = []
        for (e, result) in zip(kept, try InboxBatch.record(db, channel: channel, messages, now: now)) {
            switch result {
            case .inbound(let r): count(r, &summary)
            case .outbound(.stored): summary.newMessages += 1
            case .outbound(.alreadyStored): break
            case .outbound(.noConversation): unanswered.append(e)
            }
        }
        return unanswered
    }

    func count(_ r: InboundResult, _ summary: inout SyncSummary) {
        guard r.stored else { return }
        summary.newMessages += 1
        switch r.effect {
        case .created?: summary.newConversations += 1
        case .reopened?: summary.reopened += 1
        case .returnedToNew?: summary.returnedToNew += 1
        default: break
        }
    }

    /// Moves one of the channel's cursors, inside the transaction of the page it covers.
    func moveCursor(
        _ db: StoreAccess, _ channel: Channel, _ field: WritableKeyPath<ChannelRepository.SyncCursor, String?>,
        to value: String?
    ) throws {
        var cursor = try ChannelRepository.syncCursor(db, id: channel.id)
        // Only forward: a concurrent sync may have stored a newer cursor already.
        guard let value, XID.isNewer(value, than: cursor[keyPath: field]) else { return }
        cursor[keyPath: field] = value
        try ChannelRepository.setSyncCursor(db, id: channel.id, cursor)
    }

    func pageDone(_ summary: inout SyncSummary) throws {
        summary.pages += 1
        progress?(summary.pages, summary.newMessages)
        if shouldStop() { throw SyncStopped() }
    }

    /// One page, one transaction.
    func store(_ body: (StoreAccess, Timestamp) throws -> Void) throws {
        try database.withConnection { db in
            try db.atomically {
                let now = try Meta.now(db, system: clock)
                try body(db, now)
            }
        }
    }
}
