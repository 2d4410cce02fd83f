@testable import NFVRouting
import XCTest

final class MaglevTests: XCTestCase {
    /// The share of `flows` hashes whose backend differs between two tables.
    func moved(_ a: [UInt16], _ b: [UInt16], flows: Int = 100_000) -> Double {
        var rng = UInt64(42)
        var changed = 0
        for _ in 0..<flows {
            rng = Maglev.mix(rng &+ 0x9E37_79B9_7F4A_7C15)
            let h = Int(UInt32(truncatingIfNeeded: rng)) % a.count
            if a[h] != b[h] { changed += 1 }
        }
        return Double(changed) / Double(flows)
    }

    func testEveryBackendGetsAboutTheSameShare() {
        for n in [2, 3, 5, 16] {
            let t = Maglev.table(for: (1...n).map { UInt16($0 * 3) })
            let counts = Dictionary(grouping: t, by: { $0 }).mapValues(\.count)
            XCTAssertEqual(counts.count, n)
            let ideal = Double(Maglev.tableSize) / Double(n)
            for (_, c) in counts { XCTAssertLessThan(abs(Double(c) - ideal), ideal * 0.02 + 1, "\(n) backends: \(counts)") }
        }
        XCTAssertEqual(Maglev.table(for: []).allSatisfy { $0 == 0 }, true)
    }

    /// A backend joining or leaving moves about 1/n of the flows; `hash % n`
    /// would move about (n-1)/n of them.
    func testAJoinOrALeaveMovesAboutOneNth() {
        for n in [2, 4, 8] {
            let before = Maglev.table(for: (1...n).map(UInt16.init))
            let joined = Maglev.table(for: (1...(n + 1)).map(UInt16.init))
            let join = moved(before, joined)
            XCTAssertLessThan(abs(join - 1 / Double(n + 1)), 0.05, "join, \(n) -> \(n + 1): \(join)")
            let left = Maglev.table(for: (2...n).map(UInt16.init))
            let leave = moved(before, left)
            XCTAssertLessThan(leave, 1 / Double(n) + 0.06, "leave, \(n) -> \(n - 1): \(leave)")
            XCTAssertGreaterThanOrEqual(leave, 1 / Double(n) - 0.02, "at least the leaver's flows move: \(leave)")
            // The order they are listed in does not matter.
            XCTAssertEqual(Maglev.table(for: (1...n).reversed().map(UInt16.init)), before)
        }
        // For comparison, what modulo does on 4 -> 5.
        var modMoved = 0
        for h in 0..<100_000 where h % 4 != h % 5 { modMoved += 1 }
        XCTAssertGreaterThan(Double(modMoved) / 100_000, 0.75)
    }
}
