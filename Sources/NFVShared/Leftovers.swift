import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// What stopped or crashed platforms left on this machine (huge-page files,
/// DPDK's and SwiftNFV's run-time folders), found without knowing their
/// names, and removed when no process of theirs runs (`nfv cleanup`).
public enum Leftovers {
    /// What became of one platform's leftovers.
    public enum Outcome: Sendable, Equatable {
        /// Removed, this many files.
        case removed(Int)
        /// Its manager runs: left alone.
        case running
        /// These processes still map its huge pages (NFs of a dead manager): left alone.
        case inUse(pids: [Int32])
    }

    /// The platforms that left something behind, by name, sorted.
    public static func platforms() -> [String] {
        let prefix = "swiftnfv-"
        var found = Set<String>()
        for name in entries(of: "/var/run/dpdk") where name.hasPrefix(prefix) { found.insert(String(name.dropFirst(prefix.count))) }
        if let mount = Prerequisites.hugePageMount() {
            // Huge-page files are named PREFIXmap_N (the platform's name may itself hold "map_").
            for name in entries(of: mount) where name.hasPrefix(prefix) {
                if let marker = name.ranges(of: "map_").last, marker.lowerBound > name.startIndex {
                    found.insert(String(name[name.index(name.startIndex, offsetBy: prefix.count)..<marker.lowerBound]))
                }
            }
        }
        for name in entries(of: "/var/run/swiftnfv") { found.insert(name) }
        return found.sorted()
    }

    /// Removes what `platform` left, unless a process of it still runs.
    public static func clean(_ platform: String) -> Outcome {
        let names = SharedNames(platform: platform)
        if PrimaryLock.isHeld(names) { return .running }
        let users = processesMapping(names)
        if !users.isEmpty { return .inUse(pids: users) }
        return .removed(PrimaryLock.removeFiles(names))
    }

    /// Processes that map the platform's huge-page files.
    static func processesMapping(_ names: SharedNames) -> [Int32] {
        guard let mount = Prerequisites.hugePageMount() else { return [] }
        let needle = "\(mount)/\(names.filePrefix)map_"
        return entries(of: "/proc").compactMap { Int32($0) }.filter { pid in
            Prerequisites.readTextFile("/proc/\(pid)/maps")?.contains(needle) == true
        }.sorted()
    }

    /// The names in `directory` (none if it cannot be read), without `.` and `..`.
    static func entries(of directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
