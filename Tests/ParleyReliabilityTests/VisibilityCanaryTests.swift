import Foundation
import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// What a user may not see must not exist for them. Every name, tag, note, message, handle and
/// reason of a channel the user has no role on holds the marker `cnry`; then every command of the
/// table runs as that user (with every argument value it can take, secret ones included, and
/// each option), in table and JSON output, and Tab is pressed at every argument and option
/// position. No output, error or completion candidate may hold a marker the line did not type.
/// A line that names a secret thing must get the very answer the same line gets for a thing that
/// never existed (the name swapped for a twin, `cnrz`, that nothing holds).
@Suite(.serialized) struct VisibilityCanaryTests {
    static let marker = "cnry"

    /// The organisation: vic is viewer on @acme_help (through team Helpers); everything of
    /// @cnry25_sec is secret to him, and so are its people (sam through team CNRY28-Sales, gina
    /// through a direct grant) who share nothing with him.
    static let setup = [
        "init ada@acme.example --name Ada --sandbox",
        "user add vic@acme.example --name \"Vic Viewer\"",
        "user add cora@acme.example --name Cora",
        "user add cnry21.sam@acme.example --name \"Sam CNRY22\"",
        "user add cnry23.gina@acme.example --name \"Gina CNRY24\"",
        "channel add twitter --handle @acme_help --display-name \"Acme Help\"",
        "channel add twitter --handle @cnry25_sec --display-name \"CNRY26 Secret Sales\"",
        "channel edit @cnry25_sec --resolve-reason \"CNRY27 reason\" --auto-resolve-new 1d",
        "team add Helpers", "team member add Helpers vic@acme.example viewer",
        "team member add Helpers cora@acme.example contributor", "team channel add Helpers @acme_help",
        "team add CNRY28-Sales", "team member add CNRY28-Sales cnry21.sam@acme.example supervisor",
        "team channel add CNRY28-Sales @cnry25_sec",
        "channel grant @cnry25_sec cnry23.gina@acme.example viewer",
        "channel grant @acme_help ada@acme.example supervisor", "channel grant @cnry25_sec ada@acme.example supervisor",
        "topic add Billing",
        "conversation inbound @acme_help --from @carol \"hello there\"",
        "conversation inbound @cnry25_sec --from @cnry29_cust \"CNRY10 merger details\"",
        "conversation inbound @cnry25_sec --from @cnry11_b --dm \"CNRY12 private\"",
        "conversation tag 1 late", "conversation tag 2 cnry13-merger", "conversation topic 2 Billing",
        "conversation note 2 \"CNRY14 note\"", "conversation reply 2 \"CNRY15 reply\"",
        "conversation assign 2 cnry21.sam@acme.example",
    ]

    /// The values tried for each kind of argument: the user's own things, the secret ones, and
    /// a name nothing has.
    static func values(_ kind: ValueKind, file: String) -> [String] {
        switch kind {
        case .user: return ["vic@acme.example", "cnry21.sam@acme.example", "me"]
        case .channel: return ["@acme_help", "@cnry25_sec", "#2", "\"CNRY26 Secret Sales\"", "cnry25_sec"]
        case .team: return ["Helpers", "CNRY28-Sales"]
        case .topic: return ["Billing"]
        case .tag: return ["late", "cnry13-merger"]
        case .conversation: return ["1", "2", "3", "#2"]
        case .text: return ["hello"]
        case .newEmail: return ["new@acme.example"]
        case .duration, .durationOrOff: return ["1d"]
        case .number: return ["5"]
        case .handle: return ["@newcust"]
        case .file: return [file]
        default: return kind.choices ?? ["x"]
        }
    }

    /// Secret names and the twins that stand for "a thing that never existed".
    static let twins: [(String, String)] = [
        ("cnry21.sam@acme.example", "cnrz21.sam@acme.example"), ("@cnry25_sec", "@cnrz25_sec"),
        ("\"CNRY26 Secret Sales\"", "\"CNRZ26 Secret Sales\""), ("cnry25_sec", "cnrz25_sec"),
        ("CNRY28-Sales", "CNRZ28-Sales"), ("cnry13-merger", "cnrz13-merger"),
        ("#2", "#98"), (" 2", " 97"), (" 3", " 96"),
    ]

    let folder: URL
    let template: String
    let file: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("canary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        template = folder.appendingPathComponent("template.db").path
        file = folder.appendingPathComponent("script.parley").path
        try "whoami\n".write(toFile: file, atomically: true, encoding: .utf8)
        let io = BufferIO()
        let shell = try Self.shell(path: template, io: io)
        for line in Self.setup {
            #expect(shell.execute(line: line), "\(line): \(io.errText)")
        }
        // Conversation 2 is on the secret channel (as the numbers above assume).
        #expect(io.errText.isEmpty)
    }

    static func shell(path: String, io: BufferIO) throws -> Shell { try TestShell.make(path: path, io: io) }

    /// Runs one line as `who` (nil: logged out) on a fresh copy of the organisation.
    func run(_ line: String, as who: String?, json: Bool = false) throws -> String {
        let copy = folder.appendingPathComponent("case-\(UUID().uuidString).db").path
        try FileManager.default.copyItem(atPath: template, toPath: copy)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: template + suffix) {
            try FileManager.default.copyItem(atPath: template + suffix, toPath: copy + suffix)
        }
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
        let io = BufferIO()
        let shell = try Self.shell(path: copy, io: io)
        if let who { try shell.session.startAs(email: who) }
        if json { shell.session.format = .json }
        shell.session.onError = .continue
        shell.execute(line: line)
        return io.outText + "\n" + io.errText
    }

    /// Every line of the command table: each argument value (a product over the positions), and
    /// each option with each of its values on the first line.
    func lines() -> [String] {
        var out: [String] = []
        for spec in CommandTable.standard.commands where !["exit", "quit"].contains(spec.name) {
            var combos: [[String]] = [[]]
            for arg in spec.args {
                combos = combos.flatMap { c in Self.values(arg.kind, file: file).map { c + [$0] } }
            }
            for c in combos { out.append(([spec.name] + c).joined(separator: " ")) }
            let base = ([spec.name] + (combos.first ?? [])).joined(separator: " ")
            for option in spec.options {
                guard let kind = option.kind else {
                    out.append(spec.name + " --" + option.name + " " + (combos.first ?? []).joined(separator: " "))
                    continue
                }
                for v in Self.values(kind, file: file) {
                    // Options go before free text, after the other arguments.
                    let args = combos.first ?? []
                    let head = spec.args.last?.rest == true ? Array(args.dropLast()) : args
                    let tail = spec.args.last?.rest == true ? Array(args.suffix(1)) : []
                    out.append(([spec.name] + head + ["--" + option.name, v] + tail).joined(separator: " "))
                }
                _ = base
            }
        }
        return out
    }

    /// The markers in `text` that `line` did not type itself.
    static func leaks(_ text: String, typed line: String) -> [String] {
        let typed = line.lowercased()
        var found: [String] = []
        let lowered = text.lowercased()
        var search = lowered.startIndex..<lowered.endIndex
        while let r = lowered.range(of: marker, range: search) {
            // The marker with the rest of its word.
            var end = r.upperBound
            while end < lowered.endIndex, !" \n\t'\",()|".contains(lowered[end]) { end = lowered.index(after: end) }
            let word = String(lowered[r.lowerBound..<end])
            let stem = String(word.prefix(while: { $0.isLetter || $0.isNumber }))
            if !typed.contains(stem) { found.append(word) }
            search = end..<lowered.endIndex
        }
        return found
    }

    @Test func aViewerLearnsNothingOfAChannelTheyHaveNoRoleOn() throws {
        var problems: [String] = []
        let all = lines()
        for line in all {
            for json in [false, true] {
                let text = try run(line, as: "vic@acme.example", json: json)
                let leaked = Self.leaks(text, typed: line)
                if !leaked.isEmpty { problems.append("\(line) [\(json ? "json" : "table")] shows \(leaked): \(text)") }
            }
        }
        #expect(all.count > 300)
        #expect(problems.isEmpty, "\(problems.count) leaks:\n\(problems.prefix(30).joined(separator: "\n"))")
    }

    @Test func aSecretNameGetsTheAnswerOfANameThatNeverExisted() throws {
        var problems: [String] = []
        var compared = 0
        for line in lines() {
            for (secret, twin) in Self.twins where line.contains(secret) {
                let other = line.replacingOccurrences(of: secret, with: twin)
                func normal(_ s: String) -> String {
                    var s = s.replacingOccurrences(of: secret.trimmingCharacters(in: .whitespaces), with: "<X>")
                    s = s.replacingOccurrences(of: twin.trimmingCharacters(in: .whitespaces), with: "<X>")
                    for (a, b) in [(secret, twin)] where a.hasPrefix("\"") {
                        s = s.replacingOccurrences(of: a.dropFirst().dropLast(), with: "<X>")
                        s = s.replacingOccurrences(of: b.dropFirst().dropLast(), with: "<X>")
                    }
                    // `#2` names conversation (or channel) 2: answers say the number alone.
                    for (a, b) in [(secret, twin)] where a.hasPrefix("#") {
                        s = s.replacingOccurrences(of: " " + a.dropFirst() + " ", with: " <X> ")
                        s = s.replacingOccurrences(of: " " + b.dropFirst() + " ", with: " <X> ")
                    }
                    return s
                }
                let a = normal(try run(line, as: "vic@acme.example"))
                let b = normal(try run(other, as: "vic@acme.example"))
                compared += 1
                if a != b { problems.append("\(line)\n   secret: \(a)\n   absent: \(b)") }
            }
        }
        #expect(compared > 50)
        #expect(problems.isEmpty, "\(problems.count) differ:\n\(problems.prefix(20).joined(separator: "\n"))")
    }

    /// Tab at every argument and option position, after every value the earlier positions take.
    @Test func completionOffersOnlyWhatTheUserCouldList() throws {
        let copy = folder.appendingPathComponent("completion.db").path
        try FileManager.default.copyItem(atPath: template, toPath: copy)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: template + suffix) {
            try FileManager.default.copyItem(atPath: template + suffix, toPath: copy + suffix)
        }
        var problems: [String] = []
        var count = 0
        for who in ["vic@acme.example", nil] as [String?] {
            let shell = try Self.shell(path: copy, io: BufferIO())
            if let who { try shell.session.startAs(email: who) }
            let completer = Completer(shell: shell)
            var prefixes: [String] = [""]
            for spec in CommandTable.standard.commands {
                var heads: [String] = [spec.name + " "]
                for arg in spec.args {
                    prefixes += heads
                    heads = heads.flatMap { h in Self.values(arg.kind, file: file).map { h + $0 + " " } }
                }
                prefixes += heads
                for option in spec.options where option.kind != nil {
                    prefixes.append(spec.name + " --" + option.name + " ")
                    prefixes.append(spec.name + " --" + option.name + "=")
                }
            }
            for prefix in prefixes {
                for typed in ["", "c", "C", "@", "#", "@c", "m"] {
                    let line = prefix + typed
                    let r = completer.complete(line: line, cursor: line.count)
                    count += 1
                    let shown = (r.candidates + [r.insertion]).joined(separator: "\n")
                    let leaked = Self.leaks(shown, typed: line)
                    if !leaked.isEmpty { problems.append("\(who ?? "logged out"): '\(line)' offers \(leaked)") }
                    if who == nil {
                        // Logged out, nothing of the organisation exists.
                        for name in ["acme", "Helpers", "Billing", "late"]
                        where shown.contains(name) && !line.contains(name) {
                            problems.append("logged out: '\(line)' offers \(name)")
                        }
                    }
                }
            }
        }
        #expect(count > 1_000)
        #expect(problems.isEmpty, "\(problems.count) leaks:\n\(problems.prefix(30).joined(separator: "\n"))")
    }

    @Test func topicCountsAndAutoResolveOnlyCountWhatTheUserSees() throws {
        let topics = try run("topic list", as: "vic@acme.example", json: true)
        #expect(topics.contains("\"conversations\":0"), "\(topics)")
        let admin = try run("topic list", as: "ada@acme.example", json: true)
        #expect(admin.contains("\"conversations\":1"), "\(admin)")
    }
}
