/// Splits a public reply into posts that X accepts, numbered `1/3` when more than one.
///
/// Length is X's weighted length (twitter-text v3): characters in the Latin, general
/// punctuation and similar ranges weigh 1; others (CJK, most emoji) weigh 2; a URL weighs 23
/// whatever its length, as X shortens it. A post may weigh at most 280.
package enum TweetSplitter {
    package static let limit = 280
    static let urlWeight = 23

    /// The weight X gives `text`.
    package static func weightedLength(_ text: String) -> Int {
        tokens(Substring(text)).reduce(0) { $0 + $1.weight }
    }

    package static func split(_ text: String, limit: Int = TweetSplitter.limit) -> [String] {
        if weightedLength(text) <= limit { return [text] }
        // Reserve room for " 2/3" and grow the reservation while the count needs more digits.
        var total = 2
        while true {
            let chunks = chunk(text, size: limit - " \(total)/\(total)".count)
            if chunks.count <= total || total >= 9_999 {
                return chunks.enumerated().map { "\($0.element) \($0.offset + 1)/\(chunks.count)" }
            }
            total = chunks.count
        }
    }

    /// Weight of one character outside a URL.
    static func weight(_ c: Character) -> Int {
        if c.unicodeScalars.count > 1, c.unicodeScalars.contains(where: { $0.properties.isEmoji && $0.value > 0xFF }) {
            return 2
        }
        return c.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let light = v <= 4351 || (8192...8205).contains(v) || (8208...8223).contains(v) || (8242...8247).contains(v)
            return sum + (light ? 1 : 2)
        }
    }

    struct Token {
        var text: Substring
        var weight: Int
        var isBlank: Bool
    }

    /// The text as URLs (one token each) and single characters.
    static func tokens(_ text: Substring) -> [Token] {
        var out: [Token] = []
        var i = text.startIndex
        while i < text.endIndex {
            let rest = text[i...]
            if rest.hasPrefix("https://") || rest.hasPrefix("http://") {
                let end = rest.firstIndex(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) ?? text.endIndex
                out.append(Token(text: text[i..<end], weight: urlWeight, isBlank: false))
                i = end
                continue
            }
            let c = text[i]
            let next = text.index(after: i)
            out.append(Token(text: text[i..<next], weight: weight(c), isBlank: c == " " || c == "\n"))
            i = next
        }
        return out
    }

    /// Pieces of at most `size` weight, cut at a blank in the second half of a piece when there is one.
    static func chunk(_ text: String, size: Int) -> [String] {
        let all = tokens(Substring(text))
        var out: [String] = []
        var start = 0
        while start < all.count {
            while start < all.count, all[start].isBlank { start += 1 }
            guard start < all.count else { break }
            var end = start
            var weight = 0
            var lastBlank: Int?
            var weightAtBlank = 0
            while end < all.count, weight + all[end].weight <= size {
                if all[end].isBlank {
                    lastBlank = end
                    weightAtBlank = weight
                }
                weight += all[end].weight
                end += 1
            }
            if end == start {
                // One token heavier than a post (a URL never is): take it alone.
                end = start + 1
            } else if end < all.count, let blank = lastBlank, weightAtBlank > size / 2 {
                end = blank
            }
            var piece = all[start..<end].map { String($0.text) }.joined()
            while piece.last == " " || piece.last == "\n" { piece.removeLast() }
            out.append(piece)
            start = end
        }
        return out
    }
}
