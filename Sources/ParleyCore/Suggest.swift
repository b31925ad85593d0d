/// "Did you mean …?" suggestions by edit distance.
package enum Suggest {
    /// The closest candidates to `word` (edit distance at most a third of its length, at least 1,
    /// or a prefix match), best first.
    package static func closest(_ word: String, among candidates: [String], limit: Int = 3) -> [String] {
        let lowered = word.lowercased()
        guard !lowered.isEmpty else { return [] }
        let budget = max(1, min(3, lowered.count / 3 + 1))
        var scored: [(Int, String)] = []
        for candidate in candidates {
            let c = candidate.lowercased()
            if c == lowered { continue }
            if c.hasPrefix(lowered) && lowered.count >= 2 {
                scored.append((0, candidate))
                continue
            }
            let d = distance(lowered, c, cap: budget)
            if d <= budget { scored.append((d, candidate)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var seen = Set<String>()
        return scored.map(\.1).filter { seen.insert($0).inserted }.prefix(limit).map { $0 }
    }

    /// " (did you mean 'x'?)" or "" when nothing is close.
    package static func didYouMean(_ word: String, among candidates: [String]) -> String {
        let found = closest(word, among: candidates)
        guard !found.isEmpty else { return "" }
        return " (did you mean " + found.map { "'\($0)'" }.joined(separator: " or ") + "?)"
    }

    /// Levenshtein distance, giving up (returning cap + 1) once it exceeds `cap`.
    static func distance(_ a: String, _ b: String, cap: Int) -> Int {
        let a = Array(a)
        let b = Array(b)
        if abs(a.count - b.count) > cap { return cap + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > cap { return cap + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
