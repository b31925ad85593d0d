import ParleyCore
import ParleyStore
import ParleyX

/// The libcurl X client behind the shell's `XChannelAPI`.
package final class XClientAdapter: XChannelAPI {
    package let client: XClient

    package init(client: XClient) { self.client = client }

    /// The provider the executable installs: credentials from the database, configuration from
    /// the environment and `x.conf`, rotated tokens stored before use, waits shown on stderr.
    package static func provider(config: XConfig, io: ShellIO) -> ChannelAPIProvider {
        return { channel, creds, onRefresh in
            let client = XClient(
                config: config,
                tokens: XTokens(
                    accessToken: creds.accessToken, refreshToken: creds.refreshToken,
                    expiresAt: creds.expiresAt, tokenSecret: creds.tokenSecret))
            client.onRefresh = { fresh in
                try onRefresh(
                    ChannelCredentials(
                        kind: creds.kind, accessToken: fresh.accessToken,
                        refreshToken: fresh.refreshToken ?? creds.refreshToken,
                        tokenSecret: fresh.tokenSecret, expiresAt: fresh.expiresAt))
            }
            client.onWait = { io.err("\(channel.atHandle): \($0)") }
            return XClientAdapter(client: client)
        }
    }

    package func me() throws -> XAccount {
        let u = try client.me()
        return XAccount(id: u.id, username: u.username, name: u.name)
    }

    package func mentions(userID: String, sinceID: String?, paginationToken: String?) throws -> XPage<XInboundTweet> {
        let page = try client.mentions(userID: userID, sinceID: sinceID, paginationToken: paginationToken)
        return XPage(
            items: page.tweets.map {
                XInboundTweet(
                    id: $0.id, authorID: $0.authorID, authorUsername: $0.authorUsername, text: $0.text,
                    createdAt: $0.createdAt)
            }, nextToken: page.next)
    }

    package func directMessages(paginationToken: String?) throws -> XPage<XDirectMessage> {
        let page = try client.dmEvents(paginationToken: paginationToken)
        return XPage(
            items: page.events.map {
                XDirectMessage(
                    id: $0.id, senderID: $0.senderID, conversationID: $0.conversationID,
                    senderUsername: $0.senderUsername, text: $0.text, createdAt: $0.createdAt)
            }, nextToken: page.next)
    }

    package func prefetchMentions(userID: String, sinceID: String?, paginationToken: String?) {
        client.prefetchMentions(userID: userID, sinceID: sinceID, paginationToken: paginationToken)
    }

    package func prefetchDirectMessages(paginationToken: String?) {
        client.prefetchDMEvents(paginationToken: paginationToken)
    }

    package func postTweet(text: String, inReplyTo: String?) throws -> String {
        try client.createTweet(text: text, inReplyTo: inReplyTo)
    }

    package func sendDirectMessage(to participantID: String, text: String) throws -> String {
        try client.sendDirectMessage(participantID: participantID, text: text)
    }
}
