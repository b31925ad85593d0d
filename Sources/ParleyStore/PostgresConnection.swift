import CPostgres
import Foundation
import ParleyCore

/// One connection to a PostgreSQL server, through libpq (loaded on first use, see CPostgres).
///
/// The connection string is libpq's own: a URI (`postgresql://…`, `postgres://…`) or keywords
/// (`host=… dbname=…`), with libpq resolving the rest as it always does (PGHOST, PGPORT, PGUSER,
/// PGDATABASE, PGPASSWORD, ~/.pgpass, PGSERVICE, sslmode). Statements take text parameters
/// (`$1`, `$2`, …; nil is NULL) and return text. Every failure leaves as `ParleyError.storage`,
/// and no text it carries holds the password: neither the connection string's nor PGPASSWORD.
package final class PostgresConnection {
    /// What a statement returned: its column names and rows, NULL as nil. Empty for a statement
    /// that returns no rows.
    package struct Rows: Equatable, Sendable {
        package var columns: [String]
        package var rows: [[String?]]
        /// How many rows an INSERT, UPDATE or DELETE touched.
        package var affected: Int = 0
    }

    /// PostgreSQL's type OIDs for the parameter types parley binds (`pg_type.oid`).
    package enum ParameterType: UInt32, Sendable {
        case inferred = 0
        case bigint = 20
        case text = 25
        case doublePrecision = 701
    }

    private let connection: OpaquePointer
    /// Texts never to show: the connection string's password (as written and as read) and PGPASSWORD.
    private let secrets: [String]
    /// Where the connection went, as libpq resolved it (a socket folder or a host name; a port).
    package let host: String
    package let port: String

    package init(_ connectionString: String) throws {
        if let why = parley_pg_load() { throw ParleyError.storage(.unavailable, String(cString: why)) }
        var password: UnsafeMutablePointer<CChar>? = nil
        var parseError: UnsafeMutablePointer<CChar>? = nil
        let readable = parley_pg_conninfo_password(connectionString, &password, &parseError) == 1
        defer {
            parley_pg_free_string(password)
            parley_pg_free_string(parseError)
        }

        var secrets = Self.writtenPasswords(in: connectionString)
        if let password { secrets.append(String(cString: password)) }
        if let environment = getenv("PGPASSWORD") { secrets.append(String(cString: environment)) }
        secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
        self.secrets = secrets

        guard readable else {
            let why = parseError.map { String(cString: $0) } ?? "unknown reason"
            throw ParleyError.storage(
                .unavailable,
                Self.redact(
                    "the PostgreSQL connection string cannot be read: \(Self.oneLine(Self.hidingQuoted(why)))", secrets)
            )
        }
        guard let connection = parley_pg_connect(connectionString) else {
            throw ParleyError.storage(.unavailable, "cannot connect to PostgreSQL: out of memory")
        }
        host = String(cString: parley_pg_host(connection))
        port = String(cString: parley_pg_port(connection))
        guard parley_pg_status(connection) == PARLEY_PG_CONNECTION_OK else {
            let why = Self.oneLine(String(cString: parley_pg_error_message(connection)))
            parley_pg_finish(connection)
            let place = host.isEmpty ? "" : " at host \(host) port \(port)"
            throw ParleyError.storage(
                .unavailable,
                Self.redact("cannot connect to PostgreSQL\(place): \(why)", secrets))
        }
        self.connection = connection
    }

    deinit { parley_pg_finish(connection) }

    /// Runs one statement with text parameters (`$1` is `parameters[0]`; nil is NULL), each of
    /// the type `types` gives at its position (inferred by the server where it gives none).
    @discardableResult
    package func execute(_ sql: String, _ parameters: [String?] = [], types: [ParameterType] = []) throws -> Rows {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { value in value.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let oids = parameters.indices.map { $0 < types.count ? types[$0].rawValue : 0 }
        let result = values.withUnsafeBufferPointer { buffer in
            oids.withUnsafeBufferPointer { typeBuffer in
                parley_pg_exec_params(connection, sql, Int32(buffer.count), typeBuffer.baseAddress, buffer.baseAddress)
            }
        }
        return try read(result)
    }

    /// Statements prepared on this connection: their text and parameter types, and their name.
    private var prepared: [PreparedKey: String] = [:]
    private var preparedCount = 0

    /// Prepares statements afresh from now on: after parley's schema was created or undone, the
    /// plans of the statements prepared before name tables that are gone. (They stay on the
    /// server under their old names until the connection closes: this is rare.)
    package func forgetPrepared() {
        prepared = [:]
    }

    struct PreparedKey: Hashable {
        var sql: String
        var types: [ParameterType]
    }

    /// Runs a statement as `execute` does, prepared on the connection the first time it is run
    /// with these parameter types (parsed and planned once), executed by name afterwards.
    @discardableResult
    package func executePrepared(_ sql: String, _ parameters: [String?], types: [ParameterType]) throws -> Rows {
        let key = PreparedKey(sql: sql, types: types)
        let name: String
        if let known = prepared[key] {
            name = known
        } else {
            preparedCount += 1
            name = "p\(preparedCount)"
            let oids = types.map(\.rawValue)
            let result = oids.withUnsafeBufferPointer { buffer in
                parley_pg_prepare(connection, name, sql, Int32(buffer.count), buffer.baseAddress)
            }
            _ = try read(result)
            prepared[key] = name
        }
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { value in value.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = values.withUnsafeBufferPointer { buffer in
            parley_pg_exec_prepared(connection, name, Int32(buffer.count), buffer.baseAddress)
        }
        return try read(result)
    }

    /// Runs a query and hands `body` its rows one at a time as the server sends them, without
    /// holding them all (a copy of a million messages). The rows left when `body` throws are
    /// read and dropped, so the connection is ready for the next statement.
    package func stream(
        _ sql: String, _ parameters: [String?], types: [ParameterType],
        _ body: (_ columns: [String], _ row: [String?]) throws -> Void
    ) throws {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { value in value.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let oids = types.map(\.rawValue)
        let sent = values.withUnsafeBufferPointer { buffer in
            oids.withUnsafeBufferPointer { typeBuffer in
                parley_pg_send_rows(connection, sql, Int32(buffer.count), typeBuffer.baseAddress, buffer.baseAddress)
            }
        }
        guard sent == 1 else { throw lostConnection() }
        var failure: Error? = nil
        var columns: [String]? = nil
        while let result = parley_pg_next_result(connection) {
            defer { parley_pg_clear(result) }
            guard failure == nil else { continue }
            let status = parley_pg_result_status(result)
            if status == PARLEY_PG_SINGLE_TUPLE {
                let row = (0..<parley_pg_nfields(result)).map { column -> String? in
                    parley_pg_getisnull(result, 0, column) == 1
                        ? nil : String(cString: parley_pg_getvalue(result, 0, column))
                }
                if columns == nil {
                    columns = (0..<parley_pg_nfields(result)).map { String(cString: parley_pg_fname(result, $0)) }
                }
                do { try body(columns!, row) } catch { failure = error }
            } else if status != PARLEY_PG_TUPLES_OK {
                failure = statementError(result)
            }
        }
        if let failure { throw failure }
    }

    /// Runs statements without parameters, separated by semicolons (a schema's DDL), as one
    /// request; returns the last one's rows.
    @discardableResult
    package func executeScript(_ sql: String) throws -> Rows {
        try read(parley_pg_exec(connection, sql))
    }

    private func read(_ result: OpaquePointer?) throws -> Rows {
        guard let result else { throw lostConnection() }
        defer { parley_pg_clear(result) }
        switch parley_pg_result_status(result) {
        case PARLEY_PG_COMMAND_OK, PARLEY_PG_EMPTY_QUERY:
            return Rows(columns: [], rows: [], affected: Int(parley_pg_cmd_tuples(result)))
        case PARLEY_PG_TUPLES_OK:
            let columnCount = parley_pg_nfields(result)
            let columns = (0..<columnCount).map { String(cString: parley_pg_fname(result, $0)) }
            let rows = (0..<parley_pg_ntuples(result)).map { row in
                (0..<columnCount).map { column -> String? in
                    parley_pg_getisnull(result, row, column) == 1
                        ? nil : String(cString: parley_pg_getvalue(result, row, column))
                }
            }
            return Rows(columns: columns, rows: rows, affected: Int(parley_pg_cmd_tuples(result)))
        default:
            throw statementError(result)
        }
    }

    /// The error of a failed statement, sorted by its SQLSTATE and naming it.
    private func statementError(_ result: OpaquePointer) -> ParleyError {
        guard let code = parley_pg_result_error_field(result, PARLEY_PG_DIAG_SQLSTATE).map({ String(cString: $0) })
        else {
            // No SQLSTATE: libpq itself failed, most often because the connection is gone.
            if parley_pg_status(connection) != PARLEY_PG_CONNECTION_OK { return lostConnection() }
            let why = Self.oneLine(String(cString: parley_pg_result_error_message(result)))
            return ParleyError.storage(.other, Self.redact("database error: \(why)", secrets))
        }
        let primary =
            parley_pg_result_error_field(result, PARLEY_PG_DIAG_MESSAGE_PRIMARY)
            .map { Self.oneLine(String(cString: $0)) } ?? "failed"
        let failure = Self.failure(sqlState: code)
        let text =
            failure == .serialization
            ? "the transaction lost to a concurrent one and was undone; run it again: \(primary) (SQLSTATE \(code))"
            : "database error: \(primary) (SQLSTATE \(code))"
        return ParleyError.storage(failure, Self.redact(text, secrets))
    }

    /// Whether the connection is still usable (libpq notices a lost one when a statement fails).
    package var isConnected: Bool { parley_pg_status(connection) == PARLEY_PG_CONNECTION_OK }

    private func lostConnection() -> ParleyError {
        let why = Self.oneLine(String(cString: parley_pg_error_message(connection)))
        return ParleyError.storage(
            .unavailable,
            Self.redact(
                "lost the connection to PostgreSQL at host \(host) port \(port): \(why)", secrets))
    }

    /// What a SQLSTATE means to parley (PostgreSQL's Appendix A, "Error Codes").
    static func failure(sqlState code: String) -> StorageFailure {
        switch code {
        case "40001", "40P01": return .serialization  // serialization_failure, deadlock_detected
        case "55P03": return .busy  // lock_not_available
        case "53100": return .full  // disk_full
        case "25006": return .readOnly  // read_only_sql_transaction
        case "XX001", "XX002": return .corrupt  // data_corrupted, index_corrupted
        default:
            if code.hasPrefix("23") { return .constraint }  // integrity violations
            if code.hasPrefix("08") || code.hasPrefix("57P") { return .unavailable }  // connection, shutdown
            return .other
        }
    }

    /// The connection string as it may be shown: its password, in either form, replaced by `***`.
    package static func redacted(_ connectionString: String) -> String {
        var text = connectionString
        let patterns = [
            #"(?i)(^postgres(?:ql)?://[^@/?#]*?:)[^@/?#]*(@)"#,  // URI user:password@
            #"(?i)([?&]password=)[^&#]*()"#,  // URI query parameter
            #"(?i)(\b(?:ssl)?password(?:\s*=\s*|\s+))(?:'(?:\\.|[^'\\])*'|[^\s']+)()"#,  // password=… (or no =)
        ]
        for pattern in patterns {
            text = text.replacingOccurrences(of: pattern, with: "$1***$2", options: .regularExpression)
        }
        return text
    }

    /// The password as written in a URI's user part or query, before libpq decodes it.
    static func writtenPasswords(in connectionString: String) -> [String] {
        let patterns = [#"(?i)^postgres(?:ql)?://[^@/?#]*?:([^@/?#]*)@"#, #"(?i)[?&]password=([^&#]*)"#]
        return patterns.compactMap { pattern in
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(
                    in: connectionString,
                    range: NSRange(connectionString.startIndex..., in: connectionString)),
                let range = Range(match.range(at: 1), in: connectionString)
            else { return nil }
            return String(connectionString[range])
        }
    }

    /// Replaces every secret in `text` by `***`.
    static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// libpq quotes pieces of a connection string it cannot read, password included: only its
    /// own keywords and single characters are kept.
    static func hidingQuoted(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: #""([^"]*)""#) else { return text }
        var out = text
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let whole = Range(match.range, in: out), let inner = Range(match.range(at: 1), in: text)
            else { continue }
            let fragment = String(text[inner])
            if fragment.count > 1 && !keywords.contains(fragment) { out.replaceSubrange(whole, with: "\"…\"") }
        }
        return out
    }

    /// libpq's connection keywords (PostgreSQL 15).
    static let keywords: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
        "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
        "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey",
        "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib", "service",
        "target_session_attrs",
    ]

    /// libpq's messages span lines (a hint indented below); parley shows one.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}
