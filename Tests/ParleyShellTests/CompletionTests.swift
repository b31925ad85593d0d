import Testing
import ParleyCore
import ParleyStore
@testable import ParleyShell

/// Completion on plain strings: cursor positions, quotes, escapes, access.
@Suite struct CompletionTests {
    let shell: Shell
    let io = BufferIO()

    init() throws {
        let db = try ParleyDatabase(path: ":memory:")
        let session = Session(database: db, io: io, systemClock: FixedClock(1_700_000_000_000), environment: ["PARLEY_KDF_ROUNDS": "1024"])
        shell = Shell(session: session)
        for line in [
            "init ada@acme.example --name Ada --sandbox",
            "user add vic@acme.example --name Vic", "user add victor@acme.example --name Victor",
            "channel add twitter --handle @acme_help --display-name \"Acme Help Desk\"",
            "channel add twitter --handle @acme_news --display-name \"Acme News\"",
            "channel add twitter --handle @secret_ops --display-name \"Secret Ops\"",
            "channel grant @acme_help vic@acme.example viewer",
            "team add Support", "team add \"Night Shift\"", "topic add Billing",
            "conversation inbound @acme_help --from @carol hi", "conversation inbound @secret_ops --from @dave hi",
        ] {
            #expect(shell.execute(line: line), "\(line): \(io.errText)")
        }
    }

    func complete(_ line: String, cursor: Int? = nil) -> Completion {
        Completer(shell: shell).complete(line: line, cursor: cursor ?? line.count)
    }

    @Test func commandWords() {
        let r = complete("conv")
        #expect(r.insertion == "conversation" && r.complete && r.replaceFrom == 0)
        let sub = complete("conversation li")
        #expect(sub.insertion == "list" && sub.replaceFrom == 13)
        let several = complete("user ")
        #expect(several.candidates == ["add", "disable", "edit", "enable", "list", "password", "show"])
        #expect(!several.complete && several.insertion == "")
        let none = complete("frobnicate ")
        #expect(none.candidates.isEmpty)
    }

    @Test func optionsAndTheirValues() {
        #expect(complete("conversation list --qu").insertion == "--queue")
        #expect(complete("conversation list --queue ").candidates == ["new", "pending", "resolved"])
        #expect(complete("conversation list --queue p").insertion == "pending")
        #expect(complete("conversation list --queue=p").insertion == "--queue=pending")
        #expect(complete("channel edit @acme_help --all-users ").candidates == ["off", "on"])
        #expect(complete("team member add Support vic@acme.example ").candidates == ["contributor", "supervisor", "viewer"])
        // Options already given are not offered again.
        #expect(!complete("conversation list --queue new --").candidates.contains("--queue"))
        #expect(complete("set output ").candidates == ["csv", "json", "table"])
    }

    @Test func liveNames() {
        #expect(complete("user show vic").candidates == ["vic@acme.example", "victor@acme.example"])
        #expect(complete("user show vic").insertion == "")  // "vic@" and "vict" share only "vic"
        #expect(complete("user show vic@").insertion == "vic@acme.example")
        #expect(complete("team show Nig").insertion == "\"Night Shift\"")
        #expect(complete("conversation topic 1 Bil").insertion == "Billing")
        #expect(complete("conversation list --owner ").candidates.contains("none"))
    }

    @Test func displayNamesWithBlanksAreQuoted() {
        #expect(complete("channel show \"Acme H").insertion == "\"Acme Help Desk\"")
        let common = complete("channel show Acme")
        #expect(common.candidates == ["Acme Help Desk", "Acme News"])
        #expect(common.insertion == "\"Acme ")
        #expect(complete("channel show @acme_n").insertion == "@acme_news")
    }

    @Test func cursorInTheMiddleCompletesTheWordBeforeIt() {
        let line = "conversation li --queue new"
        let r = complete(line, cursor: 15)
        #expect(r.insertion == "list" && r.replaceFrom == 13)
    }

    @Test func aViewerIsOfferedOnlyTheirChannelsAndConversations() throws {
        try shell.session.startAs(email: "vic@acme.example")
        let channels = complete("channel show ").candidates
        #expect(channels.contains("@acme_help") && channels.contains("Acme Help Desk"))
        #expect(!channels.contains("@secret_ops") && !channels.contains("Secret Ops"))
        #expect(complete("conversation show ").candidates == ["1"])
    }

    @Test func filePathsAfterSource() throws {
        let dir = FileManagerTemp.make()
        try "x".write(toFile: dir + "/setup.parley", atomically: true, encoding: .utf8)
        #expect(complete("source \(dir)/set").insertion == "\(dir)/setup.parley")
    }

    @Test func aFolderWithBlanksKeepsItsQuoteOpenSoTabGoesOnInside() throws {
        let dir = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: dir + "/dir with space", withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/dir with space/a.parley", atomically: true, encoding: .utf8)
        let folder = complete("source \(dir)/di")
        #expect(folder.insertion == "\"\(dir)/dir with space/" && !folder.complete)
        #expect(folder.replaceFrom == "source ".count)
        let file = complete("source \"\(dir)/dir with space/")
        #expect(file.insertion == "\"\(dir)/dir with space/a.parley\"" && file.complete)
        let typed = complete("source \"\(dir)/dir with space/a")
        #expect(typed.insertion == "\"\(dir)/dir with space/a.parley\"" && typed.complete)
        #expect(typed.replaceFrom == "source ".count)
    }

    @Test func aHomePathCompletesUnderHOME() throws {
        let home = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: home + "/my scripts", withIntermediateDirectories: true)
        shell.session.environment["HOME"] = home
        let r = complete("source ~/my")
        #expect(r.insertion == "\"~/my scripts/" && !r.complete)
    }

    @Test func aFolderWithoutBlanksGetsNoBlankAfterIt() throws {
        let dir = FileManagerTemp.make()
        try FileManager.default.createDirectory(atPath: dir + "/scripts", withIntermediateDirectories: true)
        let r = complete("source \(dir)/scr")
        #expect(r.insertion == "\(dir)/scripts/" && !r.complete)
    }
}

import Foundation
import ParleyTestSupport
enum FileManagerTemp {
    static func make() -> String {
        let p = NSTemporaryDirectory() + "parley-completion-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
