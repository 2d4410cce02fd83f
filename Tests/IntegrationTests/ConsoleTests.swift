import Foundation
import NFVCore
import NFVOrchestration
import XCTest

/// The web console in a real browser (headless Chromium, driven by
/// `scripts/drive-console.py`) against a real manager with traffic: live
/// numbers arrive, the charts move, and its stop button stops an NF.
final class ConsoleTests: XCTestCase {
    func testTheConsoleShowsLiveRatesAndItsStopButtonStopsAnNF() throws {
        let p = try Platform("console")
        let token = "console-" + UUID().uuidString
        let tokenFile = p.dir.appendingPathComponent("token")
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let port = 20000 + Int((getpid() + 7) % 20000)
        try p.startManager(["--port", "net_null0", "--chain", "1", "--api-listen", "127.0.0.1:\(port)", "--api-token-file", tokenFile.path])
        let nf = try p.control.client.launch(NFLaunchSpec(kind: "forward", service: 1, args: ["--to", "drop"]))
        try p.control.waitUntilRegistered(nf.instance, timeout: 30)

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shot = p.dir.appendingPathComponent("console.png")
        let driver = try Platform.Child(args: ["python3", root.appendingPathComponent("scripts/drive-console.py").path,
                                               "http://127.0.0.1:\(port)/console#token=\(token)", shot.path,
                                               "--click-stop", "\(nf.instance)"],
                                        dir: p.dir, label: "chromium", executable: "/usr/bin/env")
        XCTAssertEqual(driver.wait(timeout: 120), 0, driver.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(driver.stdout.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(result["ok"] as? Bool, true, "\(result)")
        XCTAssertEqual(result["moved"] as? [Bool], [true, true, true], "every chart changed between two moments: \(result)")
        XCTAssertEqual(result["errors"] as? Int, 0, "\(result)")
        XCTAssertEqual(result["nfRows"] as? Int, 1, "\(result)")
        // The NF's row: its group (none) and its CPU share next to its entitlement, live.
        let header = result["nfHeader"] as? [String] ?? [], cells = result["nfCells"] as? [String] ?? []
        if let g = header.firstIndex(of: "group"), let c = header.firstIndex(of: "cpu % (entitled)"), cells.count == header.count {
            XCTAssertEqual(cells[g], "-", "\(result)")
            XCTAssertNotNil(cells[c].range(of: #"^\d+\.\d \(\d+\.\d\)$"#, options: .regularExpression), "\(result)")
        } else {
            XCTFail("the NF table's header and first row: \(header), \(cells)")
        }
        XCTAssertTrue((result["topology"] as? String)?.contains("service 1: instances \(nf.instance)") == true, "\(result)")
        XCTAssertGreaterThan(try Data(contentsOf: shot).count, 10_000, "a screenshot of the page")
        if let keep = ProcessInfo.processInfo.environment["NFV_CONSOLE_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: shot, to: URL(fileURLWithPath: keep))
        }
        // The page's stop button went through the API: the NF stops and stays stopped.
        XCTAssertEqual(result["clicked"] as? Bool, true)
        XCTAssertTrue(waitFor(timeout: 30) { (try? p.control.client.nf(nf.instance).state) == "stopped" })
        XCTAssertEqual(p.stop(), 0, p.manager!.stderr)
    }
}
