import ParleyCore
import ParleyStore

/// Makes the X API for a connected channel from its stored credentials. `onRefresh` stores
/// rotated tokens before they are used (docs/PRODUCT.md, "The X channel").
package typealias ChannelAPIProvider = (
    _ channel: Channel, _ credentials: ChannelCredentials,
    _ onRefresh: @escaping (ChannelCredentials) throws -> Void
) throws -> XChannelAPI

extension Session {
    /// The API of a connected channel, with token refreshes written to the database at once.
    package func api(for channel: Channel) throws -> XChannelAPI {
        guard let provider = channelAPIProvider else {
            throw ParleyError.refused(
                "\(channel.atHandle) is a connected X account, and this parley has no X client configured")
        }
        guard let creds = try database.withConnection({ db in try ChannelRepository.credentials(db, id: channel.id) })
        else {
            throw ParleyError.refused("\(channel.atHandle) has no credentials: connect it with `channel add twitter`")
        }
        let database = self.database
        let id = channel.id
        return try provider(channel, creds) { fresh in
            try database.withConnection { db in
                try db.atomically { try ChannelRepository.setCredentials(db, id: id, fresh) }
            }
        }
    }
}
