import CLineEdit
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one `LineEditor.readLine(prompt:)` produced.
package enum LineReadResult: Equatable, Sendable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C: the line was abandoned; the cursor is on a fresh line.
    case interrupted
    /// Ctrl-D on an empty line, or the terminal went away; the cursor is on
    /// a fresh line.
    case endOfFile
}

/// The completer's answer for the word before the cursor.
package struct CompletionReply: Equatable, Sendable {
    /// Character index where the word being completed starts.
    package var replaceFrom: Int
    /// Replaces the text from `replaceFrom` to the cursor: the candidates'
    /// common prefix, already quoted. Empty when there is nothing to add.
    package var insertion: String
    /// Everything that matches, as shown in the list on a second Tab.
    package var candidates: [String]
    /// Add a space after a unique, complete match.
    package var appendSpace: Bool

    package init(replaceFrom: Int, insertion: String, candidates: [String], appendSpace: Bool = true) {
        self.replaceFrom = replaceFrom
        self.insertion = insertion
        self.candidates = candidates
        self.appendSpace = appendSpace
    }

    package static func nothing(at cursor: Int) -> CompletionReply {
        CompletionReply(replaceFrom: cursor, insertion: "", candidates: [], appendSpace: false)
    }
}

/// The editor of this process, for libedit's C callbacks (Tab), which cannot
/// capture Swift context. parley creates a single `LineEditor` and uses it
/// from one thread; the callbacks run synchronously inside `readLine` on that
/// thread, so this unsynchronised global is never accessed concurrently.
nonisolated(unsafe) private var activeLineEditor: LineEditor?

/// libedit could not be loaded: `reason` says why and what to install.
package struct LineEditorUnavailable: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}

/// Interactive line input over libedit: emacs keys, Ctrl-R reverse search,
/// persistent history, Tab completion, Ctrl-C/Ctrl-D handling, UTF-8.
///
/// Only for a terminal on stdin; non-interactive input does not use it.
package final class LineEditor {
    let historyFile: String?
    let historyLimit: Int
    /// Called on Tab with the whole line and the cursor as a Character index.
    package var completer: ((_ line: String, _ cursor: Int) -> CompletionReply)?

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    /// Entries the history file holds (approximately: other processes append too).
    private var fileEntries = 0
    private var lastTab: (keys: UInt, line: String, cursor: Int)?

    /// Fails only when libedit cannot be loaded (it is loaded here, on first use, not at start).
    package init(programName: String, historyFile: String?, historyLimit: Int = 10_000) throws(LineEditorUnavailable) {
        if let why = cle_load() { throw LineEditorUnavailable(reason: String(cString: why)) }
        self.historyFile = historyFile
        self.historyLimit = max(1, historyLimit)

        // Before el_init: libedit reads the character classes at init.
        _ = cle_setup_utf8_locale()

        guard let history = cle_history_init() else { fatalError("libedit: history_init failed") }
        self.history = history
        _ = cle_history_int(history, &event, H_SETSIZE, Int32(clamping: self.historyLimit))
        _ = cle_history_int(history, &event, H_SETUNIQUE, 1)
        if let file = historyFile {
            _ = cle_mkdirs(LineEditor.directory(of: file), 0o700)
            let lines = Int(cle_history_load(history, file))
            fileEntries = max(0, lines)
            if lines > self.historyLimit {
                _ = cle_history_compact(file, Int32(clamping: self.historyLimit))
                fileEntries = self.historyLimit
            }
        }

        guard let editLine = cle_el_init(programName) else { fatalError("libedit: el_init failed") }
        self.editLine = editLine
        _ = cle_configure(editLine, history)
        _ = cle_el_addfn(editLine, "parley-complete", "Complete the word before the cursor") { el, _ in
            guard let el, let editor = activeLineEditor else { return UInt8(CC_ERROR) }
            return editor.completeAtCursor(el)
        }
        _ = cle_el_set_str2(editLine, EL_BIND, "^I", "parley-complete")
        cle_set_composer { base, mark in
            guard let base = Unicode.Scalar(UInt32(bitPattern: base)),
                let mark = Unicode.Scalar(UInt32(bitPattern: mark)),
                let composed = LineEditor.composed(base, mark)
            else { return 0 }
            return wchar_t(bitPattern: composed.value)
        }
        activeLineEditor = self
    }

    deinit {
        cle_el_end(editLine)
        cle_history_end(history)
        if activeLineEditor === self { activeLineEditor = nil }
    }

    /// Reads one line with `prompt` (which may differ on every call, e.g. the
    /// continuation prompt `...> `).
    package func readLine(prompt: String) -> LineReadResult {
        activeLineEditor = self
        lastTab = nil
        cle_set_prompt(prompt)
        var status: Int32 = 0
        let raw = cle_read_line(editLine, &status)
        defer { free(raw) }
        switch Int(status) {
        case Int(CLE_LINE):
            guard let raw else { return .endOfFile }
            return .line(String(cString: raw))
        case Int(CLE_INTERRUPTED):
            return .interrupted
        default:
            return .endOfFile
        }
    }

    /// Adds a line to the history (in memory and appended to the history file).
    /// Blank lines and a repeat of the newest entry are skipped. The caller
    /// keeps secrets out.
    package func addToHistory(_ line: String) {
        if line.allSatisfy({ $0.isWhitespace }) { return }
        if newestEntry() == line { return }
        _ = cle_history_string(history, &event, H_ENTER, line)
        guard let file = historyFile else { return }
        if cle_history_append(file, line) == 0 {
            fileEntries += 1
        }
        if fileEntries > historyLimit + max(256, historyLimit / 4) {
            _ = cle_history_compact(file, Int32(clamping: historyLimit))
            fileEntries = historyLimit
        }
    }

    /// History entries, oldest first.
    package func historyEntries() -> [String] {
        var entries: [String] = []
        var rc = cle_history_void(history, &event, H_LAST)
        while rc == 0 {
            if let s = event.str { entries.append(String(cString: s)) }
            rc = cle_history_void(history, &event, H_PREV)
        }
        return entries
    }

    /// Rewrites the history file keeping its newest `historyLimit` entries.
    /// Lines are already appended as they are added, so this only compacts;
    /// entries other parley processes appended meanwhile are kept.
    package func saveHistory() {
        guard let file = historyFile else { return }
        if cle_history_compact(file, Int32(clamping: historyLimit)) == 0 {
            fileEntries = min(fileEntries, historyLimit)
        }
    }

    // MARK: - Completion

    private func newestEntry() -> String? {
        guard cle_history_void(history, &event, H_FIRST) == 0, let s = event.str else { return nil }
        return String(cString: s)
    }

    /// The Tab function: `completer`, then insert, list on a second Tab, or beep.
    fileprivate func completeAtCursor(_ el: OpaquePointer) -> UInt8 {
        guard let completer else { return UInt8(CC_ERROR) }
        var cursorScalars: Int32 = 0
        guard let raw = cle_current_line(el, &cursorScalars) else { return UInt8(CC_ERROR) }
        let line = String(cString: raw)
        free(raw)
        let characters = Array(line)
        let cursor = LineEditor.characterOffset(in: characters, scalarOffset: Int(cursorScalars))

        let keys = UInt(cle_keys_read())
        let consecutive = lastTab.map { $0.keys &+ 1 == keys && $0.line == line && $0.cursor == cursor } ?? false
        lastTab = (keys, line, cursor)

        let reply = completer(line, cursor)
        let from = max(0, min(reply.replaceFrom, cursor))
        let existing = String(characters[from..<cursor])
        let unique = reply.candidates.count == 1

        if !reply.insertion.isEmpty && reply.insertion != existing {
            cle_delete_before(el, Int32(existing.unicodeScalars.count))
            var text = reply.insertion
            if unique && reply.appendSpace && !LineEditor.spaceFollows(characters, cursor) { text += " " }
            _ = cle_insert(el, text)
            rememberLine(el, keys: keys)
            return UInt8(CC_REFRESH)
        }
        if unique {
            // Already complete: only the separating space may be missing.
            if reply.appendSpace && cursor > 0 && !LineEditor.spaceFollows(characters, cursor)
                && !characters[cursor - 1].isWhitespace
            {
                _ = cle_insert(el, " ")
                rememberLine(el, keys: keys)
                return UInt8(CC_REFRESH)
            }
            return UInt8(CC_NORM)
        }
        if reply.candidates.count > 1 && consecutive {
            let listing = LineEditor.columns(reply.candidates, width: Int(cle_columns(el)))
            cle_print_below(el, listing)
            return UInt8(CC_REDISPLAY)
        }
        return UInt8(CC_ERROR)  // beep: nothing to add (yet)
    }

    private func rememberLine(_ el: OpaquePointer, keys: UInt) {
        var cursorScalars: Int32 = 0
        guard let raw = cle_current_line(el, &cursorScalars) else {
            lastTab = nil
            return
        }
        let line = String(cString: raw)
        free(raw)
        let cursor = LineEditor.characterOffset(in: Array(line), scalarOffset: Int(cursorScalars))
        lastTab = (keys, line, cursor)
    }

    private static func spaceFollows(_ characters: [Character], _ cursor: Int) -> Bool {
        cursor < characters.count && characters[cursor] == " "
    }

    /// The single character `base` followed by the combining `mark` is
    /// canonically equivalent to (NFC), if any: e + U+0301 gives é.
    static func composed(_ base: Unicode.Scalar, _ mark: Unicode.Scalar) -> Unicode.Scalar? {
        var pair = ""
        pair.unicodeScalars.append(base)
        pair.unicodeScalars.append(mark)
        let scalars = pair.precomposedStringWithCanonicalMapping.unicodeScalars
        return scalars.count == 1 ? scalars.first : nil
    }

    /// Character index of the position `scalarOffset` Unicode scalars into
    /// the line (libedit counts wide characters, i.e. scalars). A position
    /// inside a multi-scalar Character rounds up past it.
    static func characterOffset(in characters: [Character], scalarOffset: Int) -> Int {
        var scalars = 0
        var index = 0
        while index < characters.count && scalars < scalarOffset {
            scalars += characters[index].unicodeScalars.count
            index += 1
        }
        return index
    }

    /// Candidates in columns, filled top to bottom then left to right, fitted
    /// to `width` terminal columns.
    static func columns(_ items: [String], width: Int) -> String {
        guard !items.isEmpty else { return "" }
        let widths = items.map { Int(cle_display_width($0)) }
        let cell = (widths.max() ?? 0) + 2
        let perRow = max(1, (max(width, 1) + 1) / cell)
        let rows = (items.count + perRow - 1) / perRow
        var lines: [String] = []
        for row in 0..<rows {
            var text = ""
            for col in 0..<perRow {
                let i = col * rows + row
                guard i < items.count else { break }
                let isLast = col == perRow - 1 || (col + 1) * rows + row >= items.count
                text += items[i]
                if !isLast { text += String(repeating: " ", count: cell - widths[i]) }
            }
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
