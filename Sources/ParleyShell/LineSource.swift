import Foundation
import ParleyCore

/// One physical line of a script, or why it could not be read.
package enum LineRead: Equatable, Sendable {
    case line(String)
    case invalidUTF8
    case tooLong(Int)
}

/// Physical lines of script text, in order.
package protocol LineSource: AnyObject {
    func next() -> LineRead?
}

/// The longest line parley reads; longer ones are refused with one error, whole.
package let maximumLineBytes = 1 << 20

/// Lines from a file descriptor (a script file or a pipe), read in chunks as they arrive.
package final class FileLineSource: LineSource {
    let fd: Int32
    let ownsFD: Bool
    /// The file read, when it was opened by path (for "interrupted after N of M").
    package private(set) var path: String?
    var buffer: [UInt8] = []
    var start = 0
    var eof = false

    package init(fd: Int32, ownsFD: Bool = false) {
        self.fd = fd
        self.ownsFD = ownsFD
    }

    package convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ParleyErrorBridge.io("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ParleyErrorBridge.io("cannot read \(path): it is a folder")
        }
        self.init(fd: fd, ownsFD: true)
        self.path = path
    }

    /// The lines of the file that hold a command (not blank, not only a comment), counted on
    /// demand by reading it again.
    package func commandLineCount() -> Int? {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return nil }
        var count = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let first = line.first(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
            if first != UInt8(ascii: "#") { count += 1 }
        }
        return count
    }

    deinit { if ownsFD { close(fd) } }

    func fill() -> Bool {
        if eof { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65_536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                eof = true
                return false
            }
            if start > 0 && start > buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    package func next() -> LineRead? {
        // How far past `start` the buffer has been searched: an offset, because
        // `fill()` may move the unread bytes to the front.
        var searched = 0
        while true {
            if let nl = buffer[(start + searched)...].firstIndex(of: 10) {
                let bytes = buffer[start..<nl]
                start = nl + 1
                return decode(bytes)
            }
            searched = buffer.count - start
            if buffer.count - start > maximumLineBytes {
                // Skip the rest of this line without keeping it.
                var skipped = buffer.count - start
                buffer.removeAll(keepingCapacity: true)
                start = 0
                while true {
                    guard fill() else { return .tooLong(skipped) }
                    if let nl = buffer.firstIndex(of: 10) {
                        skipped += nl
                        start = nl + 1
                        return .tooLong(skipped)
                    }
                    skipped += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if !fill() {
                if start < buffer.count {
                    let bytes = buffer[start...]
                    start = buffer.count
                    return decode(bytes)
                }
                return nil
            }
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> LineRead {
        var b = bytes
        if b.last == 13 { b = b.dropLast() }
        if b.count > maximumLineBytes { return .tooLong(b.count) }
        guard let s = String(validating: b, as: UTF8.self) else { return .invalidUTF8 }
        return .line(s)
    }
}

/// Lines from a string (`-c` commands, tests).
package final class StringLineSource: LineSource {
    var lines: [Substring]
    var index = 0
    package init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }
    package func next() -> LineRead? {
        guard index < lines.count else { return nil }
        defer { index += 1 }
        let line = lines[index]
        if line.utf8.count > maximumLineBytes { return .tooLong(line.utf8.count) }
        return .line(String(line))
    }
}

enum ParleyErrorBridge {
    static func io(_ m: String) -> ParleyError { .io(m) }
}
