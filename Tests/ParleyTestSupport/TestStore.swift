import Foundation
import ParleyStore

/// Which store the Swift tests run on: SQLite in memory, or, with `PARLEY_TEST_STORE=postgres`,
/// a new database on the PostgreSQL server `PARLEY_TEST_PG` names (scripts/test runs the store
/// and shell tests once per store).
package enum TestStore {
    package static var isPostgres: Bool {
        ProcessInfo.processInfo.environment["PARLEY_TEST_STORE"] == "postgres"
    }

    private static let counter = Counter()

    /// A new, empty database: `":memory:"`, or the connection string of a database created for
    /// this one test.
    package static func newDatabase() throws -> String {
        guard isPostgres else { return ":memory:" }
        guard let server = ProcessInfo.processInfo.environment["PARLEY_TEST_PG"] else {
            throw TestStoreMissing()
        }
        let name = "t_\(getpid())_\(counter.next())"
        let admin = try PostgresConnection(server)
        try admin.execute("CREATE DATABASE \(name)")
        return server.replacingOccurrences(
            of: #"dbname=\S+"#, with: "dbname=\(name)", options: .regularExpression)
    }

    package struct TestStoreMissing: Error, CustomStringConvertible {
        package var description: String {
            "PARLEY_TEST_STORE=postgres needs PARLEY_TEST_PG, a PostgreSQL connection string (scripts/test sets it)"
        }
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
