import Foundation
import Testing

@testable import ParleyX

/// parley's JSON reader must read what Foundation reads, and refuse what it refuses.
@Suite struct JSONValueTests {
    /// Foundation's reading of a document, in `JSONValue`'s terms.
    static func foundation(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        case let a as [Any]: return .array(a.map(foundation))
        case let o as [String: Any]:
            return .object(o.keys.sorted().map { JSONMember(key: $0, value: foundation(o[$0]!)) })
        default: return .string("unexpected \(type(of: any))")
        }
    }

    /// Objects with their keys sorted and repeated keys dropped, to compare with a dictionary.
    static func normalized(_ v: JSONValue) -> JSONValue {
        switch v {
        case .array(let a): return .array(a.map(normalized))
        case .object(let members):
            var last: [String: JSONValue] = [:]
            for m in members { last[m.key] = normalized(m.value) }
            return .object(last.keys.sorted().map { JSONMember(key: $0, value: last[$0]!) })
        default: return v
        }
    }

    static let documents = [
        #"{"data": [{"id": "1460323737035677698", "text": "@acme_help my order", "author_id": "200"}], "meta": {"result_count": 1, "next_token": "b26v89c19zqg8o3fpe"}}"#,
        #"{"s": "quote \" backslash \\ slash \/ \b\f\n\r\t", "u": "\u00e9\u65e5\ud83c\udf89", "raw": "naïve 日本 🎉"}"#,
        #"{"esc": "\u001b[2J\u0007\u0000 end", "lower": "\u00E9\u00e9", "empty": "", "sql": "'; DROP TABLE messages; --"}"#,
        #"[1, -0, 0.5, -12.25e3, 1E+2, 3e-2, true, false, null, [], {}, [[]], {"a": {"b": [null]}}]"#,
        #"  {"twice": 1, "twice": 2}  "#, #""just a string""#, "42", "\n\t [ ] \r\n",
    ]

    @Test func readsWhatFoundationReads() throws {
        for doc in Self.documents {
            let data = Data(doc.utf8)
            let expected = Self.foundation(try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed))
            #expect(Self.normalized(try JSONValue.parse(data)) == expected, "\(doc)")
        }
    }

    @Test func keepsHostileTextExactly() throws {
        let text = "\u{1b}]0;owned\u{7} \u{202E}evil\u{202C} \"q\" \\ e\u{301} 👩‍👩‍👧 \u{0}"
        let data = try JSONSerialization.data(withJSONObject: ["text": text])
        #expect(try JSONValue.parse(data)["text"]?.string == text)
        // As Python's json.dumps writes it: every non-ASCII character escaped, pairs for emoji.
        let escaped =
            #"{"text": "\u001b]0;owned\u0007 \u202eevil\u202c \"q\" \\ e\u0301 \ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67 \u0000"}"#
        #expect(try JSONValue.parse(Data(escaped.utf8))["text"]?.string == text)
    }

    @Test func aLoneSurrogateIsReadAsTheReplacementCharacter() throws {
        #expect(try JSONValue.parse(Data(#""a\ud83cb""#.utf8)).string == "a\u{FFFD}b")
        #expect(try JSONValue.parse(Data(#""\udc69\ud83d\u0041""#.utf8)).string == "\u{FFFD}\u{FFFD}A")
    }

    @Test func refusesWhatIsNotJSON() throws {
        let broken = [
            "", "{", #"{"data": [ {"id": oops"#, #"{"a" 1}"#, #"{"a": 1,}"#, "[1 2]", "[01]", "[1.]", "[-]",
            "{} x", "{\"a\": \"line\nbreak\"}", #""\x""#, #""\u12""#, "tru", "nul", "[1e]", #"{"a": "open"#,
            #"{1: 2}"#,
        ]
        for doc in broken {
            #expect(throws: JSONSyntaxError.self, "\(doc)") { try JSONValue.parse(Data(doc.utf8)) }
        }
        // Bytes that are not UTF-8, and nesting that would exhaust the stack.
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Data([0x22, 0xC3, 0x28, 0x22])) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Data(String(repeating: "[", count: 100_000).utf8)) }
        #expect(
            try JSONValue.parse(Data((String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).utf8))
                != .null)
    }

    @Test func membersAreFoundByKeyAndTheLastRepeatWins() throws {
        let v = try JSONValue.parse(
            Data(#"{"meta": {"next_token": "t1"}, "k": 1, "k": 2, "list": [{"id": "9"}]}"#.utf8))
        #expect(v["meta"]?["next_token"]?.string == "t1")
        #expect(v["k"]?.number == 2)
        #expect(v["list"]?.array?.first?["id"]?.string == "9")
        #expect(v["missing"] == nil && v["list"]?["id"] == nil && v["k"]?.string == nil)
    }
}
