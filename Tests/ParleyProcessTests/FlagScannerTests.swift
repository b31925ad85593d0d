import ParleyTestSupport
import Testing

@testable import parley

/// `FlagScanner` reads the everyday shapes of the process flags by hand; whatever it accepts must
/// parse to the same values through swift-argument-parser (`ProcessOptions`), which still reads
/// everything else and words every error.
@Suite struct FlagScannerTests {
    /// Everyday invocations: the scanner reads them, so a start pays no reflection.
    static let everyday: [[String]] = [
        [],
        ["--db", "/tmp/p.db", "--as", "ada@acme.example", "-c", "whoami"],
        ["--db", "p.db", "-f", "script.parley"],
        ["p.db", "--json", "-c", "conversation list --queue new", "-c", "whoami"],
        ["--as", "ada@acme.example", "-c", "whoami", "p.db"],
        ["--db=p.db", "--file=s.parley", "--command=whoami", "--on-error=continue", "--output=o.txt"],
        ["--db", "p.db", "sync"],
        ["sync", "--every", "5m"],
        ["--db", "p.db", "sync", "--every=90s"],
        ["-1", "-f", "a.parley", "-c", "whoami", "-f", "b.parley", "--on-error", "stop"],
        ["--single-transaction", "-o", "out.txt", "--command", "clock"],
        ["--db", "postgresql://parley@db.example/parley?sslmode=require", "-c", "whoami"],
        ["--db", "host=db.example dbname=parley user=ada", "-c", "whoami"],
        ["--db=postgres://u:p@h/d?a=b", "-c", "whoami"],
        ["--as", "ada@acme.example", "--as", "vic@acme.example", "-c", "whoami"],
        ["-c", "", "--json", "--json"],
    ]

    /// Shapes left to swift-argument-parser: help, version, errors, and what only it can word.
    static let unusual: [[String]] = [
        ["--help"], ["-h"], ["-help"], ["--version"], ["--frobnicate"], ["-x"], ["-fx"], ["-cwhoami"],
        ["--db"], ["-c"], ["--json=yes"], ["--on-error", "maybe"], ["--every", "5m"], ["sync", "--every", "5x"],
        ["a.db", "b.db"], ["--db", "a.db", "b.db"], ["sync", "-c", "whoami"], ["--", "--json"], ["-"],
        ["-c", "-1"], ["-f", "-"], ["--db="], ["-1c", "whoami"], ["--Json"], ["---db"], ["-c=whoami"],
        ["--as", "-c", "whoami"], ["-o", "--json"],
    ]

    /// `-` as a positional word reads as standard input to users of other tools: refused, with
    /// the ways to say what they meant; `--db -` names a file `-` on purpose.
    @Test func aLoneDashIsNotTakenForADatabase() throws {
        for arguments in [["-"], ["--as", "ada@acme.example", "-c", "whoami", "-"], ["-", "sync"]] {
            #expect(throws: (any Error).self) { try ProcessOptions.parse(arguments) }
        }
        #expect(throws: ProcessFlags.Invalid.self) { try ProcessFlags(words: ["-"]).validate() }
        #expect(try ProcessOptions.parse(["--db", "./-", "-c", "whoami"]).flags.databasePath == "./-")
    }

    @Test(arguments: everyday)
    func everydayShapesAreScannedAsTheParserReadsThem(_ arguments: [String]) throws {
        let scanned = try #require(FlagScanner.scan(arguments))
        #expect(scanned == (try ProcessOptions.parse(arguments)).flags)
    }

    @Test(arguments: unusual)
    func unusualShapesAreLeftToTheParser(_ arguments: [String]) {
        #expect(FlagScanner.scan(arguments) == nil)
    }

    /// Random mixes of flags, values and words: where the scanner answers, the parser agrees.
    @Test func randomArgumentsAgreeWithTheParser() throws {
        let pieces = [
            "--db", "-f", "--file", "-c", "--command", "--json", "--on-error", "--as", "-1", "--single-transaction",
            "-o", "--output", "--every", "sync", "p.db", "stop", "continue", "5m", "whoami", "a b", "", "-",
            "--db=x", "--every=1h", "--on-error=continue", "--json=1", "--", "-h", "x=y", "ada@acme.example",
        ]
        var generator = SplitMix(seed: 2026)
        var scannedCount = 0
        for _ in 0..<3_000 {
            let count = Int(generator.next() % 7)
            let arguments = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }
            guard let scanned = FlagScanner.scan(arguments) else { continue }
            scannedCount += 1
            let parsed = try ProcessOptions.parse(arguments).flags
            #expect(scanned == parsed, "\(arguments)")
        }
        #expect(scannedCount > 300)
    }
}
