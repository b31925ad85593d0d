import ParleyCore
import ParleyStore
import ParleyTestSupport
import Testing

@testable import ParleyShell

/// How the parser splits a line into commands when one of them ends in free text.
@Suite struct FreeTextParserTests {
    let parser = CommandParser(table: .standard)

    func commands(_ line: String) -> [[Word]] {
        guard case .complete(let commands) = parser.commands(in: line) else {
            Issue.record("incomplete: \(line)")
            return []
        }
        return commands
    }

    /// The free text the first command of the line stores, or the error that refuses it.
    func text(_ line: String) -> Result<String, ParleyError> {
        guard let words = commands(line).first else { return .failure(.usage("no command")) }
        do {
            return .success(try parser.parse(words).arg("TEXT") ?? "")
        } catch let e as ParleyError {
            return .failure(e)
        } catch {
            return .failure(.usage("\(error)"))
        }
    }

    func refusal(_ line: String) -> String? {
        if case .failure(let e) = text(line) { return e.message }
        return nil
    }

    @Test func apostrophesStay() {
        #expect(text("conversation reply 1 We're on it, don't worry") == .success("We're on it, don't worry"))
    }

    @Test func aSemicolonInFreeTextIsText() {
        #expect(commands("conversation reply 1 Sorry; we will check").count == 1)
        #expect(text("conversation reply 1 Sorry; we will check") == .success("Sorry; we will check"))
    }

    @Test func optionsInsideFreeTextAreText() throws {
        #expect(text("conversation reply 2 you can reply by --dm too") == .success("you can reply by --dm too"))
        let inv = try parser.parse(commands("conversation reply 2 you can reply by --dm too")[0])
        #expect(!inv.flag("dm"))
        let before = try parser.parse(commands("conversation reply 2 --dm thanks")[0])
        #expect(before.flag("dm") && before.arg("TEXT") == "thanks")
        #expect(text("conversation reply 2 -- --dm is text") == .success("--dm is text"))
    }

    @Test func aHashInFreeTextIsText() {
        #expect(text("conversation note 1 order #123 is lost") == .success("order #123 is lost"))
        #expect(text("conversation note 1 #refund approved # by Kim") == .success("#refund approved # by Kim"))
    }

    @Test func runsOfBlanksStayAndTrailingBlanksGo() {
        #expect(text("conversation note 1   two  blanks\there   ") == .success("two  blanks\there"))
    }

    @Test func inboundTakesItsOptionsBeforeTheText() throws {
        let inv = try parser.parse(commands("conversation inbound @acme_help --from @carol it's late; really")[0])
        #expect(inv.option("from") == "@carol" && inv.arg("TEXT") == "it's late; really")
    }

    @Test func aChannelByNumberIsNoComment() throws {
        let inv = try parser.parse(commands("channel show #2")[0])
        #expect(inv.arg("CHANNEL") == "#2")
    }

    @Test func aQuotedTextIsOneWordAndTheLineGoesOn() throws {
        let line = "conversation reply 2 \"We're on it\" --dm; whoami # a comment"
        let parsed = commands(line)
        #expect(parsed.count == 2 && parsed[1] == [Word("whoami")])
        let inv = try parser.parse(parsed[0])
        #expect(inv.arg("TEXT") == "We're on it" && inv.flag("dm"))
        #expect(text("conversation note 1 'say \"hi\"'") == .success("say \"hi\""))
    }

    @Test func aBareWordAfterAQuotedTextIsRefused() throws {
        let message = try #require(refusal("conversation reply 1 \"hello\" world"))
        #expect(message.contains("'world' follows the closing quote"))
        #expect(message.contains("one pair of quotes"))
        let joined = try #require(refusal("conversation reply 1 \"We\"re late"))
        #expect(joined.contains("one pair of quotes"))
        #expect(refusal("conversation note 1 \"We\"re")?.contains("past the closing quote") == true)
    }

    @Test func aMissingTextIsRefused() {
        #expect(commands("conversation note 1; whoami").count == 2)
        #expect(refusal("conversation note 1; whoami")?.contains("needs TEXT") == true)
        #expect(refusal("conversation note 1    ")?.contains("needs TEXT") == true)
    }

    @Test func anUnknownOptionBeforeTheTextSaysWhereSuchATextGoes() {
        #expect(refusal("conversation reply 1 --looks good")?.contains("goes after a lone --") == true)
        // The refused command still takes its text whole: the apostrophe opens no quote.
        #expect(commands("conversation note 1 --bogus it's; whoami").count == 1)
    }

    @Test func aContinuedLineJoinsTheFreeText() {
        #expect(text("conversation note 1 first \\\nsecond; third") == .success("first second; third"))
        #expect(parser.commands(in: "conversation note 1 don't \\") == .incomplete(.continuation))
    }

    @Test func anApostropheInFreeTextAsksForNoMoreLines() throws {
        let db = try ParleyDatabase(path: ":memory:")
        let shell = Shell(session: Session(database: db, io: BufferIO(), systemClock: FixedClock(0), environment: [:]))
        #expect(shell.needsMore("conversation note 1 don't") == nil)
        #expect(shell.needsMore("conversation note 1 \"don't") == .openQuote("\""))
        #expect(shell.needsMore("whoami 'x") == .openQuote("'"))
    }

    /// Each word is looked at once: a line of many words splits in linear time (it took minutes
    /// when every word made the parser walk the command's words again).
    @Test(.timeLimit(.minutes(1))) func aLineOfManyWordsSplitsInLinearTime() {
        let many = "conversation tag 1 " + Array(repeating: "a", count: 200_000).joined(separator: " ")
        #expect(commands(many).first?.count == 200_003)
        let options = "conversation reply 1 \"x\" " + Array(repeating: "--dm", count: 200_000).joined(separator: " ")
        #expect(commands(options).first?.count == 200_004)
    }
}
