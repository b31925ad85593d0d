import ParleyTestSupport
import Testing

/// The cursor drawn in a completion test's line: where it lands, and a line that draws none or two.
@Suite struct MarkedTextTests {
    @Test func theMarkerIsTakenOutAndItsPlaceIsTheCursor() throws {
        let end = try MarkedText("conversation tag 1 ⏐")
        #expect(end.text == "conversation tag 1 " && end.cursor == 19)
        let middle = try MarkedText("channel show @ac⏐me")
        #expect(middle.text == "channel show @acme" && middle.cursor == 16)
        let start = try MarkedText("⏐user list")
        #expect(start.text == "user list" && start.cursor == 0)
        let empty = try MarkedText("⏐")
        #expect(empty.text == "" && empty.cursor == 0)
    }

    @Test func theCursorCountsCharactersAsCompletionDoes() throws {
        // "e" and a combining acute accent are one Character; the emoji is one too.
        let m = try MarkedText("note caf\u{65}\u{301} 🙂⏐ x")
        #expect(m.text == "note caf\u{65}\u{301} 🙂 x" && m.cursor == 11)
        #expect(m.cursor == "note café 🙂".count)
    }

    @Test func aLineWithoutTheMarkerOrWithTwoIsRefusedByName() {
        #expect(throws: MarkedText.Problem.noMarker("user show vic")) { try MarkedText("user show vic") }
        #expect(throws: MarkedText.Problem.severalMarkers("user ⏐show vic⏐")) { try MarkedText("user ⏐show vic⏐") }
        #expect(MarkedText.Problem.noMarker("x").description == "no cursor marker ⏐ in \"x\"")
        #expect(MarkedText.Problem.severalMarkers("⏐⏐").description == "more than one cursor marker ⏐ in \"⏐⏐\"")
    }
}
