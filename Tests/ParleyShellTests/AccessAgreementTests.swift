import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// Help, completion and enforcement read one requirement per command: for every command of the
/// table and every kind of user, `help` marks the command as lacking exactly when running it on
/// an object the user can see is refused, and Tab offers as arguments only what the user can see.
/// The command lines are built from the table's argument kinds, not picked by hand.
@Suite struct AccessAgreementTests {
    static let setup = [
        "init ada@acme.example --name Ada --sandbox",
        "user add sue@acme.example --name Sue", "user add cole@acme.example --name Cole",
        "user add vic@acme.example --name Vic", "user add nora@acme.example --name Nora",
        "user add dee@acme.example --name Dee", "user add zed@acme.example --name Zed",
        "channel add twitter --handle @acme_help", "channel add twitter --handle @acme_other",
        "topic add Billing",
        "team add Support", "team channel add Support @acme_help",
        "team member add Support sue@acme.example supervisor", "team member add Support cole@acme.example contributor",
        "team member add Support vic@acme.example viewer", "team member add Support dee@acme.example viewer",
        "channel grant @acme_help zed@acme.example viewer",
        "channel grant @acme_help ada@acme.example viewer", "channel grant @acme_other ada@acme.example viewer",
        "conversation inbound @acme_help --from @carol \"hello\"",
        "conversation inbound @acme_other --from @dave \"other\"",
        "conversation tag 1 late",
        "channel revoke @acme_help ada@acme.example", "channel revoke @acme_other ada@acme.example",
    ]

    /// The kinds of user: nil email is a logged-out session.
    static let users: [(kind: String, email: String?)] = [
        ("admin without a channel role", "ada@acme.example"), ("supervisor", "sue@acme.example"),
        ("contributor", "cole@acme.example"), ("viewer", "vic@acme.example"),
        ("agent without a role", "nora@acme.example"), ("disabled", "dee@acme.example"), ("logged out", nil),
    ]

    /// A fresh organisation with the session acting as `email` (disabled after it began, for dee).
    func shell(as email: String?, io: BufferIO) throws -> Shell {
        let shell = try TestShell.make(io: io, setup: Self.setup)
        let session = shell.session
        guard let email else {
            session.setUser(nil, impersonator: nil, kind: "none")
            return shell
        }
        try session.startAs(email: email)
        if email == "dee@acme.example" {
            func find(_ email: String) throws -> User? {
                try session.database.withConnection { db in try UserRepository.find(db, email: email) }
            }
            session.setUser(try find("ada@acme.example"), impersonator: nil, kind: "--as")
            #expect(shell.execute(line: "user disable dee@acme.example"))
            // Dee's session began before: it goes on, as a disabled user.
            session.setUser(try find(email), impersonator: nil, kind: "--as")
        }
        io.stdout = []
        io.stderr = []
        return shell
    }

    /// What the user sees, asked of the one `Visibility` commands resolve names with.
    func sees(_ shell: Shell, _ kind: ValueKind, _ word: String) -> Bool {
        (try? shell.session.database.withConnection { db -> Bool in
            let sight = Visibility(db: db, user: shell.session.user)
            switch kind {
            case .user, .userOrNone:
                if word == "me" || word == "none" { return shell.session.user != nil }
                _ = try sight.user(word)
            case .channel: _ = try sight.channel(word)
            case .conversationOrChannel:
                if Int(word) != nil { _ = try sight.conversation(word) } else { _ = try sight.channel(word) }
            case .conversation: _ = try sight.conversation(word)
            case .team: _ = try sight.team(word)
            case .topic, .tag: return shell.session.user?.enabled == true
            default: return true
            }
            return true
        }) ?? false
    }

    /// A word of the kind, naming an object of the organisation.
    static func word(_ kind: ValueKind, spec: CommandSpec, other: String, me: String) -> String {
        switch kind {
        case .user: return spec.requirement.channelRole != nil ? "me" : other
        case .userOrNone: return "me"
        case .channel, .conversationOrChannel: return "@acme_help"
        case .conversation: return "1"
        case .team: return "Support"
        case .topic: return "Billing"
        case .tag: return "late"
        case .newEmail: return "new@acme.example"
        case .file: return "/nonexistent/parley-test"
        case .handle: return "@carol"
        case .number: return "1"
        case .duration, .durationOrOff: return "1d"
        default: return kind.choices?.first ?? "hello"
        }
    }

    /// Whether an argument of this kind names the object the requirement is about.
    func isObject(_ kind: ValueKind, of requirement: Requirement) -> Bool {
        switch requirement {
        case .selfOrAdmin: return kind == .user
        case .onChannel, .onChannelOrAdmin: return kind == .channel
        default: return false
        }
    }

    /// A refusal: by the rules, or because the object named does not exist for the user.
    static func refused(_ error: String) -> Bool {
        error.contains("refused: no — ") || error.contains("not logged in")
            || error.contains("is disabled: a disabled user") || error.contains("that you can see")
            || error.contains("works only on a sandbox")
    }

    /// `help`'s mark for each command, as the overview prints it.
    func marks(_ shell: Shell, _ io: BufferIO) -> [String: String] {
        io.stdout = []
        #expect(shell.execute(line: "help"))
        var out: [String: String] = [:]
        for spec in shell.table.commands {
            let head = "  " + spec.name.padding(toLength: 24, withPad: " ", startingAt: 0) + spec.summary
            let lines = io.stdout.joined(separator: "\n").split(separator: "\n")
            guard let line = lines.first(where: { $0.hasPrefix(head) }) else { continue }
            let rest = line.dropFirst(head.count)
            out[spec.name] = rest.hasPrefix("  [") ? String(rest.dropFirst(3).dropLast()) : ""
        }
        return out
    }

    @Test(arguments: users.map(\.kind))
    func helpAndEnforcementAgreeOnEveryCommand(_ kind: String) throws {
        let email = Self.users.first { $0.kind == kind }!.email
        let io = BufferIO()
        let markShell = try shell(as: email, io: io)
        let marks = marks(markShell, io)
        for spec in CommandTable.standard.commands {
            let mark = try #require(marks[spec.name], "\(spec.name) is in help's overview")
            let lacking = mark.hasPrefix("needs")
            var lines: [(line: String, expectRefused: Bool)] = []
            let subjects: [String]
            if case .selfOrAdmin = spec.requirement {
                // About oneself it runs; about another user, only an admin's.
                subjects = [email ?? "zed@acme.example", "zed@acme.example"]
            } else {
                subjects = ["zed@acme.example"]
            }
            for (n, subject) in subjects.enumerated() {
                let probe = try shell(as: email, io: BufferIO())
                var words = spec.path
                var allSeen = true
                for arg in spec.args where !arg.optional || isObject(arg.kind, of: spec.requirement) {
                    let w = Self.word(arg.kind, spec: spec, other: subject, me: email ?? "")
                    if !arg.asTyped && !sees(probe, arg.kind, w) { allSeen = false }
                    words.append(Tokenizer.quote(w))
                }
                if case .onChannel = spec.requirement, !spec.args.contains(where: { $0.kind == .channel }),
                    spec.option(named: "channel") != nil
                {
                    words += ["--channel", "@acme_help"]
                    if !sees(probe, .channel, "@acme_help") { allSeen = false }
                }
                let expectRefused = n == 0 ? lacking : lacking || mark.contains("needs admin")
                // Allowed by the mark but no object to run it on: nothing to compare.
                if !allSeen && !expectRefused { continue }
                lines.append((words.joined(separator: " "), expectRefused))
            }
            for (line, expectRefused) in lines {
                let io = BufferIO()
                let run = try shell(as: email, io: io)
                _ = run.execute(line: line)
                let error = io.errText
                #expect(
                    Self.refused(error) == expectRefused,
                    "\(kind): `\(line)` with help's mark [\(mark)]: \(error.isEmpty ? "ran" : error)")
                if Self.refused(error) { #expect(io.stderr.count == 1, "\(kind): `\(line)`: one line: \(error)") }
            }
        }
    }

    @Test(arguments: users.map(\.kind))
    func completionOffersOnlyWhatTheUserCanSee(_ kind: String) throws {
        let email = Self.users.first { $0.kind == kind }!.email
        let shell = try shell(as: email, io: BufferIO())
        let completer = Completer(shell: shell)
        let named: [ValueKind] = [.user, .userOrNone, .channel, .conversationOrChannel, .conversation, .team]
        var offered = 0
        for spec in shell.table.commands {
            var prefix = spec.path
            for arg in spec.args {
                if named.contains(arg.kind) {
                    let line = prefix.joined(separator: " ") + " "
                    for candidate in completer.complete(line: line, cursor: line.count).candidates {
                        #expect(sees(shell, arg.kind, candidate), "\(kind): `\(line)` offers \(candidate)")
                        offered += 1
                    }
                }
                prefix.append(Tokenizer.quote(Self.word(arg.kind, spec: spec, other: "zed@acme.example", me: "")))
            }
            for option in spec.options {
                guard let k = option.kind, named.contains(k) else { continue }
                let line = spec.path.joined(separator: " ") + " --\(option.name) "
                for candidate in completer.complete(line: line, cursor: line.count).candidates {
                    #expect(sees(shell, k, candidate), "\(kind): `\(line)` offers \(candidate)")
                    offered += 1
                }
            }
        }
        // An enabled user is offered names (themselves at least): the walk is not empty.
        if shell.session.user?.enabled == true { #expect(offered > 0, "\(kind) was offered nothing") }
    }
}
