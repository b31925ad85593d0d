import Foundation
import GRDB
import GRDBSQLite
import ParleyCore

/// An open parley database: one SQLite file in WAL mode with foreign keys on and a busy timeout,
/// migrated to the current schema on open (a file parley may not write opens read-only); or a
/// PostgreSQL database named by a connection string (see `PostgresSession`).
package final class ParleyDatabase: @unchecked Sendable {
    /// The file, or the connection string as it may be shown (its password hidden).
    package let path: String
    private let sqlite: DatabaseQueue?
    private var postgres: PostgresSession?
    private let postgresLock = NSRecursiveLock()

    /// Whether the database is a PostgreSQL one.
    package var isPostgres: Bool { sqlite == nil }

    /// Whether `location` (a `--db` value) names a PostgreSQL database rather than a file: a URI
    /// (`postgresql://…`, `postgres://…`) or libpq's `keyword=value` form, starting with one of
    /// libpq's keywords (`host=…`, `dbname=…`, `service=…`, …).
    package static func isConnectionString(_ location: String) -> Bool {
        let lowered = location.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") { return true }
        let trimmed = location.drop(while: { $0 == " " })
        guard let equals = trimmed.firstIndex(of: "=") else { return false }
        let keyword = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
        return PostgresConnection.keywords.contains(keyword)
    }
    /// Why parley may not write this database (nil when it may): reading commands still work.
    package let readOnlyReason: String?

    /// Whether the database opened read-only.
    package var isReadOnly: Bool { readOnlyReason != nil }

    /// The one line a refused write shows: which database, and why it is read-only.
    package var readOnlyMessage: String? {
        readOnlyReason.map { "the database \(path) is read-only: \($0); reading commands work, changes do not" }
    }

    /// How long a writer waits for another process's write to finish before giving up.
    package static let busyTimeout: TimeInterval = 10

    /// Opens (creating it with mode 0600 if missing) and migrates the database at `path`.
    /// `":memory:"` opens a private in-memory database. A file that is not parley's is refused
    /// (`ParleyError.storage(.notParleys, …)`) before anything is written; one parley may not write opens read-only.
    package init(path: String) throws {
        if Self.isConnectionString(path) {
            self.path = PostgresConnection.redacted(path)
            readOnlyReason = nil
            sqlite = nil
            postgres = try PostgresSession(connectionString: path)
            return
        }
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        // SQLite's own busy timeout sleeps up to 100 ms between tries, and a waiting writer that
        // wakes that rarely can lose to busier writers again and again until the timeout (writer
        // starvation with four parleys writing at once). Retry every 0.5–2 ms instead.
        let wait = BusyWait()
        config.busyMode = .callback { tries in wait.retry(tries) }
        // `begin` … `commit` keeps a transaction open across commands on purpose.
        config.allowsUnsafeTransactions = true
        config.label = "parley"
        if path == ":memory:" {
            readOnlyReason = nil
            sqlite = try Self.openWritable(path: path, config: config)
            return
        }
        let identity = try DatabaseIdentity.inspect(path: path)
        if identity == .new {
            try Self.createPrivateFile(at: path)
        }
        readOnlyReason = Self.readOnlyReason(path)
        if readOnlyReason == nil {
            // A file in WAL mode at the current schema version needs no migration: opening it is
            // then only opening it (docs/ARCHITECTURE.md, "Start").
            let current = identity == .parley(schemaVersion: Schema.version, wal: true)
            sqlite = try Self.openWritable(path: path, config: config, current: current)
        } else {
            sqlite = try Self.openReadOnly(path: path, config: config)
        }
    }

    static func openWritable(path: String, config: Configuration, current: Bool = false) throws -> DatabaseQueue {
        var config = config
        config.prepareDatabase { db in
            // The -wal and -shm files stay beside the database when parley closes it, the -wal
            // file emptied (a non-negative journal_size_limit makes SQLite truncate it to zero
            // bytes at close): a short command neither creates the two files at its start nor
            // deletes them at its exit.
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            // synchronous: WAL frames are synced at checkpoints, not at each commit.
            // temp_store: a statement that writes many rows (a page of a sync's messages) keeps
            // the pages it may have to undo in a statement journal in memory, not in a temporary
            // file created, written and deleted with each page.
            // wal_autocheckpoint: the -wal file is copied into the database (and both synced to
            // disk) once it holds 10,000 pages (about 40 MB), not SQLite's 1,000: many small
            // transactions (a sync's pages, a script's commands) change the same pages again and
            // again, and each checkpoint wrote them all and waited for the disk.
            // One call for all four: each is a statement SQLite compiles and runs.
            let pragmas =
                "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; "
                + "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864"
            let code = sqlite3_exec(db.sqliteConnection, pragmas, nil, nil, nil)
            if code != SQLITE_OK {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
        }
        do {
            if path == ":memory:" {
                let queue = try DatabaseQueue(configuration: config)
                try Schema.migrator.migrate(queue)
                return queue
            }
            let queue = try DatabaseQueue(path: path, configuration: config)
            if current { return queue }
            try queue.writeWithoutTransaction { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
                if mode.lowercased() != "wal" {
                    _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
            }
            try Schema.migrator.migrate(queue)
            return queue
        } catch let error as DatabaseError {
            throw ParleyError.io("cannot open database \(path): \(error.message ?? "\(error)")")
        }
    }

    /// Opens without writing anything, beside the file either: immutable when its -wal file is
    /// missing or empty (SQLite then needs no -shm file, which a read-only folder could not hold),
    /// through the -wal and -shm files otherwise.
    static func openReadOnly(path: String, config: Configuration) throws -> DatabaseQueue {
        var config = config
        config.readonly = true
        var info = stat()
        let walHoldsPages = stat(path + "-wal", &info) == 0 && info.st_size > 0
        if walHoldsPages && stat(path + "-shm", &info) != 0 && !folderIsWritable(path) {
            // SQLite reads a -wal file only through a -shm file, which it cannot create here.
            throw ParleyError.storage(
                .readOnly,
                "the database \(path) is read-only and cannot be read now: its -wal file "
                    + "holds changes not yet in the file, and its folder cannot hold the -shm file SQLite needs "
                    + "to read them; open it once with write access to fold them in")
        }
        let uri = walHoldsPages ? DatabaseIdentity.readOnlyURI(path) : DatabaseIdentity.immutableURI(path)
        let queue: DatabaseQueue
        let applied: Set<String>
        do {
            queue = try DatabaseQueue(path: uri, configuration: config)
            applied = try queue.read { db in try Schema.migrator.appliedIdentifiers(db) }
        } catch let error as DatabaseError {
            throw ParleyError.io("cannot read database \(path): \(error.message ?? "\(error)")")
        }
        let missing = Set(Schema.migrator.migrations).subtracting(applied).subtracting([Schema.identityMigration])
        if missing.isEmpty {
            return queue
        }
        try? queue.close()
        let reason = readOnlyReason(path) ?? "parley may not write it"
        if applied.isEmpty {
            throw ParleyError.storage(
                .readOnly,
                "the database \(path) is read-only: \(reason); it is empty, "
                    + "and parley cannot create its tables there")
        }
        throw ParleyError.storage(
            .readOnly,
            "the database \(path) is read-only: \(reason); it needs updating to "
                + "this parley's schema: open it once with write access")
    }

    /// Why parley may not write the database at `path`, or nil when it may. SQLite writes the
    /// file and creates its -wal and -shm files beside it, so both the file and its folder count.
    static func readOnlyReason(_ path: String) -> String? {
        if access(path, W_OK) != 0 {
            return "parley may not write the file (\(String(cString: strerror(errno))))"
        }
        if !folderIsWritable(path) {
            return "parley may not create files in its folder \(folder(of: path)), "
                + "where SQLite keeps the -wal and -shm files"
        }
        return nil
    }

    static func folder(of path: String) -> String {
        let dir = FilePathText.folder(of: path)
        return dir.isEmpty ? "." : dir
    }

    static func folderIsWritable(_ path: String) -> Bool {
        access(folder(of: path), W_OK) == 0
    }

    /// Creates the file and its folder, private to the user, before SQLite opens it
    /// (SQLite gives the -wal and -shm files the same mode).
    static func createPrivateFile(at path: String) throws {
        let fm = FileManager.default
        let dir = FilePathText.folder(of: path)
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            do {
                try fm.createDirectory(
                    atPath: dir, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw ParleyError.io("cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        if !fm.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd < 0 && errno != EEXIST {
                throw ParleyError.io("cannot create database \(path): \(String(cString: strerror(errno)))")
            }
            if fd >= 0 { Foundation.close(fd) }
        }
    }

    /// Closes the connection; the last one to close folds the WAL back into the database file.
    package func close() {
        try? sqlite?.close()
        postgres = nil
    }

    /// Runs `body` on the connection. Calls may nest (a command that syncs a channel runs
    /// page transactions from inside its own call): parley uses one connection from one thread.
    /// The engine's errors leave as `ParleyError`s.
    package func withConnection<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        do {
            if let sqlite {
                return try sqlite.unsafeReentrantWrite { db in try body(StoreAccess(db)) }
            }
            guard let postgres else {
                throw ParleyError.storage(.unavailable, "the connection to \(path) is closed")
            }
            // One thread at a time on the connection (a sync stores a refreshed token from the
            // thread that fetches ahead); calls nest on one thread.
            postgresLock.lock()
            defer { postgresLock.unlock() }
            return try body(StoreAccess(postgres))
        } catch {
            throw StoreErrors.parleyError(error, readOnlyMessage: readOnlyMessage)
        }
    }

    /// Runs `body` in a transaction of its own (a savepoint inside an open one), for reading.
    package func read<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        try withConnection { access in try access.atomically(write: false) { try body(access) } }
    }

    /// Runs `body` in a transaction of its own (a savepoint inside an open one): all or nothing.
    package func write<T>(_ body: (StoreAccess) throws -> T) throws -> T {
        try withConnection { access in try access.atomically { try body(access) } }
    }
}

/// The busy handler's clock: when this lock attempt started waiting.
final class BusyWait: @unchecked Sendable {
    private var started = 0.0

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Whether to try again (after a short random sleep); false once `busyTimeout` has passed.
    func retry(_ tries: Int) -> Bool {
        let now = Self.now()
        if tries == 0 { started = now }
        guard now - started < ParleyDatabase.busyTimeout else { return false }
        usleep(UInt32.random(in: 500...2000))
        return true
    }
}
