#if canImport(Glibc)
import Glibc
#endif

/// Checks what DPDK needs before it is started, so that a missing piece is
/// reported with the way to fix it rather than as an EAL failure.
public enum Prerequisites {
    /// DPDK's driver folder on Debian (loaded by the EAL at start-up).
    public static let driverDirectory = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0"

    /// The mount point of the first hugetlbfs, if any.
    public static func hugePageMount() -> String? {
        guard let text = readTextFile("/proc/mounts") else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count >= 3, f[2] == "hugetlbfs" { return String(f[1]) }
        }
        return nil
    }

    /// `HugePages_Free` from /proc/meminfo.
    public static func freeHugePages() -> Int {
        guard let text = readTextFile("/proc/meminfo") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("HugePages_Free:") {
            return Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// Throws the first missing prerequisite of a primary process.
    public static func checkForPrimary() throws(NFVError) {
        guard access(driverDirectory, F_OK) == 0 else { throw .dpdkMissing("no driver folder \(driverDirectory)") }
        guard hugePageMount() != nil else { throw .hugePagesNotMounted }
        guard freeHugePages() > 0 else { throw .noFreeHugePages }
    }

    /// Reads a small text file whole (procfs files report size 0).
    static func readTextFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
