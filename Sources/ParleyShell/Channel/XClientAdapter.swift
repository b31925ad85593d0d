import Foundation
import ParleyCore
import ParleyStore
import ParleyX

/// The libcurl X client behind the shell's `XChannelAPI`.
package final class XClientAdapter: XChannelAPI, @unchecked Sendable {
    package let client: XClient
    /// A page of mentions asked ahead: fetched and read on another thread while the caller
    /// stores the page before, and taken by the `mentions` call with the same arguments. The
    /// client is used by one thread at a time: every call waits for a page under way first.
    /// What the client hands back on that thread (a refreshed token to store, a wait to show)
    /// runs on the caller's thread, inside what the caller holds (its database connection).
    private var ahead: MentionsAhead?
    private let fetchQueue = DispatchQueue(label: "parley.x.ahead")

    package init(client: XClient) { self.client = client }

    deinit { settle() }

    /// The provider the executable installs: credentials from the database, configuration from
    /// the environment and `x.conf`, rotated tokens stored before use, waits shown on stderr.
    package static func provider(config: XConfig, io: ShellIO) -> ChannelAPIProvider {
        return { channel, creds, onRefresh in
            let client = XClient(
                config: config,
                tokens: XTokens(
                    accessToken: creds.accessToken, refreshToken: creds.refreshToken,
                    expiresAt: creds.expiresAt, tokenSecret: creds.tokenSecret))
            let adapter = XClientAdapter(client: client)
            client.onRefresh = { fresh in
                try onCallerThread {
                    try onRefresh(
                        ChannelCredentials(
                            kind: creds.kind, accessToken: fresh.accessToken,
                            refreshToken: fresh.refreshToken ?? creds.refreshToken,
                            tokenSecret: fresh.tokenSecret, expiresAt: fresh.expiresAt))
                }
            }
            client.onWait = { wait in try? onCallerThread { io.err("\(channel.atHandle): \(wait)") } }
            return adapter
        }
    }

    /// Runs `job` on the caller's thread: at once there, else (on the thread fetching ahead) when
    /// the caller next waits for that page, with this thread waiting for it.
    static func onCallerThread(_ job: @escaping () throws -> Void) throws {
        if let page = MentionsAhead.fetching { try page.runOnCaller(job) } else { try job() }
    }

    package func me() throws -> XAccount {
        settle()
        let u = try client.me()
        return XAccount(id: u.id, username: u.username, name: u.name)
    }

    package func mentions(userID: String, sinceID: String?, paginationToken: String?) throws -> XPage<XInboundTweet> {
        if let page = settle(), page.key == [userID, sinceID ?? "", paginationToken ?? ""] {
            return try page.result().get()
        }
        return try fetchMentions(userID: userID, sinceID: sinceID, paginationToken: paginationToken)
    }

    /// Waits for the page asked ahead, if one is under way, and hands it over.
    @discardableResult
    private func settle() -> MentionsAhead? {
        guard let page = ahead else { return nil }
        ahead = nil
        _ = page.result()
        return page
    }

    private func fetchMentions(userID: String, sinceID: String?, paginationToken: String?) throws
        -> XPage<XInboundTweet>
    {
        let page = try client.mentions(userID: userID, sinceID: sinceID, paginationToken: paginationToken)
        return XPage(
            items: page.tweets.map {
                XInboundTweet(
                    id: $0.id, authorID: $0.authorID, authorUsername: $0.authorUsername, text: $0.text,
                    createdAt: $0.createdAt)
            }, nextToken: page.next)
    }

    package func directMessages(paginationToken: String?) throws -> XPage<XDirectMessage> {
        settle()
        let page = try client.dmEvents(paginationToken: paginationToken)
        return XPage(
            items: page.events.map {
                XDirectMessage(
                    id: $0.id, senderID: $0.senderID, conversationID: $0.conversationID,
                    senderUsername: $0.senderUsername, text: $0.text, createdAt: $0.createdAt)
            }, nextToken: page.next)
    }

    package func prefetchMentions(userID: String, sinceID: String?, paginationToken: String?) {
        settle()
        ahead = MentionsAhead(key: [userID, sinceID ?? "", paginationToken ?? ""], on: fetchQueue) { [self] in
            try fetchMentions(userID: userID, sinceID: sinceID, paginationToken: paginationToken)
        }
    }

    package func prefetchDirectMessages(paginationToken: String?) {
        settle()
        client.prefetchDMEvents(paginationToken: paginationToken)
    }

    package func postTweet(text: String, inReplyTo: String?) throws -> String {
        settle()
        return try client.createTweet(text: text, inReplyTo: inReplyTo)
    }

    package func sendDirectMessage(to participantID: String, text: String) throws -> String {
        settle()
        return try client.sendDirectMessage(participantID: participantID, text: text)
    }
}

/// One page of mentions fetched on another thread. The fetching thread may hand jobs to the
/// caller's thread (`runOnCaller`), which runs them while it waits for the page (`result`).
private final class MentionsAhead: @unchecked Sendable {
    let key: [String]
    private let lock = NSLock()
    /// Signalled when a job is handed over or the fetch ends.
    private let wake = DispatchSemaphore(value: 0)
    private var jobs: [Job] = []
    private var outcome: Result<XPage<XInboundTweet>, Error>?

    init(key: [String], on queue: DispatchQueue, _ fetch: @escaping @Sendable () throws -> XPage<XInboundTweet>) {
        self.key = key
        // A queue of the adapter's: its thread is made once, not for every page.
        queue.async { [self] in
            Thread.current.threadDictionary[Self.threadKey] = self
            let result = Result { try fetch() }
            Thread.current.threadDictionary[Self.threadKey] = nil
            lock.lock()
            outcome = result
            lock.unlock()
            wake.signal()
        }
    }

    /// Work the fetching thread hands to the caller's thread, and what it threw.
    private final class Job: @unchecked Sendable {
        let run: () throws -> Void
        let done = DispatchSemaphore(value: 0)
        var error: Error?
        init(_ run: @escaping () throws -> Void) { self.run = run }
    }

    private static let threadKey = "parley.mentionsAhead"

    /// The page this thread is fetching ahead, when it is such a thread.
    static var fetching: MentionsAhead? { Thread.current.threadDictionary[threadKey] as? MentionsAhead }

    /// From the fetching thread: runs `job` on the caller's thread and returns what it threw.
    func runOnCaller(_ run: @escaping () throws -> Void) throws {
        let job = Job(run)
        lock.lock()
        jobs.append(job)
        lock.unlock()
        wake.signal()
        job.done.wait()
        if let error = job.error { throw error }
    }

    /// The page, or why there is none, once the fetch ends; runs the jobs handed over meanwhile.
    func result() -> Result<XPage<XInboundTweet>, Error> {
        while true {
            lock.lock()
            if let outcome {
                lock.unlock()
                return outcome
            }
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                lock.unlock()
                do { try job.run() } catch { job.error = error }
                job.done.signal()
                continue
            }
            lock.unlock()
            wake.wait()
        }
    }
}
