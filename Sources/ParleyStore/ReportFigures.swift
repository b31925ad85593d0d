import ParleyCore

/// What a channel's report adds up, per channel and UTC day (`at / 86400000`): the counts, the
/// counts per agent, and the durations of first responses and resolutions (for every agent
/// together, and per agent). parley keeps them in the tables `report_days`, `report_agent_days`,
/// `report_times` and `report_agent_times`, updated in the transaction of each write that changes
/// them (`ReportFigureStore`); `ReportRecount` counts the same from the messages and the queue
/// history.
package struct ReportFigures: Sendable, Equatable {
    package static let dayMs: Int64 = 86_400_000

    package struct Day: Hashable, Sendable {
        package var channelID: Int64
        package var day: Int64
    }

    package struct AgentDay: Hashable, Sendable {
        package var channelID: Int64
        package var day: Int64
        package var agentID: Int64
    }

    package enum Kind: String, Sendable, CaseIterable {
        case firstResponse = "first_response"
        case resolution
    }

    /// The durations of one kind on a day; `agentID` 0 holds every duration of the day, whoever
    /// answered or resolved (auto-resolve included).
    package struct TimesKey: Hashable, Sendable {
        package var channelID: Int64
        package var day: Int64
        package var agentID: Int64
        package var kind: Kind
    }

    package struct Counts: Equatable, Sendable {
        package var inbound: Int64 = 0
        package var outbound: Int64 = 0
        package var newConversations: Int64 = 0
        package var reopened: Int64 = 0
        package var resolved: Int64 = 0

        var isZero: Bool { self == Counts() }

        mutating func add(_ o: Counts, sign: Int64 = 1) {
            inbound += sign * o.inbound
            outbound += sign * o.outbound
            newConversations += sign * o.newConversations
            reopened += sign * o.reopened
            resolved += sign * o.resolved
        }
    }

    package var days: [Day: Counts] = [:]
    /// Only `outbound` (replies by the agent) and `resolved` (resolved by the agent) are kept per agent.
    package var agents: [AgentDay: Counts] = [:]
    package var times: [TimesKey: DurationHistogram] = [:]

    package init() {}

    package static func day(_ t: Timestamp) -> Int64 { t / dayMs }

    package var isEmpty: Bool { days.isEmpty && agents.isEmpty && times.isEmpty }

    mutating func addDay(_ key: Day, _ c: Counts, sign: Int64 = 1) {
        var v = days[key] ?? Counts()
        v.add(c, sign: sign)
        days[key] = v.isZero ? nil : v
    }

    mutating func addAgent(_ key: AgentDay, _ c: Counts, sign: Int64 = 1) {
        var v = agents[key] ?? Counts()
        v.add(c, sign: sign)
        agents[key] = v.isZero ? nil : v
    }

    mutating func addTimes(_ key: TimesKey, _ h: DurationHistogram, sign: Int64 = 1) {
        var v = times[key] ?? DurationHistogram()
        v.merge(h, sign: sign)
        times[key] = v.isEmpty ? nil : v
    }

    /// One duration: counted for the day, and for the agent when there is one.
    mutating func addDuration(
        channelID: Int64, day: Int64, agentID: Int64?, kind: Kind, ms: Int64, sign: Int64 = 1
    ) {
        var h = DurationHistogram()
        h.add(ms)
        addTimes(TimesKey(channelID: channelID, day: day, agentID: 0, kind: kind), h, sign: sign)
        if let agentID {
            addTimes(TimesKey(channelID: channelID, day: day, agentID: agentID, kind: kind), h, sign: sign)
        }
    }

    /// Adds every figure of `other`, times `sign` (1 adds, -1 takes away).
    package mutating func merge(_ other: ReportFigures, sign: Int64 = 1) {
        for (k, v) in other.days { addDay(k, v, sign: sign) }
        for (k, v) in other.agents { addAgent(k, v, sign: sign) }
        for (k, v) in other.times { addTimes(k, v, sign: sign) }
    }

    /// The channels whose figures differ between `self` and `other`.
    package func channelsDiffering(from other: ReportFigures) -> Set<Int64> {
        var diff = self
        diff.merge(other, sign: -1)
        return Set(diff.days.keys.map(\.channelID)).union(diff.agents.keys.map(\.channelID))
            .union(diff.times.keys.map(\.channelID))
    }
}
