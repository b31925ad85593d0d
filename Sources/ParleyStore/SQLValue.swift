/// The kinds of value parley's columns hold, the same on every engine: SQLite stores them as
/// they are; PostgreSQL receives them as typed text parameters (`bigint`, `double precision`,
/// `text`) and returns text, read back here by the type the code asks for.
package enum SQLType: Sendable, Equatable {
    case integer, real, text
    /// A NULL written as `nil` in a list of arguments: its column decides.
    case unknown
}

/// One value bound to a statement or read from a row.
package enum SQLValue: Sendable, Equatable {
    /// NULL, with the type a parameter would have had (PostgreSQL needs it to type `$n IS NULL`).
    case null(SQLType)
    case integer(Int64)
    case real(Double)
    case text(String)

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var type: SQLType {
        switch self {
        case .null(let t): return t
        case .integer: return .integer
        case .real: return .real
        case .text: return .text
        }
    }

    /// As PostgreSQL's text format writes it; nil for NULL.
    var text: String? {
        switch self {
        case .null: return nil
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .text(let s): return s
        }
    }
}

/// A Swift value a statement can bind. Booleans are stored as 0 and 1 (on PostgreSQL too, in
/// `bigint` columns), so the same SQL compares them on both engines (`enabled = 1`).
package protocol SQLBindable {
    var sqlValue: SQLValue { get }
    static var sqlType: SQLType { get }
}

extension Int64: SQLBindable {
    package var sqlValue: SQLValue { .integer(self) }
    package static var sqlType: SQLType { .integer }
}

extension Int: SQLBindable {
    package var sqlValue: SQLValue { .integer(Int64(self)) }
    package static var sqlType: SQLType { .integer }
}

extension Bool: SQLBindable {
    package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    package static var sqlType: SQLType { .integer }
}

extension Double: SQLBindable {
    package var sqlValue: SQLValue { .real(self) }
    package static var sqlType: SQLType { .real }
}

extension String: SQLBindable {
    package var sqlValue: SQLValue { .text(self) }
    package static var sqlType: SQLType { .text }
}

extension Substring: SQLBindable {
    package var sqlValue: SQLValue { .text(String(self)) }
    package static var sqlType: SQLType { .text }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    package var sqlValue: SQLValue { self?.sqlValue ?? .null(Wrapped.sqlType) }
    package static var sqlType: SQLType { Wrapped.sqlType }
}

/// The values bound to one statement's `?` placeholders, in order.
package struct SQLArguments: ExpressibleByArrayLiteral, Sendable, Equatable {
    package var values: [SQLValue]

    package init(_ values: [any SQLBindable]) {
        self.values = values.map(\.sqlValue)
    }

    package init(values: [SQLValue]) {
        self.values = values
    }

    /// An optional keeps its type when NULL (`Int64?.none` binds as a NULL bigint).
    package init(arrayLiteral elements: any SQLBindable...) {
        values = elements.map(\.sqlValue)
    }

    package static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        SQLArguments(values: lhs.values + rhs.values)
    }
}

/// A Swift value a column can be read as. Reading NULL into a non-optional type is a
/// programming error (the schema or the query promised a value), as it is in GRDB.
package protocol SQLColumnValue {
    static func fromSQL(_ value: SQLValue) -> Self
}

extension SQLColumnValue {
    static func missing(_ value: SQLValue) -> Never {
        fatalError("parley's store read \(value) where the query promised a \(Self.self)")
    }
}

extension Int64: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> Int64 {
        switch value {
        case .integer(let i): return i
        case .real(let d): return Int64(d)
        case .text(let s):
            if let i = Int64(s) { return i }
            // PostgreSQL writes booleans (`EXISTS (…)`, `x IS NOT NULL`) as t and f.
            if s == "t" || s == "true" { return 1 }
            if s == "f" || s == "false" { return 0 }
            if let d = Double(s) { return Int64(d) }
            missing(value)
        case .null: missing(value)
        }
    }
}

extension Int: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> Int { Int(Int64.fromSQL(value)) }
}

extension Bool: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> Bool { Int64.fromSQL(value) != 0 }
}

extension Double: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> Double {
        switch value {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        case .text(let s):
            guard let d = Double(s) else { missing(value) }
            return d
        case .null: missing(value)
        }
    }
}

extension String: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> String {
        guard let text = value.text else { missing(value) }
        return text
    }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    package static func fromSQL(_ value: SQLValue) -> Wrapped? {
        value.isNull ? nil : Wrapped.fromSQL(value)
    }
}

/// One row a statement returned: its values by position (`row[0]`) or by column name
/// (`row["email"]`, ignoring case), read as the type asked for.
package struct StoreRow: Sendable {
    let columns: [String]
    let values: [SQLValue]

    package subscript<T: SQLColumnValue>(_ index: Int) -> T {
        T.fromSQL(values[index])
    }

    package subscript<T: SQLColumnValue>(_ name: String) -> T {
        T.fromSQL(value(named: name))
    }

    func value(named name: String) -> SQLValue {
        if let i = columns.firstIndex(of: name) { return values[i] }
        if let i = columns.firstIndex(where: { $0.lowercased() == name.lowercased() }) {
            return values[i]
        }
        fatalError("parley's store asked for a column \(name) the query does not return")
    }
}
