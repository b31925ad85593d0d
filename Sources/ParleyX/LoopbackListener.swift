import Foundation

/// Listens on `127.0.0.1:PORT` for the browser's redirect to `/callback?code=…&state=…`.
package final class LoopbackListener: @unchecked Sendable {
    package let fd: Int32
    package let port: Int

    package init(port: Int) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw XError.transport("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(s, 4) == 0 else {
            let why = String(cString: strerror(errno))
            close(s)
            throw XError.transport(
                "cannot listen on 127.0.0.1:\(port) (\(why)): set PARLEY_X_CALLBACK_PORT to a free port registered with the app, or paste the redirect URL"
            )
        }
        fd = s
        self.port = port
    }

    deinit { close(fd) }

    package enum Outcome: Equatable, Sendable {
        case code(String)
        /// A request that was not the callback we wait for (wrong state, an error, another path).
        case ignored(String)
    }

    /// Accepts one connection (call when `fd` is readable) and answers it.
    package func acceptOne(expectedState: String) -> Outcome {
        let c = accept(fd, nil, nil)
        guard c >= 0 else { return .ignored("accept failed") }
        defer { close(c) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 8192)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(c, $0.baseAddress! + received, $0.count - received) }
            if n <= 0 { break }
            received += n
            if buffer[..<received].contains(10) { break }
        }
        let request = String(decoding: buffer[..<received], as: UTF8.self)
        let firstLine = request.split(separator: "\r\n").first ?? request.split(separator: "\n").first ?? ""
        let parts = firstLine.split(separator: " ")
        func answer(_ status: String, _ text: String) {
            let body = "<!doctype html><meta charset=utf-8><title>parley</title><p>\(text)</p>"
            let response =
                "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { write(c, $0, strlen($0)) }
        }
        guard parts.count >= 2, parts[0] == "GET", parts[1].hasPrefix("/callback") else {
            answer("404 Not Found", "Not the parley callback.")
            return .ignored("request for \(parts.count >= 2 ? String(parts[1].prefix(40)) : "?")")
        }
        let target = String(parts[1])
        let query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? ""
        let params = PercentEncoding.parseForm(query)
        if let error = params["error"] {
            answer("400 Bad Request", "Authorization was refused (\(error)). You can close this window.")
            return .ignored("authorization refused: \(error)")
        }
        guard params["state"] == expectedState else {
            answer(
                "400 Bad Request", "This authorization does not match the one parley started. Start again in parley.")
            return .ignored("a callback with the wrong state was refused")
        }
        guard let code = params["code"], !code.isEmpty else {
            answer("400 Bad Request", "No code in the callback.")
            return .ignored("a callback without a code")
        }
        answer("200 OK", "parley is connected. You can close this window and go back to the terminal.")
        return .code(code)
    }
}
