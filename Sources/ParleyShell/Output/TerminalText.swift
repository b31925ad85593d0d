/// Text on its way to a terminal. Customers and other users write what parley shows; a control
/// character or a bidirectional override in that text must never act on the reader's terminal
/// (retitle it, clear it, move the cursor, reverse what follows). Every human-facing line parley
/// prints passes through here: such characters are shown escaped, `\n`, `\r`, `\t`, or `\u{1b}`.
/// JSON and CSV output keep the exact text instead (see `Renderer`).
package enum TerminalText {
    /// Whether a scalar must not reach a terminal as it is: C0 controls, DEL, C1 controls,
    /// and the bidirectional embeddings, overrides and isolates.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Whether the text holds nothing to escape.
    package static func isSafe(_ text: String) -> Bool {
        // Printable ASCII, nearly all of what parley prints, is read a byte at a time.
        let printable = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
        if printable == true { return true }
        return !text.unicodeScalars.contains(where: isUnsafe)
    }

    /// The text on one line: every unsafe scalar escaped, line breaks included.
    package static func escaped(_ text: String) -> String {
        escape(text, keepingLineFeeds: false)
    }

    /// The text with its line feeds kept (parley's own multi-line output: help, sentences of
    /// several lines); every other unsafe scalar escaped, a carriage return too.
    package static func escapedLines(_ text: String) -> String {
        escape(text, keepingLineFeeds: true)
    }

    /// The notation of one unsafe scalar.
    package static func notation(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }

    static func escape(_ text: String, keepingLineFeeds: Bool) -> String {
        // Printable ASCII (and line feeds, when kept) goes through as it is, read a byte at a time.
        let printable = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || (keepingLineFeeds && $0 == 0x0A) }
        }
        if printable == true { return text }
        guard !isSafe(text) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isUnsafe(scalar) || (keepingLineFeeds && scalar == "\n") {
                out.append(scalar)
            } else {
                out.append(contentsOf: notation(scalar).unicodeScalars)
            }
        }
        return String(out)
    }
}

/// The session's output as people see it: every line written goes through
/// `TerminalText.escapedLines`, whatever command wrote it. `exact` is the stream underneath, for
/// output that must keep the text as it is (CSV).
final class TerminalSafeIO: ShellIO {
    let exact: ShellIO

    init(_ exact: ShellIO) {
        self.exact = exact
    }

    func out(_ text: String) {
        exact.out(TerminalText.escapedLines(text))
    }

    func err(_ text: String) {
        exact.err(TerminalText.escapedLines(text))
    }

    var isInteractive: Bool { exact.isInteractive }

    func readSecret(prompt: String) -> PromptAnswer? {
        exact.readSecret(prompt: TerminalText.escaped(prompt))
    }

    func ask(prompt: String) -> PromptAnswer? {
        exact.ask(prompt: TerminalText.escaped(prompt))
    }
}
