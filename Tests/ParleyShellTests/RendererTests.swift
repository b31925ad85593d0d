import Testing

@testable import ParleyShell

/// Output rendering on plain values: the same result as table, JSON and CSV.
@Suite struct RendererTests {
    let table = Table(
        columns: ["id", "display_name", "enabled"],
        rows: [[.int(1), .string("Acme Help"), .bool(true)], [.int(12), .string("Shop, \"EU\""), .bool(false)]])

    @Test func aTableIsAlignedWithItsHeadingsInCapitals() {
        let text = Renderer.render(.table(table), as: .table)
        #expect(
            text == """
                ID  DISPLAY_NAME  ENABLED
                1   Acme Help     on
                12  Shop, "EU"    off
                """)
    }

    @Test func cellsArePaddedByTerminalColumnsEscapedAndCutPast120Characters() {
        let accented = String(repeating: "é", count: 100)
        let long = String(repeating: "z", count: 130)
        let t = Table(
            columns: ["k", "v"], rows: [[.string("漢字"), .string("a\tb")], [.string(accented), .string(long)]],
            footer: "more\nbelow")
        let pad = { (n: Int) in String(repeating: " ", count: n) }
        // Wide characters take two columns; 100 two-byte characters are not cut, 130 are.
        let expected = [
            "K" + pad(101) + "V",
            "漢字" + pad(98) + "a\\tb",
            accented + pad(2) + String(repeating: "z", count: 119) + "…",
            "more", "below",
        ].joined(separator: "\n")
        #expect(Renderer.render(.table(t), as: .table) == expected)
    }

    @Test func jsonKeysAreTheColumnsAndValuesKeepTheirTypes() {
        #expect(
            Renderer.render(.table(table), as: .json)
                == #"[{"id":1,"display_name":"Acme Help","enabled":true},{"id":12,"display_name":"Shop, \"EU\"","enabled":false}]"#
        )
        #expect(
            Renderer.render(.done("added team Support", record: [("name", .string("Support"))]), as: .json)
                == #"{"message":"added team Support","name":"Support"}"#)
    }

    @Test func csvQuotesFieldsThatNeedIt() {
        #expect(
            Renderer.render(.table(table), as: .csv)
                == "id,display_name,enabled\n1,Acme Help,true\n12,\"Shop, \"\"EU\"\"\",false")
    }

    @Test func aRecordShowsItsFieldsThenItsSections() {
        let record = CommandOutput.record(
            [("id", .int(3)), ("queue", .string("new"))],
            sections: [("notes", Table(columns: ["author", "text"], rows: [[.string("ada"), .string("call back")]]))])
        let text = Renderer.render(record, as: .table) ?? ""
        #expect(text.hasPrefix("id     3\nqueue  new\n"), "\(text)")
        #expect(text.contains("notes:\n  AUTHOR  TEXT\n  ada     call back"), "\(text)")
        #expect(
            Renderer.render(record, as: .json)
                == #"{"id":3,"queue":"new","notes":[{"author":"ada","text":"call back"}]}"#)
    }

    @Test func nothingAndControlResultsPrintNothing() {
        for format in [OutputFormat.table, .json, .csv] {
            #expect(Renderer.render(.none, as: format) == nil)
            #expect(Renderer.render(.control(.begin), as: format) == nil)
        }
    }
}
