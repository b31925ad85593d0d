import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// What a viewer of one channel sees of the rest of the organisation, and how a session reports
/// itself after an impersonation.
@Suite struct VisibilityTests {
    let shell: Shell
    let io = BufferIO()

    init() throws {
        shell = try TestShell.make(
            io: io,
            setup: [
                "init ada@acme.example --name Ada --sandbox",
                "user add vic@acme.example --name Vic",
                "user add sam@acme.example --name Sam",
                "channel add twitter --handle @acme_help",
                "channel add twitter --handle @acme_secret --display-name \"Secret Sales Desk\"",
                "team add Sales", "team channel add Sales @acme_secret",
                "team member add Sales sam@acme.example supervisor",
                "channel grant @acme_help vic@acme.example viewer",
                "channel grant @acme_help ada@acme.example supervisor",
                "channel grant @acme_secret ada@acme.example supervisor",
                "conversation inbound @acme_help --from @carol \"hello\"",
                "conversation inbound @acme_secret --from @dave \"about the merger\"",
                "conversation tag 2 merger-project-x", "conversation tag 1 late",
            ])
    }

    /// Runs a line as vic; returns (succeeded, stdout + stderr of that line alone).
    func asVic(_ line: String, json: Bool = false) throws -> (Bool, String) {
        try shell.session.startAs(email: "vic@acme.example")
        shell.session.format = json ? .json : .table
        io.stdout = []
        io.stderr = []
        let ok = shell.execute(line: line)
        return (ok, io.outText + io.errText)
    }

    @Test func aUserShowsOnlyTheirVisibleTeamsAndGrants() throws {
        let (ok, text) = try asVic("user show ada@acme.example")
        #expect(ok)
        #expect(text.contains("@acme_help") && !text.contains("acme_secret"), "\(text)")
        #expect(!text.contains("password"), "whether ada has a password is hers and her admins' business: \(text)")
        let (own, mine) = try asVic("user show me")
        #expect(own && mine.contains("password"))
    }

    @Test func teamsAndPeopleBeyondTheirChannelsDoNotExistForAnAgent() throws {
        let (ok, text) = try asVic("team show Sales")
        #expect(!ok && text.hasSuffix("error: no team 'Sales' that you can see"), "\(text)")
        let (_, absent) = try asVic("team show Nothing")
        #expect(absent.hasSuffix("error: no team 'Nothing' that you can see"))
        let (listed, teams) = try asVic("team list", json: true)
        #expect(listed && teams == "[]")
        let (_, sam) = try asVic("user show sam@acme.example")
        #expect(sam.hasSuffix("error: no user 'sam@acme.example' that you can see"), "\(sam)")
        let (_, users) = try asVic("user list", json: true)
        #expect(users.contains("ada@acme.example") && users.contains("vic@acme.example") && !users.contains("sam@"))
    }

    @Test func aConversationOrChannelWithoutARoleAnswersLikeOneThatNeverExisted() throws {
        for (secret, absent) in [
            ("conversation show 2", "conversation show 99"),
            ("conversation untag 2 merger-project-x", "conversation untag 99 merger-project-x"),
            ("channel show \"#2\"", "channel show \"#99\""),
            ("who-can reply \"#2\"", "who-can reply \"#99\""),
            ("channel show @acme_secret", "channel show @acme_nothing"),
            ("can me view 2", "can me view 99"),
        ] {
            let (ok, a) = try asVic(secret)
            let (_, b) = try asVic(absent)
            #expect(!ok && !a.contains("Secret Sales") && !a.contains("merger"), "\(secret): \(a)")
            let norm = { (s: String) in
                s.replacingOccurrences(of: "99", with: "2").replacingOccurrences(of: "nothing", with: "secret")
            }
            #expect(norm(b) == a, "\(secret): \(a) vs \(b)")
        }
        let (_, refused) = try asVic("conversation show 2")
        #expect(refused.hasSuffix("no conversation 2 that you can see (`conversation list` shows yours)"))
    }

    @Test func anAdminWithoutARoleIsToldTheRule() throws {
        #expect(shell.execute(line: "channel revoke @acme_secret ada@acme.example"))
        io.stderr = []
        #expect(!shell.execute(line: "conversation show 2"))
        #expect(io.errText.contains("refused") && io.errText.contains("@acme_secret"), "\(io.errText)")
    }

    @Test func completionOffersOnlyVisibleNames() throws {
        try shell.session.startAs(email: "vic@acme.example")
        let completer = Completer(shell: shell)
        func candidates(_ marked: String) throws -> [String] {
            let r = try completer.complete(marked: marked)
            return r.candidates.isEmpty && !r.insertion.isEmpty ? [r.insertion] : r.candidates
        }
        #expect(try candidates("conversation tag 1 ⏐") == ["late"])
        #expect(try candidates("conversation list --tag ⏐") == ["late"])
        #expect(try candidates("conversation untag 2 ⏐").isEmpty)
        #expect(try candidates("team show ⏐").isEmpty)
        #expect(try !candidates("user show ⏐").contains("sam@acme.example"))
        #expect(try candidates("conversation show ⏐") == ["1"])
        // Logged out, nothing of the organisation exists.
        shell.session.setUser(nil, impersonator: nil, kind: "none")
        #expect(try candidates("login ⏐").isEmpty)
        #expect(try candidates("team show ⏐").isEmpty)
        #expect(try candidates("conversation list --topic ⏐").isEmpty)
    }

    @Test func theSessionKindIsHowTheSessionBegan() throws {
        try shell.session.startAs(email: "ada@acme.example")
        #expect(shell.execute(line: "login vic@acme.example"))
        #expect(shell.session.sessionKind == "impersonation")
        #expect(shell.execute(line: "logout"))
        #expect(shell.session.sessionKind == "--as")
        #expect(shell.execute(line: "login vic@acme.example; login ada@acme.example"))
        #expect(shell.session.sessionKind == "--as")
        shell.session.format = .json
        io.stdout = []
        #expect(shell.execute(line: "user add zoe@acme.example --name Zoe; audit --limit 1"))
        #expect(io.outText.contains("\"session\":\"--as\""), "\(io.outText)")
    }
}
