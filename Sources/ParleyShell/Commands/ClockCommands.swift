import Foundation
import ParleyCore
import ParleyStore

/// The one clock every rule reads, and the sandbox's simulated one.
enum ClockCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "clock", summary: "the time parley's rules read (simulated on a sandbox)",
                example: "clock", requirement: .anyone, access: .read, handler: clock),
            CommandSpec(
                "clock advance", args: [ArgSpec("DURATION", .duration)],
                summary: "move a sandbox's simulated clock forward (admins)", example: "clock advance 31d",
                requirement: .sandboxAdmin, handler: clockAdvance),
        ]
    }

    static func clock(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let sandbox = ctx.isSandbox
        return .record([("now", .string(TimeFormat.iso(ctx.now))), ("simulated", .bool(sandbox))])
    }

    static func clockAdvance(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let span = inv.span("DURATION")
        let (next, overflow) = ctx.now.addingReportingOverflow(span.milliseconds)
        // 9999-12-31T23:59:59Z: the last time the clock can show as a four-digit year.
        guard !overflow && next <= 253_402_300_799_000 else {
            throw ParleyError.invalidValue("clock advance \(span) would move the clock past the year 9999")
        }
        try Meta.setSandboxTime(ctx.db, next)
        try ctx.audit("clock.advance", "clock", old: TimeFormat.iso(ctx.now), new: TimeFormat.iso(next))
        let resolved = try Inbox.sweep(ctx.db, now: next)
        var message = "clock moved \(span) forward to \(TimeFormat.iso(next))"
        if !resolved.isEmpty {
            message += "; auto-resolved \(resolved.count) conversation\(resolved.count == 1 ? "" : "s")"
        }
        return .done(message, record: [("now", .string(TimeFormat.iso(next))), ("auto_resolved", .of(resolved.count))])
    }
}
