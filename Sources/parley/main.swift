import ArgumentParser
import Foundation
import ParleyCore
import ParleyShell
import ParleyStore

// A closed pipe must end parley with an error, not a signal.
signal(SIGPIPE, SIG_IGN)

var arguments = Array(CommandLine.arguments.dropFirst())
// `parley [--db PATH] sync [--every DUR]`: the long-running sync for a service manager.
var syncMode = false
var syncEvery: TimeSpan? = nil
if let i = arguments.firstIndex(of: "sync"), !arguments[..<i].contains(where: { ["-c", "--command", "-f", "--file"].contains($0) }) {
    syncMode = true
    arguments.remove(at: i)
    if let j = arguments.firstIndex(of: "--every") {
        guard j + 1 < arguments.count, let span = try? TimeSpan.parse(arguments[j + 1]) else {
            FileHandle.standardError.write(Data("parley sync: --every takes a duration like 90s, 15m or 1h\n".utf8))
            exit(2)
        }
        syncEvery = span
        arguments.removeSubrange(j...(j + 1))
    }
}
let options: ProcessOptions
do {
    options = try ProcessOptions.parse(arguments)
} catch {
    let code = ProcessOptions.exitCode(for: error)
    let message = TerminalText.escapedLines(ProcessOptions.fullMessage(for: error))
    if code == .success {
        print(message)
        exit(0)
    }
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

let environment = ProcessInfo.processInfo.environment
let databasePath = options.database ?? ProcessOptions.defaultDatabasePath(environment)
let interactive = options.files.isEmpty && options.commands.isEmpty && isatty(0) == 1

let database: ParleyDatabase
do {
    database = try ParleyDatabase(path: databasePath)
} catch {
    FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
    // A database path naming a file that is not parley's is a bad invocation, like a bad flag value.
    if case ParleyError.invalidValue = error {
        exit(2)
    }
    exit(1)
}

let io = StandardIO(interactive: interactive)
let session = Session(database: database, io: io, environment: environment)
if options.json { session.format = .json }
if let mode = options.onError { session.onError = OnErrorMode(rawValue: mode) ?? .stop }
if let email = options.asUser {
    do { try session.startAs(email: email) } catch {
        FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
        exit(2)
    }
}
session.channelAPIProvider = XClientFactory.provider(environment: environment, io: session.io)
let shell = Shell(session: session)

if syncMode {
    SignalFlag.install()
    let status = SyncService(session: session, every: syncEvery, stopRequested: { SignalFlag.raised }).run()
    database.close()
    exit(status)
}

if interactive {
    if options.onError == nil { session.onError = .continue }
    InteractiveShell(shell: shell, dataDirectory: ProcessOptions.dataDirectory(environment), environment: environment).run()
    database.close()
    exit(0)
}

// Ctrl-C (SIGINT) stops a script between two commands: the one in flight finishes or rolls back
// whole, parley says how far it got and exits 130.
SignalFlag.catchInterrupts()
shell.interruptCheck = { SignalFlag.raised }
let inputs = ProcessOptions.orderedInputs(arguments)
if inputs.isEmpty {
    shell.runScript(FileLineSource(fd: 0), name: "<stdin>")
} else {
    let commandCount = inputs.filter { !$0.isFile }.count
    var commandIndex = 0
    for input in inputs where !shell.stopRequested {
        if input.isFile {
            if input.value == "-" {
                shell.runScript(FileLineSource(fd: 0), name: "<stdin>")
                continue
            }
            do {
                shell.runScript(try FileLineSource(path: input.value), name: input.value)
            } catch {
                FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
                exit(2)
            }
        } else {
            commandIndex += 1
            shell.runScript(StringLineSource(input.value), name: commandCount > 1 ? "-c#\(commandIndex)" : "-c")
        }
    }
}
shell.rollbackOpenTransaction()
database.close()
exit(shell.interrupted ? 130 : shell.failures > 0 ? 1 : 0)
