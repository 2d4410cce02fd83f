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
        /// These processes still map its huge pages or hold its run-time files
        /// open (NFs of a dead manager, or one still starting): left alone.
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
        let users = processesUsing(names)
        if !users.isEmpty { return .inUse(pids: users) }
        return .removed(PrimaryLock.removeFiles(names))
    }

    /// Processes that map the platform's huge-page files, or hold a file of
    /// its run-time folders open. The second catches a process still in its
    /// DPDK start-up (the standby, an NF being launched): it has not mapped
    /// the pages yet but holds its log open, and would create the DPDK
    /// folder again after a removal.
    static func processesUsing(_ names: SharedNames) -> [Int32] {
        let pages = Prerequisites.hugePageMount().map { "\($0)/\(names.filePrefix)map_" }
        // Descriptors read back as resolved paths (/var/run is often a link to /run).
        let folders = [names.dpdkRuntimeDirectory, names.runtimeDirectory].compactMap(resolvedPath).map { $0 + "/" }
        return entries(of: "/proc").compactMap { Int32($0) }.filter { pid in
            if let pages, Prerequisites.readTextFile("/proc/\(pid)/maps")?.contains(pages) == true { return true }
            return entries(of: "/proc/\(pid)/fd").contains { fd in
                guard let target = linkTarget("/proc/\(pid)/fd/\(fd)") else { return false }
                return folders.contains { target.hasPrefix($0) }
            }
        }.sorted()
    }

    /// `path` with its links resolved, if it exists.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Where the symbolic link `path` points, if it is one.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
