import ParleyCore
import ParleyStore

/// What one user may see of the organisation: the one place that commands (naming things,
/// listing them) and completion ask, so the two cannot disagree. The rules (docs/RULES.md,
/// "What you may see"):
/// - an enabled admin sees every user, team and channel (their settings and access), but the
///   conversations, tags, notes and messages of a channel only with a channel role, like anyone;
/// - anyone else sees the channels they have a role on and their conversations; themselves, the
///   enabled admins, the members of their teams and the enabled users with a role on one of their
///   channels; the teams they are in;
/// - logged out, nobody sees anything.
/// A thing outside this gets the very answer a thing that does not exist gets.
final class Visibility {
    let db: StoreAccess
    let user: User?
    private var cachedChannels: [Channel]?
    /// The access facts of the user on a channel, gathered once a command: the decision whether
    /// it exists for them and the decision on the command's action read the same facts. Only the
    /// facts that decide: a refusal gathers the rest to explain itself (`CommandContext.require`).
    private var cachedFacts: [Int64: AccessFacts] = [:]

    func facts(on channel: Channel) throws -> AccessFacts? {
        guard let user else { return nil }
        if let f = cachedFacts[channel.id] { return f }
        let f = try AccessRepository.decidingFacts(db, user: user, channel: channel)
        cachedFacts[channel.id] = f
        return f
    }

    /// The session's channels kept from an earlier command, and whether this command may keep
    /// its own there (see `ChannelMemo`).
    private let memo: ChannelMemo?
    private let mayRemember: Bool

    init(db: StoreAccess, user: User?, memo: ChannelMemo? = nil, mayRemember: Bool = false) {
        self.db = db
        self.user = user
        self.memo = memo
        self.mayRemember = mayRemember
    }

    /// An enabled admin: sees every user, team and channel setting.
    var seesWholeOrganisation: Bool { user.map { $0.enabled && $0.role == .admin } ?? false }

    /// The channels the user has a role on: their conversations are visible.
    func roleChannels() throws -> [Channel] {
        if let cachedChannels { return cachedChannels }
        guard let user, user.enabled else { return [] }
        // The stamp is read first: channels read later are never older than the stamp they are kept under.
        let stamp = memo == nil ? nil : try db.dataStamp()
        if let memo, let stamp, let kept = memo.channels(user: user, stamp: stamp) {
            cachedChannels = kept
            return kept
        }
        let channels = try AccessRepository.visibleChannels(db, user: user)
        if let memo, let stamp, mayRemember { memo.keep(channels, user: user, stamp: stamp) }
        cachedChannels = channels
        return channels
    }

    func roleChannelIDs() throws -> [Int64] { try roleChannels().map(\.id) }

    /// Whether the channel's name and settings are visible (not its conversations: see `roleChannels`).
    func seesChannel(_ channel: Channel) throws -> Bool {
        if seesWholeOrganisation { return true }
        return try seesConversations(on: channel)
    }

    func seesConversations(on channel: Channel) throws -> Bool {
        if let cachedChannels { return cachedChannels.contains { $0.id == channel.id } }
        // One channel: one decision, not the list of every channel the user reaches.
        guard let user, user.enabled else { return false }
        guard let facts = try facts(on: channel) else { return false }
        return AccessPolicy.decide(.view, facts).allowed
    }

    func seesUser(_ other: User) throws -> Bool {
        guard let user else { return false }
        if seesWholeOrganisation || other.id == user.id { return true }
        return try AccessRepository.seesUser(db, viewer: user, channels: roleChannels(), userID: other.id)
    }

    // MARK: Naming things

    func channel(_ name: String) throws -> Channel {
        if seesWholeOrganisation { return try ChannelRepository.resolve(db, name) }
        // The usual case, one lookup and one decision; else the answer (and its suggestions) from
        // the channels the user sees alone.
        if let c = try? ChannelRepository.resolve(db, name), try seesChannel(c) { return c }
        return try ChannelRepository.resolve(db, name, within: roleChannels())
    }

    func user(_ email: String) throws -> User {
        if seesWholeOrganisation { return try UserRepository.require(db, email: email) }
        if let found = try UserRepository.find(db, email: email), try seesUser(found) { return found }
        let near = try users(prefix: String(email.prefix(1)), limit: 200).map(\.email)
        throw ParleyError.notFound("no user '\(email)' that you can see" + Suggest.didYouMean(email, among: near))
    }

    func team(_ name: String) throws -> Team {
        if seesWholeOrganisation { return try TeamRepository.require(db, name: name) }
        return try TeamRepository.require(db, name: name, memberID: user?.id ?? 0)
    }

    /// A conversation by number. One on a channel where the user has no role exists only for an
    /// admin (who sees every channel, and is then refused with the rule); for anyone else it is
    /// answered as a number that was never used.
    func conversation(_ text: String) throws -> (ConversationSummary, Channel) {
        let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard let id = Int64(digits), id > 0 else {
            throw ParleyError.invalidValue("'\(text)' is not a conversation number (like 12)")
        }
        if let c = try ConversationRepository.find(db, id: id),
            let ch = try ChannelRepository.find(db, id: c.channelID),
            try seesWholeOrganisation || seesConversations(on: ch)
        {
            return (c, ch)
        }
        throw ParleyError.notFound("no conversation \(id) that you can see (`conversation list` shows yours)")
    }

    // MARK: Listing things

    func channels() throws -> [Channel] {
        seesWholeOrganisation ? try ChannelRepository.list(db) : try roleChannels()
    }

    func users(prefix: String? = nil, after: String? = nil, limit: Int? = nil) throws -> [User] {
        guard let user else { return [] }
        let everyone = seesWholeOrganisation
        return try AccessRepository.visibleUsers(
            db, viewer: user, channels: everyone ? [] : roleChannels(), everyone: everyone, prefix: prefix,
            after: after, limit: limit)
    }

    func emails(prefix: String, limit: Int) throws -> [String] {
        guard user != nil else { return [] }
        if seesWholeOrganisation { return try UserRepository.emails(db, prefix: prefix, limit: limit) }
        return try users(prefix: prefix, limit: limit).map(\.email)
    }

    func teams() throws -> [TeamRepository.Summary] {
        guard let user else { return [] }
        return try TeamRepository.list(db, memberID: seesWholeOrganisation ? nil : user.id)
    }

    func teamNames(prefix: String, limit: Int) throws -> [String] {
        guard let user else { return [] }
        return try TeamRepository.names(
            db, prefix: prefix, limit: limit, memberID: seesWholeOrganisation ? nil : user.id)
    }

    /// The organisation's topic list: every logged-in user works with it.
    func topicNames(prefix: String, limit: Int) throws -> [String] {
        guard user != nil else { return [] }
        return try TopicRepository.names(db, prefix: prefix, limit: limit)
    }

    /// Tags in use on conversations the user can see.
    func tagNames(prefix: String, limit: Int) throws -> [String] {
        try ConversationRepository.tagNames(db, prefix: prefix, limit: limit, channelIDs: roleChannelIDs())
    }

    /// A visible conversation's tags, or none.
    func tags(ofConversation text: String) throws -> [String] {
        guard let (c, ch) = try? conversation(text), try seesConversations(on: ch) else { return [] }
        return c.tags
    }
}

/// The channels a session's user has a role on, kept from one command to the next while the
/// database stays as it was (`StoreAccess.dataStamp`): a user reaching hundreds of channels
/// through dozens of teams need not have them worked out again for every command. Any write,
/// by this connection or another, changes the stamp, so a grant taken away is seen at the next
/// command. PostgreSQL has no stamp: there they are read each time.
///
/// Only a command that reads in a transaction of its own keeps its channels here: inside
/// `begin` … `commit`, or in a command that writes, they could describe writes later rolled back.
/// Any command may use what was kept under the stamp it reads.
final class ChannelMemo {
    private var stamp: DataStamp?
    private var user: User?
    private var kept: [Channel] = []

    func channels(user: User, stamp: DataStamp) -> [Channel]? {
        self.stamp == stamp && self.user == user ? kept : nil
    }

    func keep(_ channels: [Channel], user: User, stamp: DataStamp) {
        self.stamp = stamp
        self.user = user
        kept = channels
    }
}
