import Foundation
import ParleyCore
import ParleyShell
import ParleyStore

// A closed pipe must end parley with an error, not a signal.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "db" {
    exit(DatabaseCommand.run(Array(arguments.dropFirst())))
}
let options = ProcessOptions.flags(arguments)

let environment = ProcessEnvironment.current
let databasePath = options.databasePath ?? ProcessOptions.defaultDatabasePath(environment)
let interactive = options.files.isEmpty && options.commands.isEmpty && isatty(0) == 1
if interactive && options.singleTransaction {
    let message = "parley: -1 is for scripts: give -f, -c or input that is not a terminal\n"
    FileHandle.standardError.write(Data(message.utf8))
    exit(2)
}

let database: ParleyDatabase
do {
    database = try ParleyDatabase(path: databasePath)
} catch {
    FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
    // A database path naming a file that is not parley's, a server that cannot be reached or refuses
    // the login, a bad PostgreSQL setting: a bad invocation, like a bad flag value.
    switch error {
    case ParleyError.storage(.notParleys, _), ParleyError.storage(.unavailable, _), ParleyError.invalidValue:
        exit(2)
    default:
        exit(1)
    }
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
if let path = options.outputFile {
    do { session.outputFile = try OutputFile(path: path) } catch {
        FileHandle.standardError.write(Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
        exit(2)
    }
}
session.channelAPIProvider = XClientFactory.provider(environment: environment, io: session.io)
let shell = Shell(session: session)

if options.syncMode {
    SignalFlag.install()
    let status = SyncService(session: session, every: options.syncEvery, stopRequested: { SignalFlag.raised }).run()
    database.close()
    exit(status)
}

if interactive {
    if options.onError == nil { session.onError = .continue }
    shell.pager = Pager(environment: environment).page
    let ran = InteractiveShell(
        shell: shell, dataDirectory: ProcessOptions.dataDirectory(environment), environment: environment
    ).run()
    database.close()
    exit(ran ? 0 : 2)
}

if options.singleTransaction && !shell.beginSingleTransaction() {
    database.close()
    exit(1)
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
                FileHandle.standardError.write(
                    Data(("parley: " + Shell.oneLine(Shell.message(for: error)) + "\n").utf8))
                exit(2)
            }
        } else {
            commandIndex += 1
            shell.runScript(StringLineSource(input.value), name: commandCount > 1 ? "-c#\(commandIndex)" : "-c")
        }
    }
}
shell.finishSingleTransaction()
shell.rollbackOpenTransaction()
database.close()
exit(shell.interrupted ? 130 : shell.failures > 0 ? 1 : 0)
