/// A length of time written as `90s`, `15m`, `12h` or `30d` (docs/RULES.md, "Language"). Always positive.
package struct TimeSpan: Equatable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package let seconds: Int64

    package init(seconds: Int64) { self.seconds = seconds }

    package static func minutes(_ n: Int64) -> TimeSpan { TimeSpan(seconds: n * 60) }
    package static func hours(_ n: Int64) -> TimeSpan { TimeSpan(seconds: n * 3600) }
    package static func days(_ n: Int64) -> TimeSpan { TimeSpan(seconds: n * 86_400) }

    package var milliseconds: Int64 { seconds * 1000 }

    package static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    /// Parses `<digits><unit>` with unit s, m, h or d. Zero and anything else is refused.
    package static func parse(_ text: String) throws -> TimeSpan {
        let hint = "write a duration as a whole number and a unit: 90s, 15m, 12h or 30d"
        guard let unit = text.last, text.count >= 2 else {
            throw ParleyError.invalidValue("'\(text)' is not a duration: \(hint)")
        }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12,
            let n = Int64(digits)
        else {
            throw ParleyError.invalidValue("'\(text)' is not a duration: \(hint)")
        }
        let factor: Int64
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default:
            throw ParleyError.invalidValue("'\(text)' has an unknown unit '\(unit)': \(hint)")
        }
        guard n > 0 else {
            throw ParleyError.invalidValue("'\(text)' is zero: a duration must be longer than that")
        }
        // Bounded so that any time plus or minus a duration stays far inside Int64 milliseconds.
        guard n <= maximumSeconds / factor else {
            throw ParleyError.invalidValue(
                "'\(text)' is too long: a duration is at most \(maximumSeconds / 86_400)d (100 years)")
        }
        return TimeSpan(seconds: n * factor)
    }

    /// The longest duration parley reads: 36,500 days.
    package static let maximumSeconds: Int64 = 36_500 * 86_400

    /// The shortest exact spelling: `30d`, `90m`, `45s`.
    package var description: String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// A rounded, human reading for reports and previews: `2d 3h`, `5m 10s`.
    package static func humanize(milliseconds ms: Int64) -> String {
        var s = max(0, ms / 1000)
        if s == 0 { return ms > 0 ? "<1s" : "0s" }
        let d = s / 86_400
        s %= 86_400
        let h = s / 3600
        s %= 3600
        let m = s / 60
        s %= 60
        var parts: [String] = []
        if d > 0 { parts.append("\(d)d") }
        if h > 0 { parts.append("\(h)h") }
        if m > 0 && d == 0 { parts.append("\(m)m") }
        if s > 0 && d == 0 && h == 0 { parts.append("\(s)s") }
        return parts.prefix(2).joined(separator: " ")
    }
}

/// Auto-resolve limits (docs/PRODUCT.md, "Channels"): from 1 minute up to 30 days, or off.
package enum AutoResolveLimits {
    package static let minimum = TimeSpan.minutes(1)
    package static let maximum = TimeSpan.days(30)
    package static let `default` = TimeSpan.days(30)

    /// Parses `off` (nil) or a duration within the limits.
    package static func parse(_ text: String, option: String) throws -> TimeSpan? {
        if text.lowercased() == "off" { return nil }
        let span = try TimeSpan.parse(text)
        guard span >= minimum && span <= maximum else {
            throw ParleyError.invalidValue(
                "\(option) \(text) is out of range: auto-resolve takes 1m up to 30d, or off")
        }
        return span
    }
}
