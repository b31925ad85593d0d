import ParleyCore
import ParleyTerminal

#if canImport(Glibc)
    import Glibc
#endif

// Test driver for LineEditor / TerminalSecret: the terminal tests drive it (Tests/terminal).
let env = ProcessEnvironment.current
let historyPath = env["LE_HISTORY"]
let limit = Int(env["LE_HISTORY_LIMIT"] ?? "") ?? 10_000
let editor = try LineEditor(programName: "le-demo", historyFile: historyPath, historyLimit: limit)
let words =
    [
        "channel", "channels", "chat", "conversation", "user", "users", "\"Acme Support\"",
        "日本語", "émile", "team", "topic", "tag",
    ]
    + (0..<40).map { "item\($0)" }

func quoteIfNeeded(_ s: String) -> String { s.contains(" ") && !s.hasPrefix("\"") ? "\"\(s)\"" : s }

editor.completer = { line, cursor in
    let chars = Array(line)
    var start = cursor
    var inQuote = false
    // word start: after last blank outside quotes
    var i = 0
    var wordStart = 0
    while i < cursor {
        if chars[i] == "\"" { inQuote.toggle() }
        if chars[i] == " " && !inQuote { wordStart = i + 1 }
        i += 1
    }
    start = wordStart
    let current = String(chars[start..<cursor])
    let bare = current.hasPrefix("\"") ? String(current.dropFirst()) : current
    let matches = words.filter { w in
        let plain = w.hasPrefix("\"") ? String(w.dropFirst().dropLast()) : w
        return plain.hasPrefix(bare) || w.hasPrefix(current)
    }
    guard !matches.isEmpty else { return .nothing(at: cursor) }
    if matches.count == 1 {
        return CompletionReply(replaceFrom: start, insertion: matches[0], candidates: matches, appendSpace: true)
    }
    var prefix = matches[0]
    for m in matches.dropFirst() { while !m.hasPrefix(prefix) { prefix.removeLast() } }
    return CompletionReply(
        replaceFrom: start, insertion: prefix.count > current.count ? prefix : "", candidates: matches,
        appendSpace: false)
}

var pending = ""
loop: while true {
    let prompt = pending.isEmpty ? (env["LE_PROMPT"] ?? "demo> ") : "...> "
    switch editor.readLine(prompt: prompt) {
    case .endOfFile:
        print("[eof]")
        break loop
    case .interrupted:
        pending = ""
        print("[interrupted]")
    case .line(let line):
        if line.hasSuffix("\\") {
            pending += String(line.dropLast()) + "\n"
            continue
        }
        let full = pending + line
        pending = ""
        if full == "!secret" {
            let s = TerminalSecret.read(prompt: "Password: ")
            if case .text(let t)? = s {
                print("secret-length: \(t.count) secret-sum: \(t.unicodeScalars.reduce(0) { $0 + Int($1.value) })")
            } else {
                print("[secret cancelled]")
            }
            continue
        }
        editor.addToHistory(full)
        if full == "!history" {
            for (n, e) in editor.historyEntries().enumerated() { print("h\(n + 1): \(e)") }
            continue
        }
        if full == "!save" {
            editor.saveHistory()
            print("saved")
            continue
        }
        if full == "!exit" { break loop }
        print("got: \(full) [chars=\(full.count) scalars=\(full.unicodeScalars.count)]")
    }
}
