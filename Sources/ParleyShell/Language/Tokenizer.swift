import ParleyCore

/// One word of a command line.
package struct Word: Equatable, Sendable {
    /// The word with quotes removed and escapes applied; for free text, the text as typed.
    package var text: String
    /// Whether it began inside quotes: a quoted `"--x"` is text, not an option, while
    /// `--x="a b"` is the option `--x` with the value `a b`.
    package var quoted: Bool
    /// Whether it is unquoted free text: the rest of the line as typed, never split or unescaped.
    package var verbatim: Bool
    /// Whether it began inside quotes and went on after the closing quote (`"We"re`): as free
    /// text it would lose the quotes, so it is refused there.
    package var pastQuote: Bool

    package init(_ text: String, quoted: Bool = false, verbatim: Bool = false, pastQuote: Bool = false) {
        self.text = text
        self.quoted = quoted
        self.verbatim = verbatim
        self.pastQuote = pastQuote
    }
}

/// The command language's lexical rules: blanks separate words; `"…"` and `'…'` quote, with
/// backslash escapes inside double quotes; `;` outside quotes separates commands; `#` outside
/// quotes at the start of a word starts a comment, unless a digit follows (`#2` names a channel
/// or a conversation); a line ending in `\` continues on the next.
///
/// The tokenizer does not know the commands: `Scanner` reads one word at a time, and the parser
/// (`CommandParser.commands(in:)`), when a command's free text begins, takes the rest of the
/// physical line as typed with `Scanner.restOfLine()`.
package enum Tokenizer {
    package enum Incomplete: Equatable, Sendable {
        /// An open `"` or `'`: the text goes on, newline included, on the next line.
        case openQuote(Character)
        /// The line ended in a backslash.
        case continuation
    }

    package enum Outcome: Equatable, Sendable {
        /// Commands (each a list of words), in order; empty commands are dropped.
        case complete([[Word]])
        case incomplete(Incomplete)
    }

    /// What `Scanner` read next.
    package enum Token: Equatable, Sendable {
        case word(Word)
        /// A `;` outside quotes.
        case separator
        case end
        case incomplete(Incomplete)
    }

    static let blanks: Set<Character> = [" ", "\t", "\r"]

    /// Reads a command line (one or more physical lines joined by `\n`) one word at a time.
    package struct Scanner: Sendable {
        let chars: [Character]
        /// Where the next read starts, as a Character offset into the line.
        package private(set) var position = 0

        package init(_ text: String) { chars = Array(text) }

        /// The next character that is not a blank, without reading it; nil at the end. Blanks and
        /// `\`-newline continuations before it are skipped.
        package mutating func peek() -> Character? {
            while position < chars.count {
                let c = chars[position]
                if Tokenizer.blanks.contains(c) || c == "\n" {
                    position += 1
                } else if c == "\\" && position + 1 < chars.count && chars[position + 1] == "\n" {
                    position += 2
                } else {
                    return c
                }
            }
            return nil
        }

        /// Whether the unread text starts with `prefix`, blanks skipped.
        package mutating func startsWith(_ prefix: String) -> Bool {
            guard peek() != nil else { return false }
            let wanted = Array(prefix)
            guard position + wanted.count <= chars.count else { return false }
            return Array(chars[position..<(position + wanted.count)]) == wanted
        }

        /// Free text: from the next non-blank character to the end of its physical line, as typed,
        /// trailing blanks removed. A `\` that ends a line joins the next line to the text (the
        /// backslash and the line break vanish), as it joins lines everywhere else.
        package mutating func restOfLine() -> Token {
            guard peek() != nil else { return .end }
            var text = ""
            while position < chars.count {
                let c = chars[position]
                if c == "\n" { break }
                if c == "\\" {
                    if position + 1 >= chars.count { return .incomplete(.continuation) }
                    if chars[position + 1] == "\n" {
                        position += 2
                        continue
                    }
                }
                text.append(c)
                position += 1
            }
            while let last = text.last, Tokenizer.blanks.contains(last) { text.removeLast() }
            return .word(Word(text, verbatim: true))
        }

        /// The next word, `;`, or the end, with quotes and escapes applied and comments skipped.
        package mutating func next() -> Token {
            var current = ""
            var inWord = false
            var quoted = false
            var pastQuote = false
            var closedQuote = false
            var quote: Character? = nil
            func word() -> Token {
                .word(Word(current, quoted: quoted, pastQuote: pastQuote))
            }
            func append(_ c: Character) {
                current.append(c)
                inWord = true
                if closedQuote { pastQuote = true }
            }
            while position < chars.count {
                let c = chars[position]
                if let q = quote {
                    if c == q {
                        quote = nil
                        if quoted { closedQuote = true }
                    } else if q == "\"" && c == "\\" && position + 1 < chars.count {
                        let n = chars[position + 1]
                        switch n {
                        case "n": current.append("\n")
                        case "t": current.append("\t")
                        case "\\", "\"", "$", "`": current.append(n)
                        case "\n": break  // line continuation inside double quotes
                        default:
                            current.append("\\")
                            current.append(n)
                        }
                        position += 1
                    } else {
                        current.append(c)
                    }
                    position += 1
                    continue
                }
                switch c {
                case " ", "\t", "\r", "\n":
                    if inWord { return word() }
                    position += 1
                case ";":
                    if inWord { return word() }
                    position += 1
                    return .separator
                case "#" where !inWord && !nextIsDigit():
                    // A comment, to the end of the physical line.
                    while position < chars.count && chars[position] != "\n" { position += 1 }
                case "\"", "'":
                    if !inWord { quoted = true }
                    if closedQuote { pastQuote = true }
                    quote = c
                    inWord = true
                    position += 1
                case "\\":
                    if position + 1 >= chars.count { return .incomplete(.continuation) }
                    let n = chars[position + 1]
                    position += 2
                    if n != "\n" { append(n) }
                default:
                    append(c)
                    position += 1
                }
            }
            if let q = quote { return .incomplete(.openQuote(q)) }
            return inWord ? word() : .end
        }

        func nextIsDigit() -> Bool {
            position + 1 < chars.count && chars[position + 1].isASCII && chars[position + 1].isNumber
        }
    }

    /// Quotes a word so that the tokenizer reads it back as it is: bare when safe, else in
    /// double quotes with escapes.
    package static func quote(_ s: String) -> String {
        let special: Set<Character> = [" ", "\t", "\n", "\r", "\"", "'", "\\", ";", "#"]
        if !s.isEmpty && !s.contains(where: { special.contains($0) }) { return s }
        var out = "\""
        for ch in s {
            switch ch {
            case "\"", "\\", "$", "`":
                out.append("\\")
                out.append(ch)
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// The word under the cursor, for completion: the words before it on the current command,
    /// the partial text of the word being typed, where it starts in the line (a Character offset),
    /// and the quote it opened, if any.
    package struct Partial: Equatable, Sendable {
        package var words: [Word]
        package var current: String
        package var start: Int
        package var openQuote: Character?
    }

    package static func partial(_ line: String, cursor: Int) -> Partial {
        let chars = Array(line.prefix(cursor))
        var words: [Word] = []
        var current = ""
        var inWord = false
        var quoted = false
        var quote: Character? = nil
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q {
                    quote = nil
                } else if q == "\"" && c == "\\" && i + 1 < chars.count {
                    current.append(chars[i + 1])
                    i += 1
                } else {
                    current.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case " ", "\t":
                if inWord { words.append(Word(current, quoted: quoted)) }
                current = ""
                inWord = false
                quoted = false
            case ";":
                if inWord { words.append(Word(current, quoted: quoted)) }
                words = []
                current = ""
                inWord = false
                quoted = false
            case "\"", "'":
                if !inWord { start = i }
                quote = c
                inWord = true
                quoted = true
            case "\\" where i + 1 < chars.count:
                if !inWord { start = i }
                current.append(chars[i + 1])
                inWord = true
                i += 1
            default:
                if !inWord { start = i }
                current.append(c)
                inWord = true
            }
            i += 1
        }
        if !inWord { start = chars.count }
        return Partial(words: words, current: current, start: start, openQuote: quote)
    }
}
