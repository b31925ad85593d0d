import Foundation
import GRDB
import ParleyCore

/// How parley tells its own database files from anybody else's, before it writes a byte.
///
/// A parley database carries `PRAGMA application_id` = "PRLY". A file without it is parley's only
/// when it holds parley's tables and GRDB's record of parley's first migration (a database made
/// before parley set the id). Anything else that is not empty is refused and left as it was.
enum DatabaseIdentity: Equatable {
    /// Missing or zero bytes long: parley creates its schema there.
    case new
    /// Marked with parley's application id; the header's `user_version` (the migrations the file
    /// holds, unless its -wal file holds newer ones) and whether it is in WAL mode.
    case parley(schemaVersion: Int32, wal: Bool)
    /// Made by a parley that did not set the application id yet: opening it sets it.
    case earlierParley

    /// SQLite's `application_id` of parley databases: the ASCII of "PRLY".
    static let applicationID: Int32 = 0x5052_4C59

    /// The name under which GRDB records parley's first migration.
    static let firstMigration = "v1: organisation, channels, conversations, audit"

    /// Tables every parley database has had since its first migration.
    static let parleyTables: Set<String> = [
        "grdb_migrations", "meta", "users", "channels", "conversations", "messages",
    ]

    /// What the file at `path` is. Reads it only (no lock, no journal, no -wal or -shm file).
    /// Throws `ParleyError.storage(.notParleys, …)` for a file that is not parley's.
    static func inspect(path: String) throws -> DatabaseIdentity {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT {
                return .new
            }
            throw ParleyError.io("cannot read database \(path): \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw ParleyError.storage(
                .notParleys, "\(path) is not a parley database (not a regular file): \(leftAlone)")
        }
        if info.st_size == 0 {
            return .new
        }
        let header = try readHeader(path)
        let magic = Array("SQLite format 3\u{0}".utf8)
        guard header.count == 100, Array(header[0..<16]) == magic else {
            throw ParleyError.storage(
                .notParleys, "\(path) is not a parley database (not an SQLite file): \(leftAlone)")
        }
        let id = header[68..<72].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        if Int32(bitPattern: id) == applicationID {
            let version = header[60..<64].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
            // Bytes 18 and 19, the write and read versions, are 2 in WAL mode.
            return .parley(schemaVersion: Int32(bitPattern: version), wal: header[18] == 2 && header[19] == 2)
        }
        if id != 0 {
            let hex = "0x" + String(id, radix: 16, uppercase: true)
            throw ParleyError.storage(
                .notParleys,
                "\(path) is not a parley database (another application's SQLite file, application_id \(hex)): "
                    + leftAlone)
        }
        guard try holdsParleySchema(path) else {
            throw ParleyError.storage(
                .notParleys,
                "\(path) is not a parley database (an SQLite file without parley's tables): \(leftAlone)")
        }
        return .earlierParley
    }

    static let leftAlone = "parley left it untouched; give --db a parley database, a new path or an empty file"

    /// The first 100 bytes (SQLite's file header), or fewer when the file is shorter.
    static func readHeader(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw ParleyError.io("cannot read database \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 100)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 && errno == EINTR {
                continue
            }
            if n <= 0 {
                break
            }
            count += n
        }
        return Array(bytes[0..<count])
    }

    /// Whether the SQLite file holds parley's tables and GRDB's record of its first migration.
    /// Read through an immutable connection: SQLite takes no lock and creates no file beside it.
    static func holdsParleySchema(_ path: String) throws -> Bool {
        var config = Configuration()
        config.readonly = true
        config.label = "parley-inspect"
        do {
            let queue = try DatabaseQueue(path: immutableURI(path), configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                guard parleyTables.isSubset(of: tables) else {
                    return false
                }
                let names = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
                return names.contains(firstMigration)
            }
        } catch is DatabaseError {
            return false
        }
    }

    /// An SQLite URI that opens `path` read-only and immutable: no locks, no -wal or -shm file,
    /// the file as it is on disk (right when its -wal file is missing or empty).
    static func immutableURI(_ path: String) -> String {
        uri(path, query: "mode=ro&immutable=1")
    }

    /// An SQLite URI that opens `path` read-only (through its -wal and -shm files).
    static func readOnlyURI(_ path: String) -> String {
        uri(path, query: "mode=ro")
    }

    static func uri(_ path: String, query: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:" + escaped + "?" + query
    }
}
