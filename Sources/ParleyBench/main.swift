import Foundation
import ParleyCore
import ParleyShell
import ParleyStore

// parley-bench: in-process timings of parley's hot paths, for scripts/bench.
//
//   parley-bench command  --db PATH --as EMAIL --line "conversation list" [--runs N]
//   parley-bench complete --db PATH --as EMAIL --line "user show u12" [--runs N]
//   parley-bench sweep    --db PATH
//
// Prints one JSON object: {"case", "runs_ms": [...], "median_ms", "detail"}. The first run of
// `command` and `complete` is a warm-up and is not counted.

final class SinkIO: ShellIO {
    var isInteractive: Bool { false }
    var bytes = 0
    var errors: [String] = []
    func out(_ text: String) { bytes += text.utf8.count }
    func err(_ text: String) { errors.append(text) }
    func readSecret(prompt: String) -> PromptAnswer? { nil }
    func ask(prompt: String) -> PromptAnswer? { nil }
}

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("parley-bench: " + message + "\n").utf8))
    exit(2)
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func report(_ name: String, _ runs: [Double], _ detail: String) {
    let json: [String: Any] = [
        "case": name, "runs_ms": runs.map { ($0 * 1000).rounded() / 1000 },
        "median_ms": (median(runs) * 1000).rounded() / 1000, "detail": detail,
    ]
    let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

let args = CommandLine.arguments
guard args.count > 1 else {
    fail("usage: parley-bench command|complete|sweep --db PATH [--as EMAIL] [--line TEXT] [--runs N]")
}
guard let path = option("--db") else { fail("--db PATH is needed") }
let runs = Int(option("--runs") ?? "") ?? 20
let database: ParleyDatabase
do { database = try ParleyDatabase(path: path) } catch { fail("\(error)") }
defer { database.close() }
let io = SinkIO()
let session = Session(database: database, io: io)
let shell = Shell(session: session)
if let email = option("--as") {
    do { try session.startAs(email: email) } catch { fail("\(error)") }
}

switch args[1] {
case "command":
    guard let line = option("--line") else { fail("--line is needed") }
    var times: [Double] = []
    for i in 0...runs {
        var ok = true
        let t = milliseconds { ok = shell.execute(line: line) }
        guard ok else { fail("\(line): \(io.errors.last ?? "failed")") }
        if i > 0 { times.append(t) }
    }
    report("command", times, "\(line) (\(io.bytes / (runs + 1)) bytes of output)")
case "complete":
    guard let line = option("--line") else { fail("--line is needed") }
    var times: [Double] = []
    var candidates = 0
    for i in 0...runs {
        let t = milliseconds {
            candidates = Completer(shell: shell).complete(line: line, cursor: line.count).candidates.count
        }
        if i > 0 { times.append(t) }
    }
    report("complete", times, "\(line) → \(candidates) candidates")
case "sweep":
    var resolved = 0
    let t = try milliseconds {
        try database.withConnection { db in
            try db.atomically { resolved = try Inbox.sweep(db, now: try Meta.now(db, system: SystemClock())).count }
        }
    }
    report("sweep", [t], "\(resolved) conversations resolved")
default:
    fail("unknown case \(args[1])")
}
