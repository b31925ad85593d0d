import Foundation

/// Milliseconds since the Unix epoch, UTC.
package typealias Timestamp = Int64

/// The one source of time every rule reads.
package protocol ParleyClock: Sendable {
    func now() -> Timestamp
}

/// The system clock, for normal databases.
package struct SystemClock: ParleyClock {
    package init() {}
    package func now() -> Timestamp { Timestamp((Date().timeIntervalSince1970 * 1000).rounded()) }
}

package enum TimeFormat {
    /// `2026-11-24T20:31:05Z`: ISO 8601 in UTC, to the second.
    package static func iso(_ t: Timestamp) -> String {
        var seconds = time_t(t >= 0 ? t / 1000 : (t - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = ""
        out.reserveCapacity(20)
        func two(_ n: Int32) {
            if n < 10 { out.append("0") }
            out.append(String(n))
        }
        let year = Int(parts.tm_year) + 1900
        if (0..<1000).contains(year) { out.append(String(repeating: "0", count: 4 - String(year).count)) }
        out.append(String(year))
        out.append("-")
        two(parts.tm_mon + 1)
        out.append("-")
        two(parts.tm_mday)
        out.append("T")
        two(parts.tm_hour)
        out.append(":")
        two(parts.tm_min)
        out.append(":")
        two(parts.tm_sec)
        out.append("Z")
        return out
    }

    /// `2026-11-24`: the UTC day.
    package static func day(_ t: Timestamp) -> String { String(iso(t).prefix(10)) }
}
