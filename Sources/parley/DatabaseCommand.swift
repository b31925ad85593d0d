import Foundation
import ParleyCore
import ParleyShell
import ParleyStore

/// `parley db …`: work on whole databases, outside the shell.
///   parley db copy SOURCE TARGET   copies an organisation (a file or a PostgreSQL connection
///                                  string on either side), then compares every row
enum DatabaseCommand {
    static let usage = "usage: parley db copy SOURCE TARGET (each a database file or a PostgreSQL connection string)"

    /// Runs the command and returns the exit status: 0 done, 1 failed, 2 a bad invocation.
    static func run(_ words: [String]) -> Int32 {
        guard words.first == "copy" else {
            let what = words.first.map { "unknown `db` command `\(TerminalText.escaped($0))`; " } ?? ""
            return complain(what + usage, status: 2)
        }
        guard words.count == 3 else { return complain(usage, status: 2) }
        let (sourceName, targetName) = (words[1], words[2])
        if !ParleyDatabase.isConnectionString(sourceName) && !FileManager.default.fileExists(atPath: sourceName) {
            return complain("no database file \(sourceName): give the file to copy from", status: 2)
        }
        // A target file this copy creates is removed again when the copy fails.
        let newFile =
            !ParleyDatabase.isConnectionString(targetName) && !FileManager.default.fileExists(atPath: targetName)
        let source: ParleyDatabase
        let target: ParleyDatabase
        do {
            source = try ParleyDatabase(path: sourceName)
            target = try ParleyDatabase(path: targetName)
        } catch {
            return complain(Shell.message(for: error), status: 2)
        }
        defer {
            source.close()
            target.close()
        }
        var copied = false
        defer {
            if newFile && !copied {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: targetName + suffix) }
            }
        }
        do {
            let summary = try DatabaseCopy.copy(from: source, to: target)
            copied = true
            print(
                TerminalText.escaped(
                    "copied \(summary.rows.formatted()) rows in \(summary.tables) tables from \(source.path) "
                        + "to \(target.path); every row compared equal"))
            return 0
        } catch let error as ParleyError {
            if case .refused = error { return complain(error.message, status: 2) }
            if case .usage = error { return complain(error.message, status: 2) }
            return complain(error.message, status: 1)
        } catch {
            return complain("\(error)", status: 1)
        }
    }

    static func complain(_ message: String, status: Int32) -> Int32 {
        FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(message) + "\n").utf8))
        return status
    }
}
