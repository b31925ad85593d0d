import Foundation
import ParleyCore
import ParleyStore

/// How the shell runs: leaving, help, scripts, settings, transactions, history.
enum ScriptCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "exit", summary: "leave parley", example: "exit", requirement: .anyone, access: .none, handler: exit),
            CommandSpec(
                "quit", summary: "leave parley", example: "quit", requirement: .anyone, access: .none, handler: exit),
            CommandSpec(
                "help", args: [ArgSpec("WORD", .text, optional: true, variadic: true)],
                summary: "list commands, or explain one", example: "help conversation list",
                requirement: .anyone, access: .read, handler: HelpCommand.run),
            CommandSpec(
                "source", args: [ArgSpec("FILE", .file)], summary: "run the commands of a script file",
                example: "source setup.parley", requirement: .anyone, access: .none, handler: source),
            CommandSpec(
                "set output", args: [ArgSpec("FORMAT", .outputFormat)], summary: "print tables, JSON or CSV",
                example: "set output json", requirement: .anyone, access: .none, handler: setOutput),
            CommandSpec(
                "set on-error", args: [ArgSpec("MODE", .onErrorMode)],
                summary: "stop at the first failing command, or go on",
                example: "set on-error continue", requirement: .anyone, access: .none, handler: setOnError),
            CommandSpec(
                "set echo", args: [ArgSpec("SWITCH", .onOff)], summary: "print each command before it runs",
                example: "set echo on", requirement: .anyone, access: .none, handler: setEcho),
            CommandSpec(
                "set output-file", args: [ArgSpec("FILE", .file, optional: true)],
                summary: "write results to FILE (truncated; new files mode 0600); no FILE: back to standard output",
                example: "set output-file report.txt", requirement: .anyone, access: .none,
                handler: setOutputFile),
            CommandSpec(
                "set pager", args: [ArgSpec("SWITCH", .onOff)],
                summary: "show output longer than the terminal through $PAGER (on at a terminal)",
                example: "set pager off", requirement: .anyone, access: .none, handler: setPager),
            CommandSpec(
                "set timing", args: [ArgSpec("SWITCH", .onOff)], summary: "print each command's time after it",
                example: "set timing on", requirement: .anyone, access: .none, handler: setTiming),
            CommandSpec(
                "begin", summary: "start a transaction: the commands up to `commit` land all together or not at all",
                example: "begin", requirement: .anyone, access: .none, handler: begin),
            CommandSpec(
                "commit", summary: "make the commands since `begin` permanent", example: "commit",
                requirement: .anyone, access: .none, handler: commit),
            CommandSpec(
                "rollback", summary: "undo every command since `begin`", example: "rollback",
                requirement: .anyone, access: .none, handler: rollback),
            CommandSpec(
                "history", args: [ArgSpec("N", .number, optional: true, range: 1...1_000_000)],
                summary: "the commands typed before (the last N)",
                example: "history 20", requirement: .anyone, access: .none, handler: history),
        ]
    }

    /// Leaves (the shell decides what an open transaction means: `Shell.perform`).
    static func exit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        .control(.exit(command: inv.spec.name))
    }

    /// Runs a script file (the shell runs it: `Shell.perform`).
    static func source(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        .control(.source(inv.text("FILE")))
    }

    static func setOutput(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.format = try OutputFormat.parse(inv.text("FORMAT"))
        return .none
    }

    static func setOnError(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.onError = OnErrorMode(rawValue: inv.text("MODE")) ?? .stop
        return .none
    }

    static func setEcho(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.echo = inv.bool("SWITCH")
        return .none
    }

    static func setOutputFile(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        guard let path = inv.given("FILE")?.text else {
            ctx.session.outputFile = nil
            return .none
        }
        ctx.session.outputFile = try OutputFile(path: path)
        return .none
    }

    static func setPager(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.pager = inv.bool("SWITCH")
        return .none
    }

    static func setTiming(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        ctx.session.timing = inv.bool("SWITCH")
        return .none
    }

    static func begin(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput { .control(.begin) }

    static func commit(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput { .control(.commit) }

    static func rollback(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput { .control(.rollback) }

    static func history(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        var entries = ctx.session.historyProvider()
        if let n = inv.given("N")?.number { entries = Array(entries.suffix(n)) }
        let first = ctx.session.historyProvider().count - entries.count + 1
        return .table(
            Table(
                columns: ["n", "command"],
                rows: entries.enumerated().map { [.int(Int64(first + $0.offset)), .string($0.element)] }))
    }
}
