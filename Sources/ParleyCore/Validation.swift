/// Limits on values users type (SPEC §1).
public enum Validation {
    public static let displayNameMax = 255
    public static let noteMax = 2000
    public static let nameMax = 255
    public static let tagMax = 100

    /// A channel display name: 1–255 characters, counted as characters.
    public static func displayName(_ text: String) throws -> String {
        let count = text.count
        guard count >= 1 else { throw ParleyError.invalidValue("a display name needs at least 1 character") }
        guard count <= displayNameMax else {
            throw ParleyError.invalidValue("a display name has at most \(displayNameMax) characters; this one has \(count)")
        }
        try noControlCharacters(text, what: "a display name")
        return text
    }

    /// A note: 1–2,000 characters.
    public static func note(_ text: String) throws -> String {
        let count = text.count
        guard !text.allSatisfy(\.isWhitespace) else { throw ParleyError.invalidValue("a note needs some text") }
        guard count <= noteMax else {
            throw ParleyError.invalidValue("a note has at most \(noteMax) characters; this one has \(count)")
        }
        return text
    }

    /// A person's or a team's name: 1–255 characters, no control characters.
    public static func name(_ text: String, what: String) throws -> String {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { throw ParleyError.invalidValue("\(what) needs at least 1 character") }
        guard trimmed.count <= nameMax else {
            throw ParleyError.invalidValue("\(what) has at most \(nameMax) characters; this one has \(trimmed.count)")
        }
        try noControlCharacters(trimmed, what: what)
        return trimmed
    }

    /// An email address: one `@` with text on both sides, no blanks, at most 254 characters.
    public static func email(_ text: String) throws -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 32 || (127..<160).contains($0.value) }),
              text.utf8.count <= 254 else {
            throw ParleyError.invalidValue("'\(text)' is not an email address (like ada@acme.example)")
        }
        return text
    }

    /// A tag: a free label of 1–100 characters without blanks.
    public static func tag(_ text: String) throws -> String {
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
            throw ParleyError.invalidValue("'\(text)' is not a tag: a tag is one word without blanks")
        }
        guard text.count <= tagMax else {
            throw ParleyError.invalidValue("a tag has at most \(tagMax) characters")
        }
        try noControlCharacters(text, what: "a tag")
        return text
    }

    /// A Twitter @handle: 1–15 letters, digits or underscores; the `@` is optional when typed.
    public static func handle(_ text: String) throws -> String {
        let bare = text.hasPrefix("@") ? String(text.dropFirst()) : text
        guard (1...15).contains(bare.count),
              bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ParleyError.invalidValue("'\(text)' is not a Twitter handle (1–15 letters, digits or _, like @acme_help)")
        }
        return bare
    }

    static func noControlCharacters(_ text: String, what: String) throws {
        if text.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) {
            throw ParleyError.invalidValue("\(what) cannot hold control characters")
        }
    }
}

extension String {
    public var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
