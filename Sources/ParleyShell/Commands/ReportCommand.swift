import ParleyCore
import ParleyStore

/// `report CH`: a channel's figures over a period, for its supervisors.
enum ReportCommand {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "report", args: [ArgSpec("CHANNEL", .channel)],
                options: [
                    OptionSpec(
                        "since", .duration, "the period: the last DURATION (default 30d)", valueName: "DURATION"),
                    OptionSpec("by", .grouping, "break down per day (default) or per agent"),
                    OptionSpec("format", .reportFormat, "table (with a chart), csv or json"),
                ],
                summary: "messages, conversations, response and resolution times of a channel (supervisors)",
                example: "report @acme_help --since 7d --by agent", requirement: .onChannel(.report),
                access: .read, handler: run)
        ]
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let channel = inv.channel()
        let since = inv.given("--since")?.span ?? .days(30)
        let by = ReportGrouping(rawValue: inv.given("--by")?.text ?? "day") ?? .day
        let from = ctx.now - since.milliseconds
        let r = try ReportQueries.report(ctx.db, channelID: channel.id, from: from, to: ctx.now + 1, by: by)
        let columns = [
            by == .day ? "day" : "agent", "inbound", "outbound", "new", "reopened", "resolved",
            "first_response_median_seconds", "first_response_p90_seconds",
            "resolution_median_seconds", "resolution_p90_seconds",
        ]
        func row(_ b: ChannelReport.Bucket) -> [Value] {
            func ms(_ v: Int64?) -> Value { v.map { .int($0 / 1000) } ?? .null }
            return [
                .string(b.key), .of(b.inbound), .of(b.outbound), .of(b.newConversations), .of(b.reopened),
                .of(b.resolved),
                ms(b.firstResponses.median), ms(b.firstResponses.p90),
                ms(b.resolutions.median), ms(b.resolutions.p90),
            ]
        }
        let table = Table(columns: columns, rows: r.buckets.map(row) + [row(r.total)])
        let format = inv.given("--format")?.text.flatMap(OutputFormat.init(rawValue:)) ?? ctx.session.format
        let summary: [(String, Value)] =
            [
                ("channel", .string(channel.atHandle)), ("from", .string(TimeFormat.iso(from))),
                ("to", .string(TimeFormat.iso(ctx.now))),
                ("by", .string(by.rawValue)),
            ] + Array(zip(columns.dropFirst(), row(r.total).dropFirst()))
        switch format {
        case .json:
            return .record(summary, sections: [("rows", Table(columns: columns, rows: r.buckets.map(row)))]).forcing(
                .json)
        case .csv:
            return CommandOutput.table(table).forcing(.csv)
        case .table:
            return .text(text(channel: channel, since: since, by: by, report: r))
        }
    }

    static func text(channel: Channel, since: TimeSpan, by: ReportGrouping, report r: ChannelReport) -> String {
        func t(_ v: Int64?) -> String { v.map { TimeSpan.humanize(milliseconds: $0) } ?? "-" }
        var out = [
            "\(channel.displayName) (\(channel.atHandle)), last \(since):",
            "  messages       \(r.total.inbound) in, \(r.total.outbound) out",
            "  conversations  \(r.total.newConversations) new, \(r.total.reopened) reopened, \(r.total.resolved) resolved",
            "  first response median \(t(r.total.firstResponses.median)), p90 \(t(r.total.firstResponses.p90))"
                + " (\(r.total.firstResponses.count) answered)",
            "  resolution     median \(t(r.total.resolutions.median)), p90 \(t(r.total.resolutions.p90))",
            "",
        ]
        let rows: [[Value]] = r.buckets.map { b in
            [
                .string(b.key), .of(b.inbound), .of(b.outbound), .of(b.newConversations + b.reopened), .of(b.resolved),
                .string(t(b.firstResponses.median)), .string(t(b.resolutions.median)),
            ]
        }
        let labels =
            by == .day
            ? ["day", "in", "out", "opened", "resolved", "first_resp", "resolution"]
            : ["agent", "in", "out", "opened", "resolved", "first_resp", "resolution"]
        if r.buckets.isEmpty {
            out.append("  (no activity in this period)")
            return out.joined(separator: "\n")
        }
        let tableLines = Renderer.aligned(Table(columns: labels, rows: rows)).split(separator: "\n").map(String.init)
        let values = r.buckets.map { by == .day ? $0.inbound : $0.outbound }
        let maxValue = max(values.max() ?? 0, 1)
        let width = tableLines.map(Renderer.displayWidth).max() ?? 0
        out.append(
            tableLines[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + (by == .day ? "inbound" : "replies"))
        for (i, line) in tableLines.dropFirst().enumerated() {
            out.append(
                line + String(repeating: " ", count: max(0, width - Renderer.displayWidth(line))) + "  "
                    + bar(values[i], max: maxValue, width: 30))
        }
        return out.joined(separator: "\n")
    }

    /// A horizontal bar of Unicode eighth blocks.
    /// A value below zero (figures that no longer match the messages: `doctor` finds and rebuilds
    /// them) draws no bar.
    static func bar(_ value: Int, max: Int, width: Int) -> String {
        let eighths = Swift.max(0, Int((Double(value) / Double(max) * Double(width * 8)).rounded()))
        let blocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + blocks[eighths % 8] + " \(value)"
    }
}

extension CommandOutput {
    /// Output printed in one format whatever the session's (`report --format`).
    func forcing(_ format: OutputFormat) -> CommandOutput {
        .raw(Renderer.render(self, as: format) ?? "")
    }
}
