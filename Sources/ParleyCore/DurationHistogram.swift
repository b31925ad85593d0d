/// Durations (first responses, resolutions) kept as counts per bucket, so a report reads a few
/// hundred rows a day instead of one per conversation.
///
/// Buckets are log-linear on milliseconds: exact below 128 ms, then 64 buckets per doubling, so a
/// bucket spans at most 1/64 of its lower bound. Each bucket keeps how many durations fell in it
/// and their sum; a percentile is the mean of the bucket that holds the nearest-rank value. That
/// mean lies in the same bucket as the true value, so it is within 1/64 (1.6 %) of it, and it is
/// exact when the bucket holds one duration or equal ones.
package struct DurationHistogram: Sendable, Equatable {
    package struct Bin: Sendable, Equatable {
        package var count: Int64
        package var totalMs: Int64
    }

    /// Buckets by their number (`bucket(ms)`), in no order.
    package private(set) var bins: [Int64: Bin] = [:]

    package init() {}

    /// Buckets per doubling above the exact range: 2^subBucketBits.
    package static let subBucketBits = 6

    /// The bucket of a duration: the duration itself below 128 ms; above, 64 buckets for each
    /// doubling. Numbers grow with the durations they hold.
    package static func bucket(_ ms: Int64) -> Int64 {
        if ms < 1 << (subBucketBits + 1) { return ms }
        let shift = Int64(63 - ms.leadingZeroBitCount - subBucketBits)
        return shift << subBucketBits + (ms >> shift)
    }

    /// `bucket` as a SQL expression on an integer column or expression `ms`, for statements that
    /// count durations in the database (both engines: integer comparisons and division only).
    package static func bucketSQL(_ ms: String) -> String {
        var sql = "CASE WHEN \(ms) < \(1 << (subBucketBits + 1)) THEN \(ms)"
        let last = 62 - subBucketBits
        for shift in 1..<last {
            sql +=
                " WHEN \(ms) < \(Int64(1) << (shift + subBucketBits + 1)) THEN \(shift << subBucketBits) + \(ms) / \(Int64(1) << shift)"
        }
        return sql + " ELSE \(last << subBucketBits) + \(ms) / \(Int64(1) << last) END"
    }

    package var isEmpty: Bool { bins.isEmpty }

    /// How many durations it holds.
    package var count: Int { Int(bins.values.reduce(0) { $0 + $1.count }) }

    package mutating func add(_ ms: Int64) {
        add(bucket: Self.bucket(ms), count: 1, totalMs: ms)
    }

    /// Adds (or, with negative figures, takes away) durations of one bucket. A bucket left with
    /// nothing is dropped.
    package mutating func add(bucket: Int64, count: Int64, totalMs: Int64) {
        var bin = bins[bucket] ?? Bin(count: 0, totalMs: 0)
        bin.count += count
        bin.totalMs += totalMs
        bins[bucket] = bin.count == 0 && bin.totalMs == 0 ? nil : bin
    }

    /// Adds every bucket of `other`, times `sign` (1 adds, -1 takes away).
    package mutating func merge(_ other: DurationHistogram, sign: Int64 = 1) {
        for (bucket, bin) in other.bins {
            add(bucket: bucket, count: sign * bin.count, totalMs: sign * bin.totalMs)
        }
    }

    /// The nearest-rank percentile (p in 0...100), as `Percentiles.nearestRank` defines it; nil
    /// when there are no durations.
    package func percentile(_ p: Double) -> Int64? {
        let sorted = bins.filter { $0.value.count > 0 }.sorted { $0.key < $1.key }
        let n = sorted.reduce(Int64(0)) { $0 + $1.value.count }
        guard n > 0 else { return nil }
        let rank = min(max(Int64((p / 100 * Double(n)).rounded(.up)), 1), n)
        var seen: Int64 = 0
        for (_, bin) in sorted {
            seen += bin.count
            if seen >= rank { return bin.totalMs / bin.count }
        }
        return nil
    }

    package var median: Int64? { percentile(50) }
    package var p90: Int64? { percentile(90) }
}
