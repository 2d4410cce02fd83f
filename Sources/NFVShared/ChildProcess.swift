@preconcurrency import CDPDK
#if canImport(Glibc)
import Glibc
#endif

/// Starts a program the platform supervises or leaves running (NFs, the
/// standby, a detached manager) with exactly the descriptors it should
/// have: standard input from `stdin` (or /dev/null), standard output and
/// error appended to `output`, optionally `extra` as its descriptor 3, and
/// nothing else (no listening socket, pipe or lock of the parent's leaks
/// into it, which would keep them open after the parent closed them). Its
/// signal mask is cleared; it gets its own process group, or with
/// `newSession` its own session (it outlives the terminal).
public enum ChildProcess {
    public static func spawn(_ path: String, _ argv: [String], environment: [String], stdin: Int32? = nil,
                             output: String, truncate: Bool = false, extra: Int32? = nil,
                             newSession: Bool = false) throws(NFVError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND), 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let extra { posix_spawn_file_actions_adddup2(&actions, extra, 3) }
        nfv_spawn_close_from(&actions, extra == nil ? 3 : 4)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= 0x80 } else { // POSIX_SPAWN_SETSID
            posix_spawnattr_setpgroup(&attr, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attr, Int16(flags))
        let args = argv.map { strdup($0) } + [nil]
        defer { args.forEach { free($0) } }
        let env = environment.map { strdup($0) } + [nil]
        defer { env.forEach { free($0) } }
        var pid: Int32 = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, args, env)
        guard rc == 0 else { throw .invalid("cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Asks the kernel to end this process (SIGKILL) when the one that
    /// started it ends, for a child that has nothing of its own to save (the
    /// standby). `parentPipe` is the read end of a pipe whose write end only
    /// the parent holds: closed with nothing left to read, it tells that the
    /// parent ended before the request took effect (its descriptors close
    /// before the kernel looks at its children). Returns `false` when the
    /// parent is already gone.
    public static func endWithParent(parentPipe: Int32) -> Bool {
        guard nfv_kill_me_with_parent(1) == 0 else { return true }
        var p = pollfd(fd: parentPipe, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) == 1 else { return true }
        // Closed with nothing to read: the parent is gone. (A parent that
        // wrote its last words and closed the pipe left something to read.)
        return p.revents & Int16(POLLHUP) == 0 || p.revents & Int16(POLLIN) != 0
    }

    /// Undoes `endWithParent`: from now on this process outlives its parent.
    public static func outliveParent() { _ = nfv_kill_me_with_parent(0) }
}
