import NFVCore
import XCTest

final class ValueTypeTests: XCTestCase {
    func testActionParsing() throws {
        XCTAssertEqual(try Action(parsing: "next"), .next)
        XCTAssertEqual(try Action(parsing: "drop"), .drop)
        XCTAssertEqual(try Action(parsing: "port:3"), .toPort(PortID(3)))
        XCTAssertEqual(try Action(parsing: "service:12"), .toService(ServiceID(12)))
        for bad in ["service:0", "service:64", "port:16", "port:-1", "nowhere", "service:", ""] {
            XCTAssertThrowsError(try Action(parsing: bad), bad)
        }
        XCTAssertEqual(try Action(parsing: Action.toService(ServiceID(5)).description), .toService(ServiceID(5)))
    }

    func testIDRanges() {
        XCTAssertFalse(ServiceID(0).isValid)
        XCTAssertTrue(ServiceID(63).isValid)
        XCTAssertFalse(ServiceID(64).isValid)
        XCTAssertFalse(InstanceID(0).isValid)
        XCTAssertTrue(InstanceID(64).isValid)
        XCTAssertFalse(InstanceID(65).isValid)
    }

    func testCPUEntitlementsFollowWeightsPerCPUAndCaps() {
        // Two CPUs: 100 and 300 pinned to CPU 0; 200 pinned to CPU 1 with a cap of 40; one unpinned of 100.
        let e = CPUEntitlement.percent([.init(weight: 100, cpu: 0), .init(weight: 300, cpu: 0), .init(weight: 200, cpu: 1, cap: 40),
                                        .init(weight: 100)], cpus: 2)
        XCTAssertEqual(e, [25, 75, 40, 100])
        // Unpinned only: the weights divide both CPUs, at most one CPU each.
        XCTAssertEqual(CPUEntitlement.percent([.init(weight: 100), .init(weight: 100), .init(weight: 200)], cpus: 2), [50, 50, 100])
        XCTAssertEqual(CPUPlacement.balanced(weights: [100, 200, 400, 100, 200, 400], cpus: 2), [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(CPUPlacement.balanced(weights: [100, 200], cpus: 2, load: [400]), [1, 1], "on top of what CPU 0 carries")
        XCTAssertEqual(CPUPlacement.balanced(weights: [100, 100, 400], cpus: 2, load: [0, 0]), [1, 1, 0])
    }

    func testSummary() throws {
        XCTAssertNil(Summary([]))
        let odd = try XCTUnwrap(Summary([5, 1, 3]))
        XCTAssertEqual([odd.min, odd.median, odd.max], [1, 3, 5])
        XCTAssertEqual(try XCTUnwrap(Summary([4, 1, 3, 2])).median, 2.5)
    }

    func testFixedFormatting() {
        XCTAssertEqual(StatsTable.fixed(74.6789, 2), "74.68")
        XCTAssertEqual(StatsTable.fixed(0.004, 3), "0.004")
        XCTAssertEqual(StatsTable.fixed(-1.5, 1), "-1.5")
        XCTAssertEqual(StatsTable.fixed(3, 0), "3")
    }

    func testTableShowsPortsAndNFs() {
        let s = PlatformStats(
            name: "t", uptimeSeconds: 2, poolSize: 100, poolInUse: 7, reclaimed: 0,
            ports: [PortStats(port: 0, device: "net_null0", rx: 10, tx: 9, dropped: 1, rxMpps: 1.5, txMpps: 1.25)],
            nfs: [NFStats(instance: 1, service: 2, name: "forward", pid: 42, state: "running", rx: 5, tx: 4, dropped: 1,
                          noRoute: 0, ringFull: 0, rxMpps: 0.5, txMpps: 0.4, rxRing: 3, txRing: 0, sleeps: 0, reclaimed: 0)])
        let text = StatsTable.render(s)
        XCTAssertTrue(text.contains("pool 7/100 in use"))
        XCTAssertTrue(text.contains("net_null0"))
        XCTAssertTrue(text.contains("forward"))
        XCTAssertTrue(text.contains("1.500"))
        XCTAssertTrue(StatsTable.render(PlatformStats(name: "e", uptimeSeconds: 0, poolSize: 1, poolInUse: 0, reclaimed: 0, ports: [], nfs: [])).contains("(no NF running)"))
    }

    /// The accounting line: what entered (ports, and supplied buffers not
    /// still in stock) against what was delivered and dropped by reason, per
    /// service; the table shows services, drops by reason and NFs that left.
    func testAccountingAddsUpOverServicesAndShowsWhatLeft() {
        let s = PlatformStats(
            name: "t", uptimeSeconds: 2, poolSize: 100, poolInUse: 7, poolSupplied: 30, reclaimed: 4,
            ports: [PortStats(port: 0, device: "net_null0", rx: 1000, tx: 900, dropped: 10, rxMpps: 0, txMpps: 0)],
            nfs: [],
            departed: [NFStats(instance: 3, service: 2, name: "forward", pid: 9, state: "died", rx: 50, tx: 46, dropped: 0,
                               noRoute: 0, ringFull: 0, rxMpps: 0, txMpps: 0, rxRing: 0, txRing: 0, sleeps: 0, reclaimed: 4)],
            services: [ServiceStats(service: 0, instances: 0, rx: 0, tx: 0, dropped: ["no-route": 10], supplied: 0),
                       ServiceStats(service: 2, instances: 1, rx: 990, tx: 900, dropped: ["verdict": 80, "reclaimed": 4], supplied: 40)])
        XCTAssertEqual(s.entered, 1010, "1000 from the port + 40 supplied - 30 still in stock")
        XCTAssertEqual(s.delivered, 900)
        XCTAssertEqual(s.droppedTotal, 94)
        XCTAssertEqual(s.dropped["verdict"], 80)
        let text = StatsTable.render(s)
        XCTAssertTrue(text.contains("verdict 80, reclaimed 4"), text)
        XCTAssertTrue(text.contains("no-route 10"), text)
        XCTAssertTrue(text.contains("left: 1 instance(s), 1 died"), text)
        XCTAssertTrue(text.contains("packets: entered 1010 = delivered 900 + dropped 94 + in flight 16"), text)
    }
}
