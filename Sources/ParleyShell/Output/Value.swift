import Foundation

/// A value in a command's output, printable as a table cell, CSV field or JSON value.
package indirect enum Value: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([Value])
    case object([(String, Value)])

    package static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// How a table cell or CSV field shows it.
    package var plain: String {
        switch self {
        case .null: return "-"
        case .bool(let b): return b ? "on" : "off"
        case .int(let i): return String(i)
        case .string(let s): return s
        case .array(let a): return a.map(\.plain).joined(separator: ",")
        case .object(let o): return o.map { "\($0.0)=\($0.1.plain)" }.joined(separator: " ")
        }
    }

    package var json: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): Value.writeJSONString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.writeJSON(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                Value.writeJSONString(k, into: &out)
                out += ":"
                v.writeJSON(into: &out)
            }
            out += "}"
        }
    }

    static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // Controls, bidi overrides and line separators as \u escapes: the JSON stays one
                // terminal-safe line and decodes to the exact text.
                if TerminalText.isUnsafe(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    package init(stringLiteral s: String) { self = .string(s) }
    package init(integerLiteral i: Int64) { self = .int(i) }
    package init(booleanLiteral b: Bool) { self = .bool(b) }
    package static func of(_ s: String?) -> Value { s.map(Value.string) ?? .null }
    package static func of(_ i: Int64?) -> Value { i.map(Value.int) ?? .null }
    package static func of(_ i: Int) -> Value { .int(Int64(i)) }
    package static func strings(_ a: [String]) -> Value { .array(a.map(Value.string)) }
}

/// Rows under named columns. Column names are the JSON keys: snake_case.
package struct Table: Sendable, Equatable {
    package var columns: [String]
    package var rows: [[Value]]
    /// Printed under the table in table mode only (`3 conversations; more with --after 57`).
    package var footer: String?
    package init(columns: [String], rows: [[Value]], footer: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.footer = footer
    }
}

/// What a command prints.
package enum CommandOutput: Sendable, Equatable {
    case none
    /// A sentence for people, on one line; with JSON, `{"message": …}` plus the fields of `record`.
    case done(String, record: [(String, Value)] = [])
    /// Sentences for people, one line each (a sync of several channels); with JSON, `{"message": …}`
    /// holding them joined by line feeds, plus the fields of `record`.
    case lines([String], record: [(String, Value)] = [])
    case table(Table)
    /// One object (`show`): key/value lines, with nested tables printed below.
    case record([(String, Value)], sections: [(String, Table)] = [])
    /// Pre-formatted text (help, charts) that only table mode prints as it is; JSON gets `{"text": …}`.
    case text(String)
    /// Text already in its final format (`report --format csv`), printed as it is in every mode.
    case raw(String)
    /// Something the shell itself must do (leave, run a script, a transaction): the runner acts
    /// on it, so no command holds the shell. Prints nothing.
    case control(ShellControl)

    package static func == (a: CommandOutput, b: CommandOutput) -> Bool {
        Value.object(a.jsonObjectForm) == Value.object(b.jsonObjectForm)
    }

    /// Output already in its final format (`.raw`): printed as it is.
    var isPreRendered: Bool {
        if case .raw = self { return true }
        return false
    }

    var jsonObjectForm: [(String, Value)] {
        switch self {
        case .none: return []
        case .control(let c): return [("control", .string(c.name))]
        case .done(let m, let r): return [("message", .string(m))] + r
        case .lines(let l, let r): return [("message", .string(l.joined(separator: "\n")))] + r
        case .table(let t): return [("table", .array(t.rows.map { .array($0) })), ("columns", .strings(t.columns))]
        case .record(let r, let s): return r + s.map { ($0.0, .array($0.1.rows.map { .array($0) })) }
        case .text(let t), .raw(let t): return [("text", .string(t))]
        }
    }
}

/// What a command asks of the shell that runs it.
package enum ShellControl: Sendable, Equatable {
    /// `exit`, `quit` and their aliases (the name as typed, for messages).
    case exit(command: String)
    /// `source FILE`, the path as given.
    case source(String)
    case begin
    case commit
    case rollback

    var name: String {
        switch self {
        case .exit: return "exit"
        case .source: return "source"
        case .begin: return "begin"
        case .commit: return "commit"
        case .rollback: return "rollback"
        }
    }
}
