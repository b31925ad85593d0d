import Foundation
import GRDB
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyShell
@testable import ParleyStore

/// Text written by customers (posts, DMs, X handles and names) and by other users (names, tags,
/// topics, notes, settings) never reaches the terminal as control or bidi characters; JSON and CSV
/// keep it exact. Every command of the table runs against a world full of such text.
@Suite struct TerminalEscapingTests {
    /// A customer's message: escape sequences, BEL, C1 CSI, DEL, RLO, LRI/PDI, line breaks, CR, tab.
    static let message =
        "hi \u{1b}]0;PWNED\u{07}\u{1b}[2J \u{9b}31m red\u{7f} "
        + "\u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069}\nsecond line\rback\tend"
    /// A DM from X, several lines.
    static let directMessage = "line one\nline \u{1b}[1mtwo\u{1b}[0m\n\u{202d}three"
    /// A mention from X.
    static let mention = "@acme_x help \u{1b}[31mnow\u{1b}[0m \u{202e}reversed"
    /// A handle X sends for a mention's author (parley stores what X says).
    static let xHandle = "ev\u{1b}[8mil\u{9b}0m\u{202e}"
    /// A channel's display name as X gives it.
    static let xDisplayName = "Acme \u{1b}]0;X\u{07}\u{202e}Help"
    /// Names people type: control characters are refused there, C1 and bidi characters are not.
    static let userName = "Eve \u{9b}2J\u{202e}evil\u{2066}x\u{2069}"
    static let teamName = "Night \u{9b}1m\u{202e}Shift"
    static let topicName = "Bill\u{202e}ing\u{9b}"
    static let tag = "vip\u{9b}31m\u{202e}\u{2066}x"
    static let channelName = "Help \u{202e}Desk\u{9b}"
    static let note = "call back \u{1b}[2J\u{07}\nafter \u{202e}5pm\r"
    static let reason = "No reply \u{1b}]0;gone\u{07} \u{202e}ok"
    /// The same hostile text stored where typing refuses it (an older database, another program).
    static let storedName = message

    /// Every value that must come back exactly in JSON and CSV.
    static let planted = [
        message, directMessage, mention, xHandle, xDisplayName, userName, teamName, topicName, tag,
        channelName, note, reason,
    ]

    static let scriptPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("parley-escape-\(ProcessInfo.processInfo.processIdentifier).parley").path

    final class World {
        let io = BufferIO()
        let shell: Shell
        let admin: User

        init(format: OutputFormat) throws {
            let db = try ParleyDatabase(path: ":memory:")
            let session = Session(
                database: db, io: io, systemClock: FixedClock(1_700_000_000_000),
                environment: ["PARLEY_KDF_ROUNDS": "1024", "HOME": "/nonexistent"])
            session.loginFailureDelayMs = 0
            shell = Shell(session: session)
            let q = Tokenizer.quote
            let setup = [
                "init ada@acme.example --name \(q(TerminalEscapingTests.userName)) --sandbox",
                "user add eve@acme.example --name \(q(TerminalEscapingTests.userName))",
                "channel add twitter --handle @acme_help --display-name \(q(TerminalEscapingTests.channelName))",
                "channel grant @acme_help ada@acme.example supervisor",
                "channel grant @acme_help eve@acme.example contributor",
                "team add \(q(TerminalEscapingTests.teamName))",
                "team member add \(q(TerminalEscapingTests.teamName)) eve@acme.example supervisor",
                "team channel add \(q(TerminalEscapingTests.teamName)) @acme_help",
                "topic add \(q(TerminalEscapingTests.topicName))",
                "channel edit @acme_help --resolve-reason \(q(TerminalEscapingTests.reason)) --auto-resolve-new 1h",
                "conversation inbound @acme_help --from @evil \(q(TerminalEscapingTests.message))",
                "conversation inbound @acme_help --from @mallory --dm \(q(TerminalEscapingTests.directMessage))",
                "conversation tag 1 \(q(TerminalEscapingTests.tag))",
                "conversation topic 1 \(q(TerminalEscapingTests.topicName))",
                "conversation note 1 \(q(TerminalEscapingTests.note))",
                "conversation assign 1 eve@acme.example",
                "conversation reply 1 \(q(TerminalEscapingTests.message))",
                "clock advance 2h",
                "conversation inbound @acme_help --from @later \(q(TerminalEscapingTests.message))",
            ]
            for line in setup {
                #expect(shell.execute(line: line), "\(line): \(io.errText)")
            }
            // A connected X channel whose name, handles and texts come from X.
            let api = FakeXAPI()
            try db.withConnection { db in
                let c = try ChannelRepository.insert(
                    db, kind: .twitter, handle: "acme_x", accountID: "100",
                    displayName: TerminalEscapingTests.xDisplayName, now: 0)
                try ChannelRepository.setCredentials(db, id: c.id, ChannelCredentials(kind: "oauth2", accessToken: "a"))
            }
            api.mentionsData = [
                XInboundTweet(
                    id: "2001", authorID: "7", authorUsername: TerminalEscapingTests.xHandle,
                    text: TerminalEscapingTests.mention, createdAt: 1_699_000_000_000)
            ]
            api.dms = [
                XDirectMessage(
                    id: "3001", senderID: "8", conversationID: "8-100",
                    senderUsername: TerminalEscapingTests.xHandle + "dm",
                    text: TerminalEscapingTests.directMessage, createdAt: 1_699_000_000_000)
            ]
            session.channelAPIProvider = { _, _, _ in api }
            for line in ["channel grant @acme_x ada@acme.example supervisor", "channel sync @acme_x"] {
                #expect(shell.execute(line: line), "\(line): \(io.errText)")
            }
            // What typing refuses, stored anyway: every name field holds raw controls too.
            let stored = TerminalEscapingTests.storedName
            try db.withConnection { db in
                try db.run(
                    sql: "INSERT INTO users (email, name, role, created_at) VALUES (?, ?, 'agent', 0)",
                    arguments: ["mal@acme.example", stored])
                try db.run(sql: "INSERT INTO teams (name, created_at) VALUES (?, 0)", arguments: [stored])
                try db.run(sql: "INSERT INTO topics (name) VALUES (?)", arguments: [stored])
                try db.run(
                    sql: "INSERT INTO conversation_tags (conversation_id, tag) VALUES (1, ?)",
                    arguments: [stored])
                try db.run(
                    sql: "INSERT INTO conversation_topics (conversation_id, topic_id) "
                        + "SELECT 1, id FROM topics WHERE name = ?", arguments: [stored])
                try db.run(
                    sql: "INSERT INTO channel_grants (channel_id, user_id, role) "
                        + "SELECT 1, id, 'viewer' FROM users WHERE email = 'mal@acme.example'")
            }
            session.historyProvider = { ["conversation note 1 " + Tokenizer.quote(TerminalEscapingTests.note)] }
            let script =
                "conversation show 1\nconversation note 1 \(q(TerminalEscapingTests.note))\nfrobnicate "
                + q(TerminalEscapingTests.message) + "\n"
            try script.write(toFile: TerminalEscapingTests.scriptPath, atomically: true, encoding: .utf8)
            admin = session.user!
            session.format = format
            session.onError = .continue
            io.stdout.removeAll()
            io.stderr.removeAll()
        }

        /// Runs one line, then puts the session back as it was (a command may log in, switch output, exit).
        func run(_ line: String, format: OutputFormat) {
            shell.execute(line: line)
            let session = shell.session
            session.setUser(admin, impersonator: nil, kind: "init")
            session.format = format
            session.onError = .continue
            shell.exitRequested = false
        }
    }

    /// A plausible word for a value of this kind, quoted for the command line.
    static func value(_ kind: ValueKind) -> String {
        if let choices = kind.choices { return choices[0] }
        let q = Tokenizer.quote
        switch kind {
        case .text: return q(message)
        case .newEmail: return "new@acme.example"
        case .user: return "eve@acme.example"
        case .channel: return "@acme_help"
        case .team: return q(teamName)
        case .topic: return q(topicName)
        case .tag: return q(tag)
        case .conversation: return "1"
        case .duration: return "1d"
        case .durationOrOff: return "2h"
        case .file: return q(scriptPath)
        case .handle: return "@evil"
        case .number: return "1"
        default: return q(message)
        }
    }

    /// Command lines for a command: its required words, all its words, and all its words with each option.
    static func lines(for spec: CommandSpec) -> [String] {
        let required = spec.args.filter { !$0.optional }.map { value($0.kind) }
        let all = spec.args.map { value($0.kind) }
        var lines = [(spec.path + required).joined(separator: " "), (spec.path + all).joined(separator: " ")]
        for option in spec.options {
            let words = ["--" + option.name] + (option.kind.map { [value($0)] } ?? [])
            lines.append((spec.path + all + words).joined(separator: " "))
        }
        // The other conversations: a DM typed in the sandbox, a mention and a DM synced from X.
        if spec.args.contains(where: { $0.kind == .conversation }) {
            for id in ["2", "4", "5"] {
                let words = spec.args.map { $0.kind == .conversation ? id : value($0.kind) }
                lines.append((spec.path + words).joined(separator: " "))
            }
        }
        return lines
    }

    /// Every command, `exit` and `quit` last, with what it printed on stdout and stderr.
    static func walk(_ format: OutputFormat) throws -> [(line: String, out: [String], err: [String])] {
        let specs = CommandTable.standard.commands
        var results: [(line: String, out: [String], err: [String])] = []
        for spec in specs {
            let world = try World(format: format)
            #expect(world.shell.table.commands.count == specs.count)
            for line in lines(for: spec) {
                world.io.stdout.removeAll()
                world.io.stderr.removeAll()
                world.run(line, format: format)
                results.append((line, world.io.stdout, world.io.stderr))
            }
        }
        return results
    }

    static func unsafeScalars(_ text: String) -> [String] {
        let unsafe = text.unicodeScalars.filter { $0 != "\n" && TerminalText.isUnsafe($0) }
        return unsafe.map { "U+" + String($0.value, radix: 16) }
    }

    @Test func tableModeShowsNoControlOrBidiCharacterRaw() throws {
        let results = try Self.walk(.table)
        for r in results {
            // BufferIO keeps each write as one entry; the terminal gets each entry plus a line feed.
            for entry in r.out + r.err {
                #expect(Self.unsafeScalars(entry).isEmpty, "\(r.line) printed \(Self.unsafeScalars(entry)): \(entry)")
            }
        }
        // Most lines ran: the walk reached the commands' output, not only their errors.
        let succeeded = results.filter { $0.err.isEmpty && !$0.out.isEmpty }
        #expect(succeeded.count * 2 > results.count, "\(succeeded.count) of \(results.count) lines printed output")
        if ProcessInfo.processInfo.environment["PARLEY_ESCAPE_DUMP"] != nil {
            for r in results { print(">>> " + r.line + "\n" + (r.out + r.err).joined(separator: "\n")) }
        }
        // The hostile text is shown, escaped, where it belongs.
        let show = results.first { $0.line == "conversation show 1" }!
        let text = show.out.joined(separator: "\n")
        #expect(text.contains("hi \\u{1b}]0;PWNED\\u{7}\\u{1b}[2J \\u{9b}31m red\\u{7f} \\u{202e}gnp.exe"))
        #expect(text.contains("\\u{2066}iso\\u{2069}\\nsecond line\\rback\\tend"))
        #expect(text.contains("Bill\\u{202e}ing\\u{9b}") && text.contains("call back \\u{1b}[2J\\u{7}\\nafter"))
        // A sentence naming a value with a line break stays one line.
        let tagged = results.first { $0.line.hasPrefix("conversation tag 1 ") }!
        #expect(tagged.out.count == 1 && !tagged.out[0].contains("\n"), "\(tagged.out)")
        #expect(tagged.out[0].contains("\\nsecond line\\rback\\tend"))
        let reason = results.first { $0.line.hasPrefix("channel edit @acme_help --resolve-reason") }!
        #expect(reason.out == ["@acme_help: resolve-reason " + TerminalText.escaped(Self.message)])
        let listed = results.first { $0.line == "conversation list" }!.out.joined(separator: "\n")
        #expect(listed.contains("ev\\u{1b}[8mil\\u{9b}0m\\u{202e}"))
    }

    @Test func jsonKeepsTheExactText() throws {
        let results = try Self.walk(.json)
        var strings = Set<String>()
        func collect(_ any: Any) {
            if let s = any as? String { strings.insert(s) }
            if let a = any as? [Any] { a.forEach(collect) }
            if let o = any as? [String: Any] {
                for key in o.keys { strings.insert(key) }
                o.values.forEach(collect)
            }
        }
        for r in results {
            for entry in r.out + r.err {
                // JSON escapes every control and bidi character: even JSON is safe at a terminal.
                #expect(Self.unsafeScalars(entry).isEmpty, "\(r.line) printed \(Self.unsafeScalars(entry)): \(entry)")
                let data = Data(entry.utf8)
                if let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
                    collect(parsed)
                }
            }
        }
        for value in Self.planted + [Self.storedName] {
            #expect(
                strings.contains(value) || strings.contains("@" + value),
                "JSON never carried \(value.debugDescription)")
        }
        #expect(strings.contains(Self.message))
        #expect(strings.contains(Self.tag) && strings.contains(Self.topicName) && strings.contains(Self.note))
        #expect(strings.contains(Self.reason) && strings.contains(Self.xDisplayName))
        #expect(strings.contains("@" + Self.xHandle) && strings.contains(Self.mention))
        #expect(!strings.contains { $0.contains("\\u{") }, "JSON holds terminal notation instead of the text")
    }

    @Test func csvKeepsTheExactText() throws {
        let results = try Self.walk(.csv)
        var fields = Set<String>()
        for r in results {
            for entry in r.out {
                for row in Self.parseCSV(entry) { fields.formUnion(row) }
            }
        }
        for value in [
            Self.message, Self.directMessage, Self.tag, Self.topicName, Self.note, Self.reason,
            Self.xDisplayName, Self.channelName, Self.userName, Self.teamName, Self.storedName,
        ] {
            #expect(
                fields.contains(value) || fields.contains { $0.contains(value) },
                "CSV never carried \(value.debugDescription)")
        }
        #expect(fields.contains(Self.message) && fields.contains(Self.userName) && fields.contains(Self.xDisplayName))
    }

    @Test func csvQuotesFieldsWithNewlinesQuotesAndCommas() {
        let csv = Renderer.csvRows([["a", "b\nc", "d\"e", "f,g", "\u{1b}[2J"]])
        #expect(csv == "a,\"b\nc\",\"d\"\"e\",\"f,g\",\u{1b}[2J")
        #expect(Self.parseCSV(csv) == [["a", "b\nc", "d\"e", "f,g", "\u{1b}[2J"]])
    }

    @Test func jsonRoundTripsC1AndBidiCharacters() throws {
        let text = "\u{9b}\u{85}\u{202e}\u{2066}\u{2069}\u{7f}\u{1b}\u{2028}é😀"
        let json = Value.object([("t", .string(text))]).json
        #expect(Self.unsafeScalars(json).isEmpty)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(decoded?["t"] == text)
    }

    @Test func oneEscapingNotation() {
        #expect(
            TerminalText.escaped("a\nb\tc\rd\u{1b}e\u{9b}f\u{7f}\u{202e}\u{2066}")
                == "a\\nb\\tc\\rd\\u{1b}e\\u{9b}f\\u{7f}\\u{202e}\\u{2066}")
        #expect(TerminalText.escapedLines("a\nb\u{1b}\r") == "a\nb\\u{1b}\\r")
        #expect(TerminalText.escaped("plain é 😀 \u{200f}") == "plain é 😀 \u{200f}")
        #expect(Shell.oneLine("x\u{202e}y") == TerminalText.escaped("x\u{202e}y"))
    }

    @Test func thePromptIsEscaped() throws {
        let db = try ParleyDatabase(path: ":memory:")
        let session = Session(
            database: db, io: BufferIO(), systemClock: FixedClock(1_700_000_000_000),
            environment: ["PARLEY_KDF_ROUNDS": "1024"])
        let shell = Shell(session: session)
        #expect(shell.execute(line: "init ada@acme.example --name Ada --sandbox"))
        try db.withConnection { db in
            try db.run(
                sql: "UPDATE users SET email = ? WHERE id = 1",
                arguments: ["ada\u{1b}]0;x\u{07}@acme.example"])
        }
        #expect(shell.execute(line: "whoami"))
        #expect(session.prompt == "parley(ada\\u{1b}]0;x\\u{7}@acme.example admin)> ")
    }

    /// RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if quoted {
                if c == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        row.append(field)
        rows.append(row)
        return rows
    }
}
