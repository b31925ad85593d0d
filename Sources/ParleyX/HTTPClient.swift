import CCurl
import Foundation

/// One HTTP request.
package struct HTTPRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: Data?
    package init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [String: String]  // lower-cased names
    package var body: Data
}

/// How long a transfer may take.
package struct HTTPTimeouts: Sendable {
    package var connect: Int = 10
    /// A transfer that moves less than one byte a second for this long is stalled.
    package var stall: Int = 30
    package var total: Int = 120
    package init(connect: Int = 10, stall: Int = 30, total: Int = 120) {
        self.connect = connect
        self.stall = stall
        self.total = total
    }
}

/// Failures below HTTP: no connection, a stalled or cut transfer.
package struct TransportError: Error, Sendable, CustomStringConvertible {
    package var code: Int
    package var message: String
    package var timedOut: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
    package var description: String { message }
}

/// HTTP over libcurl, responses captured in memory (capped at 32 MiB). One easy handle serves
/// every request of a client, so its connections are kept alive from one request to the next
/// (a sync of a thousand pages opens one TCP and TLS connection, not a thousand).
package final class HTTPClient: @unchecked Sendable {
    package var timeouts: HTTPTimeouts
    private var handle: UnsafeMutableRawPointer?
    private let lock = NSLock()

    package init(timeouts: HTTPTimeouts = HTTPTimeouts()) {
        self.timeouts = timeouts
    }

    deinit { if let handle { parley_curl_easy_cleanup(handle) } }

    package func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        if let why = parley_curl_load() { throw TransportError(code: -1, message: String(cString: why)) }
        if handle == nil { handle = parley_curl_easy_init() }
        guard let curl = handle else { throw TransportError(code: -1, message: "libcurl could not start a transfer") }
        parley_curl_easy_reset(curl)
        var body = parley_buffer(data: nil, length: 0, capacity: 0, limit: 32 << 20)
        var head = parley_buffer(data: nil, length: 0, capacity: 0, limit: 1 << 20)
        defer {
            parley_buffer_free(&body)
            parley_buffer_free(&head)
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { parley_curl_slist_free_all(list) }
        for (name, value) in request.headers { list = parley_curl_slist_append(list, "\(name): \(value)") }
        list = parley_curl_slist_append(list, "Expect:")

        _ = parley_curl_setopt_string(curl, CURLOPT_URL, request.url)
        _ = parley_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = parley_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, timeouts.connect)
        _ = parley_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeouts.total)
        _ = parley_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = parley_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, timeouts.stall)
        _ = parley_curl_setopt_string(curl, CURLOPT_USERAGENT, "parley/1.0")
        _ = parley_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, list)
        _ = parley_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        let payload = request.body ?? Data()
        let code: CURLcode = payload.withUnsafeBytes { raw -> CURLcode in
            if request.method != "GET" {
                _ = parley_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count))
                if let base = raw.baseAddress, raw.count > 0 {
                    _ = parley_curl_setopt_string(
                        curl, CURLOPT_COPYPOSTFIELDS, base.assumingMemoryBound(to: CChar.self))
                } else {
                    _ = parley_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, "")
                }
            }
            _ = parley_curl_capture_body(curl, &body)
            _ = parley_curl_capture_headers(curl, &head)
            return parley_curl_easy_perform(curl)
        }
        if code != CURLE_OK {
            throw TransportError(code: Int(code.rawValue), message: String(cString: parley_curl_easy_strerror(code)))
        }
        var status = 0
        _ = parley_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        let data = body.data.map { Data(bytes: $0, count: body.length) } ?? Data()
        let headerText = head.data.map { String(decoding: Data(bytes: $0, count: head.length), as: UTF8.self) } ?? ""
        return HTTPResponse(status: status, headers: Self.parseHeaders(headerText), body: data)
    }

    /// The last response's header lines (after redirects or 100-continue) as a dictionary.
    static func parseHeaders(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("HTTP/") {
                out = [:]
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            out[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }
}
