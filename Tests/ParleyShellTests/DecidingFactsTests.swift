import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// A command on a conversation decides from the memberships that reach its channel only
/// (`AccessRepository.decidingFacts`); every decision must be the one all the facts give, and a
/// refusal still explains itself from all of them.
@Suite struct DecidingFactsTests {
    static let setup = [
        "init ada@acme.example --name Ada --sandbox",
        "user add cora@acme.example --name Cora", "user add vic@acme.example --name Vic",
        "user add otto@acme.example --name Otto", "user add dana@acme.example --name Dana",
        "channel add twitter --handle @acme_help", "channel add twitter --handle @acme_news",
        "channel add twitter --handle @acme_all", "channel add twitter --handle @acme_open",
        "channel edit @acme_all --all-teams on", "channel edit @acme_open --all-users on --all-users-role viewer",
        "team add Support", "team add Sales", "team add Night",
        "team channel add Support @acme_help", "team channel add Sales @acme_news",
        "team member add Support cora@acme.example contributor", "team member add Sales cora@acme.example viewer",
        "team member add Night cora@acme.example supervisor", "team member add Night vic@acme.example viewer",
        "team member add Support vic@acme.example viewer",
        "channel grant @acme_news vic@acme.example supervisor", "user disable dana@acme.example",
    ]

    @Test func decisionsAreTheOnesAllTheFactsGive() throws {
        let io = BufferIO()
        let shell = try TestShell.make(io: io, setup: Self.setup)
        try shell.session.database.withConnection { db in
            let users = try UserRepository.list(db)
            let channels = try ChannelRepository.list(db)
            #expect(users.count == 5 && channels.count == 4)
            for user in users {
                for channel in channels {
                    let all = try AccessRepository.facts(db, user: user, channel: channel)
                    let deciding = try AccessRepository.decidingFacts(db, user: user, channel: channel)
                    for action in Action.allCases {
                        let a = AccessPolicy.decide(action, all)
                        let d = AccessPolicy.decide(action, deciding)
                        #expect(
                            a.allowed == d.allowed && a.rule == d.rule, "\(user.email) \(channel.atHandle) \(action)")
                    }
                }
            }
        }
    }

    @Test func aRefusalIsExplainedFromAllTheFacts() throws {
        let io = BufferIO()
        let shell = try TestShell.make(
            io: io, setup: Self.setup + ["conversation inbound @acme_help --from @carol hi", "login vic@acme.example"])
        io.stderr = []
        #expect(!shell.execute(line: "conversation reply 1 hi"))
        // Night does not reach @acme_help: only all the facts know there is a team without it.
        #expect(
            io.errText.contains(
                "is viewer on @acme_help (via team Support; no direct grant; All Users off; All Teams off)"),
            "\(io.errText)")
    }
}
