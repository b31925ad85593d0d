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

/// A request sent with `HTTPClient.start`: its answer comes while the caller works, and
/// `HTTPClient.finish` collects it.
package final class HTTPTransfer: @unchecked Sendable {
    package let request: HTTPRequest
    fileprivate let exchange: Exchange
    fileprivate var running = true

    fileprivate init(request: HTTPRequest, exchange: Exchange) {
        self.request = request
        self.exchange = exchange
    }
}

/// What one request holds while libcurl works on it: the header list and the buffers its
/// callbacks fill, at addresses that stay put until the transfer ends.
private final class Exchange {
    let body = UnsafeMutablePointer<parley_buffer>.allocate(capacity: 1)
    let head = UnsafeMutablePointer<parley_buffer>.allocate(capacity: 1)
    var list: UnsafeMutablePointer<curl_slist>? = nil
    var payload: Data

    init(_ request: HTTPRequest) {
        body.initialize(to: parley_buffer(data: nil, length: 0, capacity: 0, limit: 32 << 20))
        head.initialize(to: parley_buffer(data: nil, length: 0, capacity: 0, limit: 1 << 20))
        payload = request.body ?? Data()
        for (name, value) in request.headers { list = parley_curl_slist_append(list, "\(name): \(value)") }
        list = parley_curl_slist_append(list, "Expect:")
    }

    deinit {
        parley_buffer_free(body)
        parley_buffer_free(head)
        body.deallocate()
        head.deallocate()
        parley_curl_slist_free_all(list)
    }
}

/// HTTP over libcurl, responses captured in memory (capped at 32 MiB). One easy handle serves
/// every request of a client, through one multi handle that keeps its connections alive from one
/// request to the next (a sync of a thousand pages opens one TCP and TLS connection, not a
/// thousand). One request at a time, all on the caller's thread: `send` waits for the answer;
/// `start` sends the request and returns, so the caller works while the server answers (a sync
/// stores one page while the next one comes) and `finish` collects it; a request sent while
/// another is under way ends that one.
package final class HTTPClient: @unchecked Sendable {
    package var timeouts: HTTPTimeouts
    private var handle: UnsafeMutableRawPointer?
    private var multi: UnsafeMutableRawPointer?
    private var inFlight: HTTPTransfer?
    private let lock = NSLock()

    package init(timeouts: HTTPTimeouts = HTTPTimeouts()) {
        self.timeouts = timeouts
    }

    deinit {
        drop()
        if let handle { parley_curl_easy_cleanup(handle) }
        if let multi { parley_curl_multi_cleanup(multi) }
    }

    package func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let transfer = try start(request)
        return try finish(transfer)
    }

    /// Sends `request` and returns without waiting for the answer.
    package func start(_ request: HTTPRequest) throws -> HTTPTransfer {
        lock.lock()
        defer { lock.unlock() }
        drop()
        let (curl, multi) = try handles()
        let exchange = Exchange(request)
        var code = prepare(curl, request, exchange)
        if code == CURLE_OK { code = parley_curl_transfer_start(multi, curl) }
        if code != CURLE_OK { throw Self.failure(code) }
        let transfer = HTTPTransfer(request: request, exchange: exchange)
        inFlight = transfer
        return transfer
    }

    /// The answer to a request `start` sent, waiting for the rest of it. Throws as `send` does,
    /// and when another request ended this one.
    package func finish(_ transfer: HTTPTransfer) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        guard inFlight === transfer, transfer.running, let curl = handle, let multi else {
            throw TransportError(code: -1, message: "the request was dropped for another one")
        }
        inFlight = nil
        transfer.running = false
        return try collect(curl, parley_curl_transfer_wait(multi, curl), transfer.exchange)
    }

    /// Ends the transfer under way, if any.
    private func drop() {
        guard let transfer = inFlight, transfer.running, let curl = handle, let multi else { return }
        parley_curl_transfer_cancel(multi, curl)
        transfer.running = false
        inFlight = nil
    }

    private func handles() throws -> (UnsafeMutableRawPointer, UnsafeMutableRawPointer) {
        if let why = parley_curl_load() { throw TransportError(code: -1, message: String(cString: why)) }
        if handle == nil { handle = parley_curl_easy_init() }
        if multi == nil { multi = parley_curl_multi_init() }
        guard let handle, let multi else {
            throw TransportError(code: -1, message: "libcurl could not start a transfer")
        }
        return (handle, multi)
    }

    static func failure(_ code: CURLcode) -> TransportError {
        TransportError(code: Int(code.rawValue), message: String(cString: parley_curl_easy_strerror(code)))
    }

    /// Sets the handle's options for `request`, its body and headers captured in `exchange`.
    private func prepare(_ curl: UnsafeMutableRawPointer, _ request: HTTPRequest, _ exchange: Exchange) -> CURLcode {
        parley_curl_easy_reset(curl)
        _ = parley_curl_setopt_string(curl, CURLOPT_URL, request.url)
        _ = parley_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = parley_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, timeouts.connect)
        _ = parley_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeouts.total)
        _ = parley_curl_setopt_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = parley_curl_setopt_long(curl, CURLOPT_LOW_SPEED_TIME, timeouts.stall)
        _ = parley_curl_setopt_string(curl, CURLOPT_USERAGENT, "parley/1.0")
        _ = parley_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, exchange.list)
        _ = parley_curl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        if request.method != "GET" {
            // COPYPOSTFIELDS copies the body: it need not outlive this call.
            _ = parley_curl_setopt_offset(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(exchange.payload.count))
            exchange.payload.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 {
                    _ = parley_curl_setopt_string(
                        curl, CURLOPT_COPYPOSTFIELDS, base.assumingMemoryBound(to: CChar.self))
                } else {
                    _ = parley_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, "")
                }
            }
        }
        let rc = parley_curl_capture_body(curl, exchange.body)
        return rc == CURLE_OK ? parley_curl_capture_headers(curl, exchange.head) : rc
    }

    private func collect(_ curl: UnsafeMutableRawPointer, _ code: CURLcode, _ exchange: Exchange) throws
        -> HTTPResponse
    {
        if code != CURLE_OK { throw Self.failure(code) }
        var status = 0
        _ = parley_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        let body = exchange.body.pointee
        let head = exchange.head.pointee
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
