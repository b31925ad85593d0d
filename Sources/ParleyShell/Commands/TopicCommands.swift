import ParleyCore
import ParleyStore

/// The organisation's topic list.
enum TopicCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                "topic add", args: [ArgSpec("NAME", .text)], summary: "add a topic to the organisation's list",
                example: "topic add Billing", requirement: .admin, handler: add),
            CommandSpec(
                "topic remove", args: [ArgSpec("NAME", .topic)],
                summary: "remove a topic (and from every conversation)",
                example: "topic remove Billing", requirement: .admin, handler: remove),
            CommandSpec(
                "topic list", summary: "the organisation's topics", example: "topic list", access: .read, handler: list),
        ]
    }

    static func add(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let name = try Validation.name(inv.text("NAME"), what: "a topic")
        try TopicRepository.insert(ctx.db, name: name)
        try ctx.audit("topic.add", name)
        return .done("added topic \(name)", record: [("name", .string(name))])
    }

    static func remove(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        let t = inv.topic("NAME")
        try TopicRepository.delete(ctx.db, id: t.id)
        try ctx.audit("topic.remove", t.name)
        return .done("removed topic \(t.name)")
    }

    static func list(_ inv: Invocation, _ ctx: CommandContext) throws -> CommandOutput {
        // Admins manage the list and see every use; others count the conversations they can see.
        let scope = ctx.visibility.seesWholeOrganisation ? nil : try ctx.visibility.roleChannelIDs()
        return .table(
            Table(
                columns: ["name", "conversations"],
                rows: try TopicRepository.list(ctx.db, channelIDs: scope).map { [.string($0.name), .of($0.uses)] }))
    }
}
