import Testing

@testable import ParleyShell

/// Every example `help` shows is a command line parley reads as that very command, so the help
/// cannot drift from the language.
@Suite struct HelpExampleTests {
    @Test func everyExampleParsesAsItsCommand() throws {
        let table = CommandTable.standard
        let parser = CommandParser(table: table)
        for spec in table.commands {
            guard case .complete(let commands) = parser.commands(in: spec.example) else {
                Issue.record("\(spec.name): example '\(spec.example)' is incomplete")
                continue
            }
            #expect(commands.count == 1, "\(spec.name): '\(spec.example)'")
            guard let words = commands.first else { continue }
            do {
                let invocation = try parser.parse(words)
                #expect(invocation.spec.name == spec.name, "'\(spec.example)' runs \(invocation.spec.name)")
            } catch {
                Issue.record("\(spec.name): example '\(spec.example)' does not parse: \(error)")
            }
        }
    }
}
