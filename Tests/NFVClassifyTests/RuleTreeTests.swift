@testable import NFVClassify
import TestSupport
import XCTest

final class RuleTreeTests: XCTestCase {
    func firstMatch(_ rules: [RuleTree.Rule], _ k: [UInt32]) -> Int? {
        rules.firstIndex { r in (0..<5).allSatisfy { r.low[$0] <= k[$0] && k[$0] <= r.high[$0] } }
    }

    /// Random rules of prefixes, ranges, exact values and wildcards, and keys
    /// near their boundaries: the tree agrees with a plain first-match scan.
    func testAgreesWithFirstMatchOnRandomRules() {
        var rng = SplitMix64(state: 7)
        func field(_ f: Int) -> (UInt32, UInt32) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return (0, .max)
            case 1:
                let v = UInt32.random(in: 0...40, using: &rng)
                return (v, v)
            case 2:
                let a = UInt32.random(in: 0...40, using: &rng)
                return (a, a + UInt32.random(in: 0...12, using: &rng))
            default:
                let len = UInt32.random(in: 26...32, using: &rng)
                let mask: UInt32 = len == 32 ? .max : ~(UInt32.max >> len)
                let base = UInt32.random(in: 0...60, using: &rng) & mask
                return (base, base | ~mask)
            }
        }
        for round in 0..<15 {
            let count = [1, 5, 30, 300, 1000][round % 5]
            let rules = (0..<count).map { _ in
                let fs = (0..<5).map(field)
                return RuleTree.Rule(low: fs.map(\.0), high: fs.map(\.1))
            }
            let tree = RuleTree(rules)
            for _ in 0..<(count > 300 ? 300 : 1000) {
                let k = (0..<5).map { _ in UInt32.random(in: 0...70, using: &rng) }
                XCTAssertEqual(tree.match((k[0], k[1], k[2], k[3], k[4])), firstMatch(rules, k), "\(k), \(count) rules")
            }
            XCTAssertEqual(tree.match((.max, .max, .max, .max, .max)), firstMatch(rules, [.max, .max, .max, .max, .max]))
        }
        XCTAssertNil(RuleTree([]).match((1, 2, 3, 4, 5)))
    }

    /// A catch-all rule does not replicate through the tree: what follows it
    /// is shadowed where it covers a whole node.
    func testShadowedRulesAreDropped() {
        var rules: [RuleTree.Rule] = []
        for i in 0..<UInt32(1000) {
            let low: [UInt32] = [i * 256, 0, 6, 0, 80]
            let high: [UInt32] = [i * 256 + 255, .max, 6, .max, 80]
            rules.append(RuleTree.Rule(low: low, high: high))
        }
        rules.insert(RuleTree.Rule(low: [0, 0, 0, 0, 0], high: [.max, .max, .max, .max, .max]), at: 500)
        let tree = RuleTree(rules)
        XCTAssertLessThan(tree.leafEntries, 2 * rules.count, "rules replicated: \(tree.leafEntries) entries for \(rules.count) rules")
        XCTAssertEqual(tree.match((600 * 256, 1, 6, 1, 80)), 500)
        XCTAssertEqual(tree.match((3 * 256, 1, 6, 1, 80)), 3)
    }
}
