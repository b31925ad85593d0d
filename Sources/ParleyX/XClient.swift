import Foundation

/// A channel's credentials: OAuth 2.0 bearer tokens, or an OAuth 1.0a token and secret.
package struct XTokens: Sendable, Equatable {
    package var accessToken: String
    package var refreshToken: String?
    /// Milliseconds since the epoch.
    package var expiresAt: Int64?
    /// Set for OAuth 1.0a credentials.
    package var tokenSecret: String?
    package init(accessToken: String, refreshToken: String? = nil, expiresAt: Int64? = nil, tokenSecret: String? = nil)
    {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.tokenSecret = tokenSecret
    }
}

/// What went wrong talking to X, each with a message a user can act on. Never holds a token.
package enum XError: Error, Sendable, Equatable, CustomStringConvertible {
    case notConfigured(String)
    case unauthorized(String)
    case forbidden(String)
    case rateLimited(until: Date)
    case server(status: Int, detail: String)
    case timeout
    case transport(String)
    case malformed(String)
    case rejected(status: Int, detail: String)
    /// What the user pasted is not a usable redirect URL or code (X was not asked anything).
    case badPaste(String)

    package var description: String {
        switch self {
        case .notConfigured(let m): return m
        case .unauthorized(let d):
            return "X rejected the channel's access token (\(d)): re-authorize the channel with `channel add twitter`"
        case .forbidden(let d):
            return
                "X refused the request (403: \(d)): give the app that access in the X developer portal, then re-authorize the channel with `channel add twitter`"
        case .rateLimited(let until):
            return "X rate limit reached; it resets at \(ISO8601DateFormatter().string(from: until)): try again then"
        case .server(let status, let detail):
            return "X answered \(status) after several tries (\(detail)): try again later"
        case .timeout: return "X did not answer in time (the transfer stalled) after several tries: try again later"
        case .transport(let m): return "cannot reach X: \(m)"
        case .malformed(let m): return "X sent a response parley cannot read (\(m))"
        case .rejected(let status, let detail): return "X refused the request (\(status): \(detail))"
        case .badPaste(let m): return m
        }
    }
}

package struct XUser: Sendable, Equatable {
    package var id: String
    package var username: String
    package var name: String
}

package struct XTweet: Sendable, Equatable {
    package var id: String
    package var text: String
    package var authorID: String
    package var authorUsername: String?
    package var createdAt: Int64?
}

package struct XDMEvent: Sendable, Equatable {
    package var id: String
    package var senderID: String
    /// The sender's username, from the page's `includes.users`; nil when X did not include it.
    package var senderUsername: String?
    /// `dm_conversation_id`: `lowId-highId` for a one-to-one conversation, one number for a group.
    package var conversationID: String?
    package var text: String
    package var createdAt: Int64?
}

/// The X API v2 for one account, over libcurl: honours rate limits, retries 5xx and stalls with
/// backoff, and refreshes an expired access token once (handing the new tokens to `onRefresh`
/// before they are used, since each refresh retires the old refresh token).
package final class XClient: @unchecked Sendable {
    package let config: XConfig
    package private(set) var tokens: XTokens
    let http: HTTPClient
    package var onRefresh: (XTokens) throws -> Void = { _ in }
    /// Told when parley waits (rate limit, backoff): the shell shows it.
    package var onWait: (String) -> Void = { _ in }
    /// Sleeps; tests replace it.
    package var sleep: (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    package var now: () -> Date = { Date() }
    /// The first backoff after a 5xx or stall, doubled each time.
    package var backoff: TimeInterval
    /// A GET sent ahead (`prefetchMentions`), with the URL and tokens it was sent with.
    var ahead: (url: String, tokens: XTokens, transfer: HTTPTransfer)?

    package init(config: XConfig, tokens: XTokens, http: HTTPClient? = nil) {
        self.config = config
        self.backoff = config.backoffSeconds
        self.tokens = tokens
        self.http = http ?? HTTPClient(timeouts: HTTPTimeouts(connect: 10, stall: config.stallSeconds, total: 120))
    }

    // MARK: Endpoints

    package func me() throws -> XUser {
        let json = try call("GET", "/2/users/me", query: [("user.fields", "username,name")])
        guard let data = json["data"], let id = data["id"]?.string, let username = data["username"]?.string else {
            throw XError.malformed("no user in /2/users/me")
        }
        return XUser(id: id, username: username, name: data["name"]?.string ?? username)
    }

    package func mentions(userID: String, sinceID: String?, paginationToken: String?, maxResults: Int = 100) throws -> (
        tweets: [XTweet], next: String?
    ) {
        let (path, q) = Self.mentionsRequest(userID, sinceID, paginationToken, maxResults)
        let json = try call("GET", path, query: q)
        let names = Self.usernames(json)
        let tweets = try (json["data"]?.array ?? []).map { t -> XTweet in
            guard let id = t["id"]?.string, let text = t["text"]?.string else {
                throw XError.malformed("a mention without id or text")
            }
            let author = t["author_id"]?.string ?? ""
            return XTweet(
                id: id, text: text, authorID: author, authorUsername: names[author],
                createdAt: Self.time(t["created_at"]?.string))
        }
        return (tweets, json["meta"]?["next_token"]?.string)
    }

    /// One page of the account's DM events (MessageCreate only), newest first. The sender comes
    /// expanded, so each event carries its sender's username when X includes it; the other party
    /// of a one-to-one conversation is read from `dm_conversation_id` (X gives `participant_ids`
    /// only on ParticipantsJoin and ParticipantsLeave events).
    package func dmEvents(paginationToken: String?, maxResults: Int = 100) throws -> (events: [XDMEvent], next: String?)
    {
        let json = try call("GET", "/2/dm_events", query: Self.dmEventsQuery(paginationToken, maxResults))
        let names = Self.usernames(json)
        let events = try (json["data"]?.array ?? []).compactMap { e -> XDMEvent? in
            guard let id = e["id"]?.string else { throw XError.malformed("a DM event without id") }
            guard (e["event_type"]?.string ?? "MessageCreate") == "MessageCreate" else { return nil }
            let sender = e["sender_id"]?.string ?? ""
            return XDMEvent(
                id: id, senderID: sender, senderUsername: names[sender],
                conversationID: e["dm_conversation_id"]?.string,
                text: e["text"]?.string ?? "", createdAt: Self.time(e["created_at"]?.string))
        }
        return (events, json["meta"]?["next_token"]?.string)
    }

    static func mentionsRequest(_ userID: String, _ sinceID: String?, _ paginationToken: String?, _ maxResults: Int)
        -> (path: String, query: [(String, String)])
    {
        var q: [(String, String)] = [
            ("max_results", String(maxResults)),
            ("tweet.fields", "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets"),
            ("expansions", "author_id"), ("user.fields", "username"),
        ]
        if let sinceID { q.append(("since_id", sinceID)) }
        if let paginationToken { q.append(("pagination_token", paginationToken)) }
        return ("/2/users/\(PercentEncoding.encode(userID))/mentions", q)
    }

    static func dmEventsQuery(_ paginationToken: String?, _ maxResults: Int) -> [(String, String)] {
        var q: [(String, String)] = [
            ("max_results", String(maxResults)), ("event_types", "MessageCreate"),
            ("dm_event.fields", "created_at,dm_conversation_id,sender_id,text"),
            ("expansions", "sender_id"), ("user.fields", "username"),
        ]
        if let paginationToken { q.append(("pagination_token", paginationToken)) }
        return q
    }

    // MARK: Asking ahead

    /// Sends the request for a page of mentions now and returns at once: the page comes while the
    /// caller works (a sync stores the page before), and the `mentions` call for the same page
    /// takes the answer. Nothing is lost when no such call comes: the next request drops it.
    package func prefetchMentions(userID: String, sinceID: String?, paginationToken: String?, maxResults: Int = 100) {
        let (path, q) = Self.mentionsRequest(userID, sinceID, paginationToken, maxResults)
        prefetch(path, query: q)
    }

    /// `prefetchMentions` for a page of DM events.
    package func prefetchDMEvents(paginationToken: String?, maxResults: Int = 100) {
        prefetch("/2/dm_events", query: Self.dmEventsQuery(paginationToken, maxResults))
    }

    func prefetch(_ path: String, query: [(String, String)]) {
        ahead = nil
        let url = config.apiBase + path + (query.isEmpty ? "" : "?" + PercentEncoding.form(query))
        let request = HTTPRequest(method: "GET", url: url, headers: headers("GET", path, query, json: false))
        // A transfer that cannot start is no loss: the call asks again.
        guard let transfer = try? http.start(request) else { return }
        ahead = (url, tokens, transfer)
    }

    /// Sends `request`, or takes the answer of the same GET asked ahead with the same tokens
    /// (after a refresh, the page is asked again with the new ones).
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        if let a = ahead, request.method == "GET", a.url == request.url, a.tokens == tokens {
            ahead = nil
            return try http.finish(a.transfer)
        }
        ahead = nil
        return try http.send(request)
    }

    func headers(_ method: String, _ path: String, _ query: [(String, String)], json: Bool) -> [(String, String)] {
        var headers = [
            ("Accept", "application/json"),
            ("Authorization", authorization(method, url: config.apiBase + path, query: query)),
        ]
        if json { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    /// User id → username from a page's `includes.users` (empty usernames left out).
    static func usernames(_ json: JSONValue) -> [String: String] {
        var names: [String: String] = [:]
        for u in json["includes"]?["users"]?.array ?? [] {
            guard let id = u["id"]?.string, let name = u["username"]?.string, !name.isEmpty else { continue }
            names[id] = name
        }
        return names
    }

    package func createTweet(text: String, inReplyTo: String?) throws -> String {
        var body: [String: Any] = ["text": text]
        if let inReplyTo { body["reply"] = ["in_reply_to_tweet_id": inReplyTo] }
        let json = try call("POST", "/2/tweets", body: body)
        guard let id = json["data"]?["id"]?.string else {
            throw XError.malformed("no id for the new post")
        }
        return id
    }

    package func sendDirectMessage(participantID: String, text: String) throws -> String {
        let json = try call(
            "POST", "/2/dm_conversations/with/\(PercentEncoding.encode(participantID))/messages", body: ["text": text])
        guard let id = json["data"]?["dm_event_id"]?.string else {
            throw XError.malformed("no dm_event_id for the message")
        }
        return id
    }

    /// Milliseconds since the epoch of an RFC 3339 UTC time as X writes it
    /// (`2026-11-24T09:15:02.000Z`, fraction optional). Parsed by hand: a date formatter per
    /// message costs more than storing the message.
    static func time(_ value: String?) -> Int64? {
        guard let s = value else { return nil }
        let b = Array(s.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58 else {
            return nil
        }
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                let d = Int(b[i]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let sec = num(17, 2),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 100
            while i < b.count, (48...57).contains(b[i]) {
                millis += (Int(b[i]) - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < b.count, b[i] == 90 || b[i] == 122 {
            i += 1
        } else if i + 6 == b.count, b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), let om = num(i + 4, 2) {
            offset = (b[i] == 43 ? 1 : -1) * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from the civil date (H. Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + h * 3600 + mi * 60 + sec - offset
        return Int64(seconds) * 1000 + Int64(millis)
    }

    // MARK: The request loop

    func call(_ method: String, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil) throws
        -> JSONValue
    {
        let url = config.apiBase + path + (query.isEmpty ? "" : "?" + PercentEncoding.form(query))
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        var refreshed = false
        var attempt = 0
        while true {
            let headers = headers(method, path, query, json: payload != nil)
            let response: HTTPResponse
            do {
                response = try send(HTTPRequest(method: method, url: url, headers: headers, body: payload))
            } catch let e as TransportError {
                // A post whose answer never came may have been published: sending it again could
                // publish it twice, so the user checks the account instead.
                if method == "POST" && e.timedOut {
                    throw XError.transport(
                        "X did not confirm the \(path == "/2/tweets" ? "post" : "message") in time (\(e.message)); it may have been sent: check the account before replying again"
                    )
                }
                guard attempt < config.maxRetries else {
                    throw e.timedOut ? XError.timeout : XError.transport(e.message)
                }
                try wait(
                    backoff * pow(2, Double(attempt)),
                    because: e.timedOut ? "X stalled" : "X unreachable (\(e.message))")
                attempt += 1
                continue
            }
            switch response.status {
            case 200..<300:
                guard let json = try? JSONValue.parse(response.body), json.isObject else {
                    guard attempt < config.maxRetries else { throw XError.malformed("not JSON") }
                    try wait(backoff * pow(2, Double(attempt)), because: "X sent a broken response")
                    attempt += 1
                    continue
                }
                // A 200 that carries only `errors` is a refusal (e.g. a missing scope); with data
                // beside it, the errors are about single items and the page is used.
                if json["data"] == nil, json["meta"] == nil, let first = json["errors"]?.array?.first {
                    let what =
                        first["detail"]?.string ?? first["message"]?.string ?? first["title"]?.string ?? "an error"
                    throw XError.rejected(status: response.status, detail: String(what.prefix(300)))
                }
                return json
            case 401:
                if !refreshed, let refresh = tokens.refreshToken {
                    let fresh = try XAuth.refresh(refreshToken: refresh, config: config, http: http)
                    try onRefresh(fresh)
                    tokens = fresh
                    refreshed = true
                    continue
                }
                throw XError.unauthorized(Self.detail(response))
            case 403:
                throw XError.forbidden(
                    "\(Self.detail(response)); \(method) \(path) needs the scopes \(Self.scopes(method, path))")
            case 429:
                let reset =
                    response.headers["x-rate-limit-reset"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
                    ?? now().addingTimeInterval(backoff * pow(2, Double(attempt)))
                let seconds = max(0, reset.timeIntervalSince(now()))
                guard attempt < config.maxRetries, seconds <= config.maxRateLimitWait else {
                    throw XError.rateLimited(until: reset)
                }
                try wait(
                    seconds + 0.05,
                    because: "X rate limit reached; waiting until \(ISO8601DateFormatter().string(from: reset))")
                attempt += 1
            case 500...599:
                guard attempt < config.maxRetries else {
                    throw XError.server(status: response.status, detail: Self.detail(response))
                }
                try wait(backoff * pow(2, Double(attempt)), because: "X answered \(response.status)")
                attempt += 1
            default:
                throw XError.rejected(status: response.status, detail: Self.detail(response))
            }
        }
    }

    func wait(_ seconds: TimeInterval, because reason: String) throws {
        onWait("\(reason); trying again in \(Int(seconds.rounded(.up)))s")
        sleep(seconds)
    }

    func authorization(_ method: String, url: String, query: [(String, String)]) -> String {
        if let secret = tokens.tokenSecret {
            let signer = OAuth1Signer(
                consumerKey: config.consumerKey ?? "", consumerSecret: config.consumerSecret ?? "",
                token: tokens.accessToken, tokenSecret: secret)
            return signer.header(method: method, url: url, parameters: query)
        }
        return "Bearer " + tokens.accessToken
    }

    /// The OAuth 2.0 scopes an endpoint needs, for a 403's message.
    static func scopes(_ method: String, _ path: String) -> String {
        switch (method, path) {
        case ("GET", "/2/users/me"): return "users.read tweet.read"
        case ("GET", "/2/dm_events"): return "dm.read tweet.read users.read"
        case ("POST", "/2/tweets"): return "tweet.write tweet.read users.read"
        case ("POST", _) where path.hasPrefix("/2/dm_conversations/"): return "dm.write dm.read tweet.read users.read"
        default: return "tweet.read users.read"
        }
    }

    /// The problem's detail (or title, or status), cut short; never the request's headers.
    static func detail(_ r: HTTPResponse) -> String {
        if let json = try? JSONValue.parse(r.body) {
            if let d = json["detail"]?.string { return String(d.prefix(300)) }
            if let t = json["title"]?.string { return String(t.prefix(300)) }
            if let m = json["errors"]?.array?.first?["message"]?.string { return String(m.prefix(300)) }
            if let e = json["error_description"]?.string ?? json["error"]?.string { return String(e.prefix(300)) }
        }
        return "HTTP \(r.status)"
    }
}
