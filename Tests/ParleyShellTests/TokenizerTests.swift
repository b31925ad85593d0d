import Testing

@testable import ParleyShell

/// The lexical rules, one word at a time, and free text taken as typed.
@Suite struct TokenizerTests {
    /// Every token of a line read word by word, until the end or an incomplete line.
    func tokens(_ line: String) -> [Tokenizer.Token] {
        var scanner = Tokenizer.Scanner(line)
        var out: [Tokenizer.Token] = []
        while true {
            let t = scanner.next()
            out.append(t)
            if t == .end { return out }
            if case .incomplete = t { return out }
        }
    }

    /// The rest of the line after `prefix`'s words, as free text.
    func rest(_ line: String, after words: Int) -> Tokenizer.Token {
        var scanner = Tokenizer.Scanner(line)
        for _ in 0..<words { _ = scanner.next() }
        return scanner.restOfLine()
    }

    @Test func wordsQuotesAndSeparators() {
        #expect(
            tokens("a \"b c\" 'd;e'; f\\ g") == [
                .word(Word("a")), .word(Word("b c", quoted: true)), .word(Word("d;e", quoted: true)), .separator,
                .word(Word("f g")), .end,
            ])
        #expect(tokens("say \"x\\\"y\\n\"") == [.word(Word("say")), .word(Word("x\"y\n", quoted: true)), .end])
    }

    @Test func aWordThatGoesOnPastItsClosingQuoteIsMarked() {
        #expect(tokens("\"We\"re") == [.word(Word("Were", quoted: true, pastQuote: true)), .end])
        #expect(tokens("'a''b'") == [.word(Word("ab", quoted: true, pastQuote: true)), .end])
        #expect(tokens("\"whole\"") == [.word(Word("whole", quoted: true)), .end])
        // A word that begins bare is not a quoted word at all.
        #expect(tokens("a\"b\"") == [.word(Word("ab")), .end])
    }

    @Test func hashStartsACommentOnlyAtAWordStartAndNotBeforeADigit() {
        #expect(tokens("channel show #2") == [.word(Word("channel")), .word(Word("show")), .word(Word("#2")), .end])
        #expect(tokens("tag a#b # the rest") == [.word(Word("tag")), .word(Word("a#b")), .end])
        #expect(tokens("x #abc\ny") == [.word(Word("x")), .word(Word("y")), .end])
        #expect(tokens("#2") == [.word(Word("#2")), .end])
        #expect(tokens("# only a comment") == [.end])
    }

    @Test func incompleteLines() {
        #expect(tokens("a 'open").last == .incomplete(.openQuote("'")))
        #expect(tokens("a \\").last == .incomplete(.continuation))
        #expect(tokens("a\\\nb") == [.word(Word("ab")), .end])
    }

    @Test func freeTextIsTheRestOfThePhysicalLineAsTyped() {
        #expect(
            rest("note 1 We're on it, don't worry", after: 2)
                == .word(Word("We're on it, don't worry", verbatim: true)))
        #expect(
            rest("note 1   Sorry;  we # check \\n  \t", after: 2)
                == .word(Word("Sorry;  we # check \\n", verbatim: true)))
        #expect(rest("note 1 first\nsecond", after: 2) == .word(Word("first", verbatim: true)))
        #expect(rest("note 1   ", after: 2) == .end)
    }

    @Test func aBackslashAtTheEndOfALineJoinsTheNextToTheFreeText() {
        #expect(rest("note 1 first \\\nsecond; third", after: 2) == .word(Word("first second; third", verbatim: true)))
        #expect(rest("note 1 \\\n  after", after: 2) == .word(Word("after", verbatim: true)))
        // The blanks that begin a continued line are text, as typed.
        #expect(rest("note 1 first \\\n    second", after: 2) == .word(Word("first     second", verbatim: true)))
        #expect(rest("note 1 a \\", after: 2) == .incomplete(.continuation))
        // A backslash elsewhere is kept: free text has no escapes.
        #expect(
            rest("note 1 C:\\dir ¯\\_(ツ)_/¯", after: 2)
                == .word(Word("C:\\dir ¯\\_(ツ)_/¯", verbatim: true)))
    }
}
