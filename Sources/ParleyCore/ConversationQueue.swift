/// The auto-resolve settings of a channel (docs/PRODUCT.md, "Conversations and queues"): a limit per waiting queue, or off.
package struct AutoResolveSettings: Sendable, Equatable {
    package var newAfter: TimeSpan?
    package var pendingAfter: TimeSpan?
    package init(newAfter: TimeSpan? = AutoResolveLimits.default, pendingAfter: TimeSpan? = AutoResolveLimits.default) {
        self.newAfter = newAfter
        self.pendingAfter = pendingAfter
    }
    package func limit(for queue: Queue) -> TimeSpan? {
        switch queue {
        case .new: return newAfter
        case .pending: return pendingAfter
        case .resolved: return nil
        }
    }
}

/// The queue state of one conversation.
package struct ConversationState: Sendable, Equatable {
    package var queue: Queue
    package var ownerID: Int64?
    /// When the system resolves it, if it stays where it is without a new message.
    package var deadline: Timestamp?
    /// The auto-resolve limit in force when it entered its queue, in seconds.
    /// Kept so that a later settings change does not move it (docs/PRODUCT.md, "Conversations and queues").
    package var limitSeconds: Int64?

    package init(queue: Queue, ownerID: Int64? = nil, deadline: Timestamp? = nil, limitSeconds: Int64? = nil) {
        self.queue = queue
        self.ownerID = ownerID
        self.deadline = deadline
        self.limitSeconds = limitSeconds
    }
}

/// What an inbound message did to the conversation's queue.
package enum InboundEffect: String, Sendable {
    /// The first message of the contact on the channel: the conversation is new.
    case created
    /// A Resolved conversation came back to New, with no owner.
    case reopened
    /// A Pending conversation came back to New.
    case returnedToNew = "returned"
    /// It was in New already.
    case stayed
}

/// The queue rules (docs/PRODUCT.md), as pure functions of the state, the settings and the time.
package enum ConversationQueue {
    /// Enters `queue` now: the deadline and the limit are fixed from the settings in force now.
    package static func enter(
        _ queue: Queue, from state: ConversationState, settings: AutoResolveSettings,
        now: Timestamp
    ) -> ConversationState {
        var next = state
        next.queue = queue
        if queue == .resolved {
            next.ownerID = nil
            next.deadline = nil
            next.limitSeconds = nil
        } else if let limit = settings.limit(for: queue) {
            next.limitSeconds = limit.seconds
            next.deadline = now + limit.milliseconds
        } else {
            next.limitSeconds = nil
            next.deadline = nil
        }
        return next
    }

    /// A customer's message arrives.
    package static func inbound(
        _ state: ConversationState?, settings: AutoResolveSettings,
        now: Timestamp
    ) -> (ConversationState, InboundEffect) {
        guard let state else {
            return (enter(.new, from: ConversationState(queue: .new), settings: settings, now: now), .created)
        }
        switch state.queue {
        case .resolved:
            var next = enter(.new, from: state, settings: settings, now: now)
            next.ownerID = nil
            return (next, .reopened)
        case .pending:
            return (enter(.new, from: state, settings: settings, now: now), .returnedToNew)
        case .new:
            return (activity(state, now: now), .stayed)
        }
    }

    /// Any new message (either way) moves the deadline by the limit the conversation entered with.
    package static func activity(_ state: ConversationState, now: Timestamp) -> ConversationState {
        var next = state
        if let limit = state.limitSeconds, state.queue != .resolved {
            next.deadline = now + limit * 1000
        }
        return next
    }

    /// An agent's reply: it does not move the queue; it moves the deadline; with auto-ownership on,
    /// the first replier of an unowned conversation becomes its owner.
    package static func outbound(
        _ state: ConversationState, replier: Int64, autoOwnership: Bool,
        now: Timestamp
    ) -> ConversationState {
        var next = activity(state, now: now)
        if autoOwnership && next.ownerID == nil && next.queue != .resolved {
            next.ownerID = replier
        }
        return next
    }

    /// An agent moves the conversation. Moving to its own queue changes nothing.
    package static func move(
        _ state: ConversationState, to queue: Queue, settings: AutoResolveSettings,
        now: Timestamp
    ) -> ConversationState {
        guard state.queue != queue else { return state }
        return enter(queue, from: state, settings: settings, now: now)
    }

    /// Is the conversation past its deadline?
    package static func isDue(_ state: ConversationState, now: Timestamp) -> Bool {
        guard state.queue != .resolved, let deadline = state.deadline else { return false }
        return deadline <= now
    }
}
