/// parley's statements as PostgreSQL reads them. The store writes each statement once, with
/// `?` placeholders (and `?NNN` for a numbered one); PostgreSQL numbers its own (`$1`, `$2`).
/// Everything else in the text is SQL both engines read (see `SQLDialect` for what differs).
enum PostgresStatement {
    /// `sql` with its placeholders numbered PostgreSQL's way. Text inside quotes ('…', "…") and
    /// comments is left as it is.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var next = 1
        var quote: Character? = nil
        var lineComment = false
        var chars = Array(sql)
        chars.append(" ")
        var i = 0
        while i < chars.count - 1 {
            let c = chars[i]
            if lineComment {
                if c == "\n" { lineComment = false }
                out.append(c)
            } else if let q = quote {
                out.append(c)
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "-" && chars[i + 1] == "-" {
                lineComment = true
                out.append(c)
            } else if c == "?" {
                var digits = ""
                while i + 1 < chars.count - 1, chars[i + 1].isASCII, chars[i + 1].isNumber {
                    digits.append(chars[i + 1])
                    i += 1
                }
                if digits.isEmpty {
                    out += "$\(next)"
                    next += 1
                } else {
                    out += "$" + digits
                }
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    /// The type each value is bound as: the statement's values decide, NULL by the Swift type
    /// it came from, so `$1 IS NULL` and `x = $1` type the same way as a value would.
    static func types(_ values: [SQLValue]) -> [PostgresConnection.ParameterType] {
        values.map { value in
            switch value.type {
            case .integer: return .bigint
            case .real: return .doublePrecision
            case .text: return .text
            case .unknown: return .inferred
            }
        }
    }
}
