import CLineEdit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a person answered at a terminal prompt.
package enum TerminalAnswer: Equatable, Sendable {
    case text(String)
    /// Ctrl-C, or Ctrl-D on an empty answer, or the terminal went away.
    case cancelled
}

/// Reads an answer (a password, a confirmation) from the terminal.
package enum TerminalSecret {
    /// Shows `prompt` and reads one line from /dev/tty (or stdin when it is a
    /// terminal), with echo off unless `echo`. Backspace, Ctrl-U (erase all) work; Ctrl-C
    /// and Ctrl-D on an empty entry cancel. The terminal's settings are restored on every
    /// path, including SIGTERM/SIGHUP. Returns nil without a terminal.
    package static func read(prompt: String, echo: Bool = false) -> TerminalAnswer? {
        var fd: Int32 = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        let opened = fd >= 0
        if !opened {
            guard isatty(STDIN_FILENO) != 0 else { return nil }
            fd = STDIN_FILENO
        }
        defer { if opened { close(fd) } }
        let out: Int32 = opened ? fd : STDERR_FILENO

        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        fflush(nil)  // all output streams: what was printed before the prompt

        cle_guard_begin(fd)
        var raw = saved
        // Byte at a time, no echo, and Ctrl-C as a byte (no SIGINT), so
        // cancelling never leaves the terminal without echo.
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else {
            cle_guard_end()
            return nil
        }
        defer {
            _ = tcsetattr(fd, TCSADRAIN, &saved)
            cle_guard_end()
        }

        write(out, prompt)
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = Glibc.read(fd, &byte, 1)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                write(out, "\n")
                return .cancelled
            }
            if n == 0 {  // terminal gone
                write(out, "\n")
                return .cancelled
            }
            switch byte {
            case 0x0A, 0x0D:
                write(out, "\n")
                return .text(String(decoding: bytes, as: UTF8.self))
            case 0x03:  // Ctrl-C
                write(out, "^C\n")
                return .cancelled
            case 0x04:  // Ctrl-D
                if bytes.isEmpty {
                    write(out, "\n")
                    return .cancelled
                }
            case 0x7F, 0x08:  // erase one character (all bytes of a UTF-8 sequence)
                guard !bytes.isEmpty else { continue }
                while let last = bytes.popLast(), last & 0xC0 == 0x80 {}
                if echo { write(out, "\u{8} \u{8}") }
            case 0x15:  // Ctrl-U
                if echo {
                    write(out, String(repeating: "\u{8} \u{8}", count: String(decoding: bytes, as: UTF8.self).count))
                }
                bytes.removeAll()
            default:
                if byte >= 0x20 {
                    bytes.append(byte)
                    if echo { _ = Glibc.write(out, &byte, 1) }
                }
            }
        }
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
