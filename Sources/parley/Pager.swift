import Foundation

/// Output too long for the terminal goes through `$PAGER` (default `less -FRX`), as in psql.
/// `PAGER` set to nothing turns paging off.
struct Pager {
    /// The command line `/bin/sh` runs; nil when paging is off.
    let command: String?

    init(environment: [String: String]) {
        if let p = environment["PAGER"] {
            command = p.allSatisfy(\.isWhitespace) ? nil : p
        } else {
            command = "less -FRX"
        }
    }

    /// Pages `text` when standard output is a terminal and the text does not fit on it above the
    /// prompt. Returns whether the pager showed it.
    func page(_ text: String) -> Bool {
        guard let command, isatty(1) == 1 else { return false }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return false }
        let lines = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        guard lines >= Int(size.ws_row) else { return false }
        return run(command, input: text + "\n")
    }

    /// Runs the pager with the text on its standard input and waits for it. A pager that cannot
    /// start (the shell answers 127) shows nothing: the caller prints the text itself.
    func run(_ command: String, input: String) -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        // parley ignores SIGPIPE; the pager gets the usual signals back.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let words = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { (word: String) in strdup(word) } + [nil]
        defer { for word in argv { free(word) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return false
        }
        let bytes = Array(input.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                break  // the pager quit before reading everything: nothing more to show
            }
            offset += n
        }
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        return !(exited && (status >> 8) & 0xff == 127)
    }
}
