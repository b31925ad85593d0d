import Foundation

/// A JSON document as parley reads X's answers. Read by `JSONValue.parse`, a reader over the
/// bytes: Foundation's `JSONSerialization` builds bridged dictionaries and boxed values, and
/// cost a sync more than storing what it read.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order; a key given twice is read as its last value, as Foundation does.
    case object([JSONMember])

    package var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var number: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    package var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    package var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Reads a whole document (RFC 8259, UTF-8); throws `JSONSyntaxError` saying what and where.
    package static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            let value = try reader.document()
            return value
        }
    }
}

package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var value: JSONValue
}

/// Where a document stops being JSON.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var reason: String
    package var description: String { "\(reason) at byte \(offset)" }
}

/// The reader behind `JSONValue.parse`: one pass over the bytes, strings decoded straight from them.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    /// Deeper documents are refused rather than read with a recursion that could end the process.
    static let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, reason: reason) }

    mutating func document() throws -> JSONValue {
        let v = try value()
        skipBlanks()
        guard i == bytes.count else { throw fail("text after the document") }
        return v
    }

    mutating func skipBlanks() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value() throws -> JSONValue {
        skipBlanks()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString, _ v: JSONValue) throws -> JSONValue {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count,
            (0..<n).allSatisfy({ bytes[i + $0] == word.utf8Start[$0] })
        else { throw fail("unknown word") }
        i += n
        return v
    }

    mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth)") }
    }

    mutating func object() throws -> JSONValue {
        try enter()
        i += 1
        var members: [JSONMember] = []
        skipBlanks()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipBlanks()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipBlanks()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            members.append(JSONMember(key: key, value: try value()))
            skipBlanks()
            guard i < bytes.count else { throw fail("unexpected end") }
            i += 1
            if bytes[i - 1] == UInt8(ascii: "}") { break }
            guard bytes[i - 1] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
        }
        depth -= 1
        return .object(members)
    }

    mutating func array() throws -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipBlanks()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipBlanks()
            guard i < bytes.count else { throw fail("unexpected end") }
            i += 1
            if bytes[i - 1] == UInt8(ascii: "]") { break }
            guard bytes[i - 1] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
        }
        depth -= 1
        return .array(items)
    }

    mutating func number() throws -> Double {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let whole = i
        guard digits() > 0 else { throw fail("not a value") }
        guard bytes[whole] != 0x30 || i == whole + 1 else { throw fail("a number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail("no digit after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("no digit in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let n = Double(text) else { throw fail("not a number") }
        return n
    }
}

extension JSONReader {
    /// A string, from its opening quote. Text without escapes is taken from the bytes as they are;
    /// the text must be valid UTF-8.
    mutating func string() throws -> String {
        i += 1
        let start = i
        var ascii = true
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let part = UnsafeBufferPointer(rebasing: bytes[start..<i])
                // ASCII is UTF-8 as it is: made a String without the validating reader.
                let s = ascii ? String(decoding: part, as: UTF8.self) : try utf8(part)
                i += 1
                return s
            }
            if b >= 0x80 { ascii = false }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard b >= 0x20 else { throw fail("a control character inside a string") }
            i += 1
        }
        throw fail("unterminated string")
    }

    func utf8(_ part: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let s = String(validating: part, as: UTF8.self) else { throw fail("a string that is not UTF-8") }
        return s
    }

    /// The rest of a string that holds escapes, decoded into a buffer.
    mutating func escapedString(from start: Int) throws -> String {
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return try out.withUnsafeBufferPointer { try utf8($0) }
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            default:
                guard b >= 0x20 else { throw fail("a control character inside a string") }
                out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    mutating func escape(into out: inout [UInt8]) throws {
        guard i < bytes.count else { throw fail("unterminated string") }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): out.append(contentsOf: String(Character(try unicodeEscape())).utf8)
        default: throw fail("an unknown escape")
        }
    }

    /// `\uXXXX` after its `\u`, with the low half of a surrogate pair when one follows. A lone
    /// surrogate names no character: it is read as U+FFFD, as a decoder of UTF-16 reads it.
    mutating func unicodeEscape() throws -> Unicode.Scalar {
        let unit = try hex4()
        if (0xD800...0xDBFF).contains(unit), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
            bytes[i + 1] == UInt8(ascii: "u")
        {
            let saved = i
            i += 2
            let low = try hex4()
            if (0xDC00...0xDFFF).contains(low) {
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            i = saved
        }
        return Unicode.Scalar(unit) ?? "\u{FFFD}"
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("a short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw fail("a \\u escape that is not hexadecimal")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
