/// Limits on values users type (docs/PRODUCT.md).
package enum Validation {
    package static let displayNameMax = 255
    package static let noteMax = 2000
    package static let nameMax = 255
    package static let tagMax = 100

    /// A channel display name: 1–255 characters, counted as characters.
    package static func displayName(_ text: String) throws -> String {
        let count = text.count
        guard count >= 1 else { throw ParleyError.invalidValue("a display name needs at least 1 character") }
        guard count <= displayNameMax else {
            throw ParleyError.invalidValue(
                "a display name has at most \(displayNameMax) characters; this one has \(count)")
        }
        try noControlCharacters(text, what: "a display name")
        return text
    }

    /// A note: 1–2,000 characters.
    package static func note(_ text: String) throws -> String {
        let count = text.count
        guard !text.allSatisfy(\.isWhitespace) else { throw ParleyError.invalidValue("a note needs some text") }
        guard count <= noteMax else {
            throw ParleyError.invalidValue("a note has at most \(noteMax) characters; this one has \(count)")
        }
        return text
    }

    /// A person's or a team's name: 1–255 characters, no control characters.
    package static func name(_ text: String, what: String) throws -> String {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { throw ParleyError.invalidValue("\(what) needs at least 1 character") }
        guard trimmed.count <= nameMax else {
            throw ParleyError.invalidValue("\(what) has at most \(nameMax) characters; this one has \(trimmed.count)")
        }
        try noControlCharacters(trimmed, what: what)
        return trimmed
    }

    /// An email address: one `@` with text on both sides, no blanks, at most 254 characters.
    /// An email address as mail systems accept it: a local part of RFC 5322 "atext" characters
    /// (letters, digits and `!#$%&'*+-/=?^_`{|}~`, non-ASCII letters too) in dot-separated runs, at
    /// most 64 bytes; a domain of at least two labels of letters, digits and inner hyphens, each
    /// 1–63 characters, the last not all digits; 254 bytes in all.
    package static func email(_ text: String) throws -> String {
        let bad = ParleyError.invalidValue("'\(text)' is not an email address (like ada@acme.example)")
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.utf8.count <= 254, parts[0].utf8.count <= 64 else { throw bad }
        let atext = Set("!#$%&'*+-/=?^_`{|}~")
        let localRuns = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        for run in localRuns {
            guard !run.isEmpty, run.allSatisfy({ isWordCharacter($0) || atext.contains($0) }) else { throw bad }
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let last = labels.last, !last.allSatisfy(\.isNumber) else { throw bad }
        for label in labels {
            guard (1...63).contains(label.count), label.first != "-", label.last != "-",
                label.allSatisfy({ isWordCharacter($0) || $0 == "-" })
            else { throw bad }
        }
        return text
    }

    /// An ASCII letter or digit, or a letter or digit of another script.
    static func isWordCharacter(_ c: Character) -> Bool {
        c.isASCII
            ? (c.isLetter || c.isNumber)
            : (c.isLetter || c.isNumber || c.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
    }

    /// A tag: a free label of 1–100 characters without blanks.
    package static func tag(_ text: String) throws -> String {
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
    package static func handle(_ text: String) throws -> String {
        let bare = text.hasPrefix("@") ? String(text.dropFirst()) : text
        guard (1...15).contains(bare.count),
            bare.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw ParleyError.invalidValue(
                "'\(text)' is not a Twitter handle (1–15 letters, digits or _, like @acme_help)")
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
    package var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
