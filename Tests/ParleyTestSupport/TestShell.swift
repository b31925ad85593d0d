import ParleyCore
import ParleyShell
import ParleyStore

/// A shell on an in-memory (or given) database with a fixed clock and captured output, the way
/// every Swift test of the shell starts.
package enum TestShell {
    /// The clock tests start at: 2023-11-14T22:13:20Z.
    package static let start: Timestamp = 1_700_000_000_000

    /// A shell whose session writes to `io`; `setup` lines run first and must all succeed.
    /// Without `path`, the database is a new one on the store the tests run on (`TestStore`).
    package static func make(path: String? = nil, io: BufferIO, setup: [String] = []) throws -> Shell {
        let session = Session(
            database: try ParleyDatabase(path: path ?? TestStore.newDatabase()), io: io, systemClock: FixedClock(start),
            environment: ["PARLEY_KDF_ROUNDS": "1024"])
        session.loginFailureDelayMs = 0
        let shell = Shell(session: session)
        for line in setup where !shell.execute(line: line) {
            throw SetupFailed(line: line, error: io.errText)
        }
        return shell
    }

    package struct SetupFailed: Error, CustomStringConvertible {
        package var line: String
        package var error: String
        package var description: String { "set-up line failed: \(line): \(error)" }
    }
}
