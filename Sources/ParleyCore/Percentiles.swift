/// Order statistics for reports.
package enum Percentiles {
    /// The nearest-rank percentile (p in 0...100) of unsorted values; nil when there are none.
    /// The median of [1, 2, 3, 4] is 2; its 90th percentile is 4.
    package static func nearestRank(_ values: [Int64], _ p: Double) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    package static func median(_ values: [Int64]) -> Int64? { nearestRank(values, 50) }
    package static func p90(_ values: [Int64]) -> Int64? { nearestRank(values, 90) }
}
