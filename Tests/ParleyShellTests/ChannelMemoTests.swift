import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// A session keeps the channels its user reaches from one command to the next while the
/// database is unchanged (`ChannelMemo`): a change made in between, by another parley or by the
/// session itself, is seen at the very next command.
@Suite struct ChannelMemoTests {
    let location: String
    let folder: String?
    let vic: Shell
    let vicIO = BufferIO()
    let admin: Shell
    let adminIO = BufferIO()

    init() throws {
        if TestStore.isPostgres {
            location = try TestStore.newDatabase()
            folder = nil
        } else {
            let dir = NSTemporaryDirectory() + "parley-memo-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            location = dir + "/parley.db"
            folder = dir
        }
        let setup = try TestShell.make(
            path: location, io: BufferIO(),
            setup: [
                "init ada@acme.example --name Ada --sandbox",
                "user add vic@acme.example --name Vic",
                "channel add twitter --handle @acme_help",
                "channel add twitter --handle @acme_shop",
                "team add Support", "team channel add Support @acme_shop",
                "team member add Support vic@acme.example viewer",
                "channel grant @acme_help vic@acme.example viewer",
                "conversation inbound @acme_help --from @carol \"hello\"",
                "conversation inbound @acme_shop --from @dave \"where is my order\"",
            ])
        // Closed, it leaves the file whole for the two parleys below, each with its own connection.
        setup.session.database.close()
        admin = try TestShell.make(path: location, io: adminIO)
        try admin.session.startAs(email: "ada@acme.example")
        vic = try TestShell.make(path: location, io: vicIO)
        try vic.session.startAs(email: "vic@acme.example")
        vic.session.format = .json
    }

    func cleanUp() {
        admin.session.database.close()
        vic.session.database.close()
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// The conversations `conversation list` shows vic, by contact.
    func vicsList() throws -> String {
        vicIO.stdout = []
        vicIO.stderr = []
        #expect(vic.execute(line: "conversation list"), "\(vicIO.errText)")
        return vicIO.outText
    }

    func asAdmin(_ line: String) {
        #expect(admin.execute(line: line), "\(line): \(adminIO.errText)")
    }

    @Test func aGrantTakenAwayByAnotherConnectionIsSeenAtTheNextCommand() throws {
        defer { cleanUp() }
        for _ in 0..<2 {
            let both = try vicsList()
            #expect(both.contains("@carol") && both.contains("@dave"), "\(both)")
        }
        asAdmin("channel revoke @acme_help vic@acme.example")
        let shop = try vicsList()
        #expect(!shop.contains("@carol") && shop.contains("@dave"), "\(shop)")
        asAdmin("team member remove Support vic@acme.example")
        #expect(try vicsList() == "[]")
        asAdmin("team member add Support vic@acme.example viewer")
        #expect(try vicsList().contains("@dave"))
        asAdmin("user disable vic@acme.example")
        vicIO.stdout = []
        #expect(!vic.execute(line: "conversation list"), "a disabled user lists nothing: \(vicIO.outText)")
    }

    @Test func aChangeOfTheSessionItselfIsSeenAndOneRolledBackIsForgotten() throws {
        defer { cleanUp() }
        admin.session.format = .json
        func adasList() -> String {
            adminIO.stdout = []
            #expect(admin.execute(line: "conversation list"), "\(adminIO.errText)")
            return adminIO.outText
        }
        #expect(!adasList().contains("@carol"))
        asAdmin("begin")
        asAdmin("channel grant @acme_help ada@acme.example viewer")
        #expect(adasList().contains("@carol"))
        asAdmin("rollback")
        #expect(!adasList().contains("@carol"), "the grant was rolled back")
        asAdmin("channel grant @acme_help ada@acme.example viewer")
        #expect(adasList().contains("@carol"))
        asAdmin("channel revoke @acme_help ada@acme.example")
        #expect(!adasList().contains("@carol"))
    }
}
