/// Minimum, median and maximum of a set of measurements: how every figure in
/// BENCHMARKS.md is reported.
public struct Summary: Sendable, Equatable, Codable {
    public var min: Double
    public var median: Double
    public var max: Double
    public var count: Int

    /// Returns `nil` for an empty set. The median of an even count is the
    /// mean of the two middle values.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        min = s[0]
        max = s[s.count - 1]
        count = s.count
        median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
