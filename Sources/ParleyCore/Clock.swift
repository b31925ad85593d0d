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
        let year = Int(parts.tm_year) + 1900
        if (1000...9999).contains(year) {
            // The usual case, written digit by digit into the string (every list prints one a row).
            return String(unsafeUninitializedCapacity: 20) { bytes in
                func put(_ n: Int, at end: Int, digits: Int, then separator: UInt8) {
                    var n = n
                    for i in stride(from: end, to: end - digits, by: -1) {
                        bytes[i] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                        n /= 10
                    }
                    bytes[end + 1] = separator
                }
                put(year, at: 3, digits: 4, then: UInt8(ascii: "-"))
                put(Int(parts.tm_mon) + 1, at: 6, digits: 2, then: UInt8(ascii: "-"))
                put(Int(parts.tm_mday), at: 9, digits: 2, then: UInt8(ascii: "T"))
                put(Int(parts.tm_hour), at: 12, digits: 2, then: UInt8(ascii: ":"))
                put(Int(parts.tm_min), at: 15, digits: 2, then: UInt8(ascii: ":"))
                put(Int(parts.tm_sec), at: 18, digits: 2, then: UInt8(ascii: "Z"))
                return 20
            }
        }
        var out = ""
        out.reserveCapacity(20)
        func two(_ n: Int32) {
            if n < 10 { out.append("0") }
            out.append(String(n))
        }
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
