import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// Completion on plain strings: cursor positions, quotes, escapes, access.
@Suite struct CompletionTests {
    let shell: Shell
    let io = BufferIO()

    init() throws {
        shell = try TestShell.make(
            io: io,
            setup: [
                "init ada@acme.example --name Ada --sandbox",
                "user add vic@acme.example --name Vic", "user add victor@acme.example --name Victor",
                "channel add twitter --handle @acme_help --display-name \"Acme Help Desk\"",
                "channel add twitter --handle @acme_news --display-name \"Acme News\"",
                "channel add twitter --handle @secret_ops --display-name \"Secret Ops\"",
                "channel grant @acme_help vic@acme.example viewer",
                "team add Support", "team add \"Night Shift\"", "topic add Billing",
                "conversation inbound @acme_help --from @carol hi", "conversation inbound @secret_ops --from @dave hi",
            ])
    }

    /// Completes `marked` at its cursor, drawn as `⏐` (MarkedText); every line here draws it.
    func complete(_ marked: String) throws -> Completion {
        try Completer(shell: shell).complete(marked: marked)
    }

    @Test func commandWords() throws {
        let r = try complete("conv⏐")
        #expect(r.insertion == "conversation" && r.complete && r.replaceFrom == 0)
        let sub = try complete("conversation li⏐")
        #expect(sub.insertion == "list" && sub.replaceFrom == "conversation ".count)
        let several = try complete("user ⏐")
        #expect(several.candidates == ["add", "disable", "edit", "enable", "list", "password", "show"])
        #expect(!several.complete && several.insertion == "")
        let none = try complete("frobnicate ⏐")
        #expect(none.candidates.isEmpty)
    }

    @Test func optionsAndTheirValues() throws {
        #expect(try complete("conversation list --qu⏐").insertion == "--queue")
        #expect(try complete("conversation list --queue ⏐").candidates == ["new", "pending", "resolved"])
        #expect(try complete("conversation list --queue p⏐").insertion == "pending")
        #expect(try complete("conversation list --queue=p⏐").insertion == "--queue=pending")
        #expect(try complete("channel edit @acme_help --all-users ⏐").candidates == ["off", "on"])
        #expect(
            try complete("team member add Support vic@acme.example ⏐").candidates
                == ["contributor", "supervisor", "viewer"])
        // Options already given are not offered again.
        #expect(try !complete("conversation list --queue new --⏐").candidates.contains("--queue"))
        #expect(try complete("set output ⏐").candidates == ["csv", "json", "table"])
    }

    @Test func liveNames() throws {
        #expect(try complete("user show vic⏐").candidates == ["vic@acme.example", "victor@acme.example"])
        #expect(try complete("user show vic⏐").insertion == "")  // "vic@" and "vict" share only "vic"
        #expect(try complete("user show vic@⏐").insertion == "vic@acme.example")
        #expect(try complete("team show Nig⏐").insertion == "\"Night Shift\"")
        #expect(try complete("conversation topic 1 Bil⏐").insertion == "Billing")
        #expect(try complete("conversation list --owner ⏐").candidates.contains("none"))
    }

    @Test func displayNamesWithBlanksAreQuoted() throws {
        #expect(try complete("channel show \"Acme H⏐").insertion == "\"Acme Help Desk\"")
        let common = try complete("channel show Acme⏐")
        #expect(common.candidates == ["Acme Help Desk", "Acme News"])
        #expect(common.insertion == "\"Acme ")
        #expect(try complete("channel show @acme_n⏐").insertion == "@acme_news")
    }

    @Test func cursorInTheMiddleCompletesTheWordBeforeIt() throws {
        let r = try complete("conversation li⏐ --queue new")
        #expect(r.insertion == "list" && r.replaceFrom == "conversation ".count)
    }

    @Test func aViewerIsOfferedOnlyTheirChannelsAndConversations() throws {
        try shell.session.startAs(email: "vic@acme.example")
        let channels = try complete("channel show ⏐").candidates
        #expect(channels.contains("@acme_help") && channels.contains("Acme Help Desk"))
        #expect(!channels.contains("@secret_ops") && !channels.contains("Secret Ops"))
        #expect(try complete("conversation show ⏐").candidates == ["1"])
    }

    @Test func filePathsAfterSource() throws {
        let dir = FileManagerTemp.make()
        try "x".write(toFile: dir + "/setup.parley", atomically: true, encoding: .utf8)
        #expect(try complete("source \(dir)/set⏐").insertion == "\(dir)/setup.parley")
    }

    @Test func aFolderWithBlanksKeepsItsQuoteOpenSoTabGoesOnInside() throws {
        let dir = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: dir + "/dir with space", withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/dir with space/a.parley", atomically: true, encoding: .utf8)
        let folder = try complete("source \(dir)/di⏐")
        #expect(folder.insertion == "\"\(dir)/dir with space/" && !folder.complete)
        #expect(folder.replaceFrom == "source ".count)
        let file = try complete("source \"\(dir)/dir with space/⏐")
        #expect(file.insertion == "\"\(dir)/dir with space/a.parley\"" && file.complete)
        let typed = try complete("source \"\(dir)/dir with space/a⏐")
        #expect(typed.insertion == "\"\(dir)/dir with space/a.parley\"" && typed.complete)
        #expect(typed.replaceFrom == "source ".count)
    }

    @Test func aHomePathCompletesUnderHOME() throws {
        let home = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: home + "/my scripts", withIntermediateDirectories: true)
        shell.session.environment["HOME"] = home
        let r = try complete("source ~/my⏐")
        #expect(r.insertion == "\"~/my scripts/" && !r.complete)
    }

    @Test func aFolderWithoutBlanksGetsNoBlankAfterIt() throws {
        let dir = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: dir + "/scripts", withIntermediateDirectories: true)
        let r = try complete("source \(dir)/scr⏐")
        #expect(r.insertion == "\(dir)/scripts/" && !r.complete)
    }
}

enum FileManagerTemp {
    static func make() -> String {
        let p = NSTemporaryDirectory() + "parley-completion-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
