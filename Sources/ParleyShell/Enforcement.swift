import ParleyCore
import ParleyStore

/// Before a handler runs: the command's requirement is checked and its words are turned into
/// typed values, in the order that decides what a user may learn. A requirement that needs no
/// object (an admin command) is checked before any name is resolved; a name the user cannot
/// see answers "no … that you can see"; a requirement on an object is checked as soon as the
/// word naming it is resolved, before the words after it.
extension CommandContext {
    func prepare(_ inv: Invocation) throws -> Invocation {
        var inv = inv
        let spec = inv.spec
        let requirement = spec.requirement
        switch requirement {
        case .anyone, .onConversation:
            // A conversation is resolved first: one the user cannot see is "no conversation N that you can see".
            break
        case .admin:
            try requireAdmin(spec.name)
        case .sandboxAdmin:
            try requireSandbox(spec.name)
            try requireAdmin(spec.name)
        case .loggedIn, .onChannel, .onChannelOrAdmin, .selfOrAdmin:
            _ = try requireUser()
        }
        var checked = false
        for arg in spec.args {
            let words = inv.args[arg.name] ?? []
            if arg.rest || arg.asTyped {
                inv.typed[arg.name] = words.map(Typed.text)
                continue
            }
            inv.typed[arg.name] = try words.map { try typed($0, arg.kind, label: arg.name, range: arg.range) }
            if !checked, let value = inv.typed[arg.name]?.first,
                try check(requirement, on: value, spec: spec, via: nil)
            {
                checked = true
            }
        }
        for option in spec.options {
            guard let kind = option.kind, let word = inv.options[option.name] else { continue }
            let key = "--" + option.name
            let value = option.asTyped ? Typed.text(word) : try typed(word, kind, label: key, range: option.range)
            inv.typed[key] = [value]
            if !checked, try check(requirement, on: value, spec: spec, via: key) { checked = true }
        }
        // A `selfOrAdmin` command that names no user is about the user themselves; one that names
        // no channel (`conversation list`) needs a logged-in user only: both were checked above.
        return inv
    }

    /// Checks the requirement when `value` is its object; returns whether it was.
    func check(_ requirement: Requirement, on value: Typed, spec: CommandSpec, via option: String?) throws -> Bool {
        switch (requirement, value) {
        case (.onConversation(let action), .conversation(let c, let ch)):
            try require(action, on: ch, what: "\(spec.name) \(c.id)")
        case (.onChannel(let action), .channel(let ch)):
            let what = ([spec.name] + (option.map { [$0] } ?? []) + [ch.atHandle]).joined(separator: " ")
            try require(action, on: ch, what: what)
        case (.onChannelOrAdmin(let action, let naming), .channel(let ch)):
            if visibility.seesWholeOrganisation { return true }
            try require(
                action, on: ch, what: naming ? spec.name : "\(spec.name) \(ch.atHandle)",
                naming: naming ? spec.name : nil)
        case (.selfOrAdmin(let what), .user(let u)):
            if u.id != session.user?.id { try requireAdmin(what) }
        default:
            return false
        }
        return true
    }

    /// One word as the value its kind stands for; the errors are the ones people read.
    func typed(_ word: String, _ kind: ValueKind, label: String, range: ClosedRange<Int>) throws -> Typed {
        switch kind {
        case .text, .newEmail, .file, .handle, .tag, .outputFormat, .onErrorMode, .grouping, .reportFormat:
            return .text(word)
        case .number:
            guard let n = Int(word), range.contains(n) else {
                throw ParleyError.invalidValue(
                    "\(label) takes a whole number from \(range.lowerBound)"
                        + " to \(range.upperBound), not '\(word)'")
            }
            return .number(n)
        case .onOff:
            switch word.lowercased() {
            case "on": return .bool(true)
            case "off": return .bool(false)
            default: throw ParleyError.invalidValue("\(label) takes on or off, not '\(word)'")
            }
        case .duration: return .span(try TimeSpan.parse(word))
        case .durationOrOff: return .limit(try AutoResolveLimits.parse(word, option: label))
        case .queue: return .queue(try Queue.parse(word))
        case .channelRole: return .channelRole(try ChannelRole.parse(word))
        case .accountRole: return .accountRole(try AccountRole.parse(word))
        case .action: return .action(try Action.parse(word))
        case .user: return .user(try user(word))
        case .userOrNone: return word.lowercased() == "none" ? .nobody : .user(try user(word))
        case .channel: return .channel(try channel(word))
        case .team: return .team(try team(word))
        case .topic:
            let t = try TopicRepository.require(db, name: word)
            return .topic(id: t.id, name: t.name)
        case .conversation:
            let (c, ch) = try conversation(word)
            return .conversation(c, ch)
        case .conversationOrChannel:
            if let n = Int64(word), n > 0 {
                let (c, ch) = try conversation(word)
                return .conversation(c, ch)
            }
            return .channel(try channel(word))
        }
    }
}
