import ParleyShell

/// A line with the cursor drawn in it as `⏐`, as a test reads it: `"conversation li⏐ --queue new"`
/// is the line `"conversation li --queue new"` with the cursor after `li`.
///
/// Every completion test writes its cursor this way, at the end of the line too (`"user show ⏐"`),
/// so no test counts characters by hand.
package struct MarkedText: Equatable, Sendable {
    package static let marker: Character = "⏐"

    /// The line without the marker.
    package let text: String
    /// Where the marker was, in Characters from the start: the offset `Completer` takes.
    package let cursor: Int

    /// Throws when `marked` holds no marker or more than one.
    package init(_ marked: String) throws {
        let scalar = Self.marker.unicodeScalars.first!
        var text = String.UnicodeScalarView()
        var before: String?
        for s in marked.unicodeScalars {
            guard s == scalar else {
                text.append(s)
                continue
            }
            guard before == nil else { throw Problem.severalMarkers(marked) }
            before = String(text)
        }
        guard let before else { throw Problem.noMarker(marked) }
        self.text = String(text)
        self.cursor = before.count
    }

    package enum Problem: Error, Equatable, CustomStringConvertible {
        case noMarker(String)
        case severalMarkers(String)

        package var description: String {
            switch self {
            case .noMarker(let s): "no cursor marker \(MarkedText.marker) in \"\(s)\""
            case .severalMarkers(let s): "more than one cursor marker \(MarkedText.marker) in \"\(s)\""
            }
        }
    }
}

extension Completer {
    /// Completes the line at the cursor drawn in it: `complete(marked: "conversation li⏐")`.
    package func complete(marked: String) throws -> Completion {
        let m = try MarkedText(marked)
        return complete(line: m.text, cursor: m.cursor)
    }
}
