import Foundation
import ParleyCore

/// A file that commands' results go to instead of standard output (`-o FILE`, `set output-file`):
/// truncated when opened, created mode 0600 (results name customers and users).
package final class OutputFile {
    package let path: String
    let fd: Int32

    package init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ParleyError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes the text and a line break, whole.
    func write(line text: String) throws {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ParleyError.io("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
