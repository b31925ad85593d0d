import ParleyCore

package enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv

    package static func parse(_ s: String) throws -> OutputFormat {
        if let f = OutputFormat(rawValue: s.lowercased()) { return f }
        throw ParleyError.invalidValue(
            "'\(s)' is not an output format: use table, json or csv"
                + Suggest.didYouMean(s, among: allCases.map(\.rawValue)))
    }
}

/// Renders command output in the session's format.
package enum Renderer {
    package static func render(_ output: CommandOutput, as format: OutputFormat) -> String? {
        if case .raw(let text) = output { return text }
        switch format {
        case .table: return table(output)
        case .json: return json(output)
        case .csv: return csv(output)
        }
    }

    // MARK: Table

    /// Every value and sentence is escaped for the terminal on one line (`TerminalText.escaped`): a
    /// line break in a value shows as `\n`. Only parley's own text (help, charts) keeps its line
    /// breaks (`TerminalText.escapedLines`).
    static func table(_ output: CommandOutput) -> String? {
        switch output {
        case .none, .control: return nil
        case .done(let m, _): return TerminalText.escaped(m)
        case .lines(let l, _): return l.map(TerminalText.escaped).joined(separator: "\n")
        case .text(let t), .raw(let t): return TerminalText.escapedLines(t)
        case .table(let t): return aligned(t)
        case .record(let fields, let sections):
            let width = fields.map { $0.0.count }.max() ?? 0
            var lines = fields.map { key, value -> String in
                let label = String(key.map { $0 == "_" ? " " : $0 })
                let shown = value == .array([]) ? "-" : TerminalText.escaped(value.plain)
                return label + String(repeating: " ", count: width - key.count + 2) + shown
            }
            for (title, t) in sections {
                lines.append("")
                lines.append(String(title.map { $0 == "_" ? " " : $0 }) + ":")
                let body = aligned(t).split(separator: "\n", omittingEmptySubsequences: false)
                lines.append(t.rows.isEmpty ? "  (none)" : body.map { "  " + $0 }.joined(separator: "\n"))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Columns padded to their widest cell (in terminal columns), headers in capitals.
    package static func aligned(_ t: Table) -> String {
        if t.rows.isEmpty { return t.footer.map(TerminalText.escapedLines) ?? "(none)" }
        let header = t.columns.map { $0.uppercased() }
        let cells = t.rows.map { row in row.map { cellText($0 == .array([]) ? "-" : $0.plain) } }
        let headerWidths = header.map(displayWidth)
        let cellWidths = cells.map { $0.map(displayWidth) }
        var widths = headerWidths
        for row in cellWidths {
            for (i, w) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], w) }
        }
        // Written as UTF-8 bytes into one buffer, made a string once.
        var out: [UInt8] = []
        out.reserveCapacity((cells.count + 2) * (widths.reduce(0) { $0 + $1 + 2 } + 1))
        func line(_ row: [String], _ rowWidths: [Int]) {
            for (i, c) in row.enumerated() {
                out.append(contentsOf: c.utf8)
                if i < row.count - 1 {
                    out.append(contentsOf: repeatElement(0x20, count: widths[i] - rowWidths[i] + 2))
                }
            }
        }
        line(header, headerWidths)
        for (row, rowWidths) in zip(cells, cellWidths) {
            out.append(0x0A)
            line(row, rowWidths)
        }
        if let f = t.footer {
            out.append(0x0A)
            out.append(contentsOf: TerminalText.escapedLines(f).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell on one line: control and bidi characters escaped (a line break shows as `\n`), text past
    /// 120 characters cut with an ellipsis (JSON and CSV keep it whole).
    static func cellText(_ s: String) -> String {
        let flat = TerminalText.escaped(s)
        // No more bytes than 120 is no more characters either.
        if flat.utf8.count > 120 && flat.count > 120 { return String(flat.prefix(119)) + "…" }
        return flat
    }

    /// Terminal columns: wide East Asian characters and emoji take two.
    package static func displayWidth(_ s: String) -> Int {
        // Printable ASCII: one column a byte.
        let printable = s.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
        if printable == true { return s.utf8.count }
        var w = 0
        for ch in s {
            guard let v = ch.unicodeScalars.first?.value else { continue }
            if v < 0x20 { continue }
            let wide =
                (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            w += wide ? 2 : 1
        }
        return w
    }

    // MARK: JSON

    static func json(_ output: CommandOutput) -> String? {
        switch output {
        case .none, .control: return nil
        case .done(let m, let r): return Value.object([("message", .string(m))] + r).json
        case .lines(let l, let r): return Value.object([("message", .string(l.joined(separator: "\n")))] + r).json
        case .text(let t): return Value.object([("text", .string(t))]).json
        case .raw(let t): return t
        case .table(let t): return Value.array(t.rows.map { Value.object(Array(zip(t.columns, $0))) }).json
        case .record(let fields, let sections):
            return Value.object(
                fields
                    + sections.map { section in
                        (section.0, Value.array(section.1.rows.map { Value.object(Array(zip(section.1.columns, $0))) }))
                    }
            ).json
        }
    }

    // MARK: CSV (RFC 4180)

    // Fields keep the exact text, controls included: CSV is for programs. A sentence without
    // a record and help text are for people and are escaped as in table mode.

    static func csv(_ output: CommandOutput) -> String? {
        switch output {
        case .none, .control: return nil
        case .done(let m, let r):
            return r.isEmpty ? TerminalText.escaped(m) : csvRows([r.map(\.0), r.map(\.1.plainCSV)])
        case .lines(_, let r):
            return r.isEmpty ? table(output) : csvRows([r.map(\.0), r.map(\.1.plainCSV)])
        case .text(let t): return TerminalText.escapedLines(t)
        case .raw(let t): return t
        case .table(let t): return csvRows([t.columns] + t.rows.map { $0.map(\.plainCSV) })
        case .record(let fields, let sections):
            // The record, then each section as a block of its own after a blank line, its first
            // column naming the section on every row (`messages`, `notes`): nothing is dropped.
            var blocks = [csvRows([fields.map(\.0), fields.map(\.1.plainCSV)])]
            for (name, table) in sections {
                blocks.append(csvRows([["section"] + table.columns] + table.rows.map { [name] + $0.map(\.plainCSV) }))
            }
            return blocks.joined(separator: "\n\n")
        }
    }

    static func csvRows(_ rows: [[String]]) -> String {
        rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n")
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}

extension Value {
    /// CSV shows nulls as empty fields and lists joined by `;`.
    var plainCSV: String {
        switch self {
        case .null: return ""
        case .array(let a): return a.map(\.plainCSV).joined(separator: ";")
        case .bool(let b): return b ? "true" : "false"
        default: return plain
        }
    }
}
