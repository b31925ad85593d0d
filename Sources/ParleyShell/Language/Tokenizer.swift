import ParleyCore

/// One word of a command line.
public struct Word: Equatable, Sendable {
    /// The word with quotes removed and escapes applied.
    public var text: String
    /// Whether it began inside quotes: a quoted `"--x"` is text, not an option, while
    /// `--x="a b"` is the option `--x` with the value `a b`.
    public var quoted: Bool
    public init(_ text: String, quoted: Bool = false) { self.text = text; self.quoted = quoted }
}

/// The command language's lexical rules (SPEC §2): blanks separate words; `"…"` and `'…'` quote,
/// with backslash escapes inside double quotes; `;` outside quotes separates commands; `#` outside
/// quotes at the start of a word starts a comment; a line ending in `\` continues on the next.
public enum Tokenizer {
    public enum Incomplete: Equatable, Sendable {
        /// An open `"` or `'`: the text goes on, newline included, on the next line.
        case openQuote(Character)
        /// The line ended in a backslash.
        case continuation
    }

    public enum Outcome: Equatable, Sendable {
        /// Commands (each a list of words), in order; empty commands are dropped.
        case complete([[Word]])
        case incomplete(Incomplete)
    }

    /// Splits `text` (one or more physical lines joined by `\n`) into commands.
    public static func tokenize(_ text: String) -> Outcome {
        var commands: [[Word]] = []
        var words: [Word] = []
        var current = ""
        var inWord = false
        var quoted = false
        var quote: Character? = nil
        var chars = Array(text)
        // A trailing `\` (outside quotes) before the end asks for another line.
        var i = 0
        func endWord() {
            if inWord { words.append(Word(current, quoted: quoted)) }
            current = ""; inWord = false; quoted = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { commands.append(words) }
            words = []
        }
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q {
                    quote = nil
                } else if q == "\"" && c == "\\" && i + 1 < chars.count {
                    let n = chars[i + 1]
                    switch n {
                    case "n": current.append("\n")
                    case "t": current.append("\t")
                    case "\\", "\"", "$", "`": current.append(n)
                    case "\n": break  // line continuation inside double quotes
                    default: current.append("\\"); current.append(n)
                    }
                    i += 1
                } else {
                    current.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case " ", "\t", "\r":
                endWord()
            case "\n":
                endWord()
            case ";":
                endCommand()
            case "#" where !inWord:
                // Comment to the end of the physical line.
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            case "\"", "'":
                if !inWord { quoted = true }
                quote = c; inWord = true
            case "\\":
                if i + 1 >= chars.count { return .incomplete(.continuation) }
                let n = chars[i + 1]
                if n == "\n" {
                    i += 2
                    continue
                }
                current.append(n); inWord = true
                i += 1
            default:
                current.append(c); inWord = true
            }
            i += 1
        }
        if let q = quote { return .incomplete(.openQuote(q)) }
        chars.removeAll()
        endCommand()
        return .complete(commands)
    }

    /// Quotes a word so that the tokenizer reads it back as it is: bare when safe, else in
    /// double quotes with escapes.
    public static func quote(_ s: String) -> String {
        let special: Set<Character> = [" ", "\t", "\n", "\r", "\"", "'", "\\", ";", "#"]
        if !s.isEmpty && !s.contains(where: { special.contains($0) }) { return s }
        var out = "\""
        for ch in s {
            switch ch {
            case "\"", "\\", "$", "`": out.append("\\"); out.append(ch)
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
    public struct Partial: Equatable, Sendable {
        public var words: [Word]
        public var current: String
        public var start: Int
        public var openQuote: Character?
    }

    public static func partial(_ line: String, cursor: Int) -> Partial {
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
                if c == q { quote = nil }
                else if q == "\"" && c == "\\" && i + 1 < chars.count { current.append(chars[i + 1]); i += 1 }
                else { current.append(c) }
                i += 1; continue
            }
            switch c {
            case " ", "\t":
                if inWord { words.append(Word(current, quoted: quoted)) }
                current = ""; inWord = false; quoted = false
            case ";":
                if inWord { words.append(Word(current, quoted: quoted)) }
                words = []; current = ""; inWord = false; quoted = false
            case "\"", "'":
                if !inWord { start = i }
                quote = c; inWord = true; quoted = true
            case "\\" where i + 1 < chars.count:
                if !inWord { start = i }
                current.append(chars[i + 1]); inWord = true; i += 1
            default:
                if !inWord { start = i }
                current.append(c); inWord = true
            }
            i += 1
        }
        if !inWord { start = chars.count }
        return Partial(words: words, current: current, start: start, openQuote: quote)
    }
}
