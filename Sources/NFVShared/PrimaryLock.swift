#if canImport(Glibc)
import Glibc
#endif

/// Whether a DPDK primary (a manager) holds its run-time lock, and cleaning
/// up after one that crashed. DPDK's primary keeps a write lock on
/// `/var/run/dpdk/<prefix>/config` for as long as it lives; a crashed one
/// leaves the file unlocked, with its huge-page files behind.
public enum PrimaryLock {
    /// Whether a live process holds the primary's lock for `names`.
    public static func isHeld(_ names: SharedNames) -> Bool {
        let fd = open(names.dpdkConfigFile, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 0
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    /// Removes what a crashed manager of this platform left: its huge-page
    /// files, DPDK run-time folder and SwiftNFV run-time folder (its last
    /// statistics). Returns how many files it removed. Refuses when a live
    /// manager holds the lock.
    @discardableResult
    public static func removeStaleState(_ names: SharedNames) throws(NFVError) -> Int {
        if isHeld(names) { throw .managerAlreadyRunning(platform: names.platform) }
        return removeFiles(names)
    }

    /// Removes a primary's huge-page files, DPDK run-time folder and
    /// SwiftNFV run-time folder (its own at shutdown, or a dead one's).
    /// Returns how many files it removed.
    @discardableResult
    static func removeFiles(_ names: SharedNames) -> Int {
        var removed = 0
        if let mount = Prerequisites.hugePageMount() {
            removed += removeEntries(in: mount) { $0.hasPrefix(names.filePrefix + "map_") }
        }
        for folder in [names.dpdkRuntimeDirectory, names.runtimeDirectory] {
            removed += removeEntries(in: folder) { _ in true }
            rmdir(folder)
        }
        return removed
    }

    /// Removes the files of `directory` whose names pass `match`.
    static func removeEntries(in directory: String, where match: (String) -> Bool) -> Int {
        Leftovers.entries(of: directory).filter(match).filter { unlink("\(directory)/\($0)") == 0 }.count
    }
}
