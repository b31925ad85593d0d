import Testing

@testable import ParleyShell

/// The report's bar chart draws any figure it is given, one that went below zero included
/// (figures that no longer match the messages, before `doctor --rebuild-report-figures`).
@Suite struct ReportBarTests {
    @Test func barsScaleToTheLargestValueAndNeverGoBelowNothing() {
        #expect(ReportCommand.bar(8, max: 8, width: 2) == "██ 8")
        #expect(ReportCommand.bar(1, max: 8, width: 2) == "▎ 1")
        #expect(ReportCommand.bar(0, max: 8, width: 2) == " 0")
        #expect(ReportCommand.bar(-5, max: 8, width: 2) == " -5")
    }
}
