/// The queue (status) a conversation is in.
package enum Queue: String, CaseIterable, Sendable, Codable {
    case new
    case pending
    case resolved

    package var title: String {
        switch self {
        case .new: return "New"
        case .pending: return "Pending"
        case .resolved: return "Resolved"
        }
    }

    package static func parse(_ text: String) throws -> Queue {
        if let q = Queue(rawValue: text.lowercased()) { return q }
        throw ParleyError.invalidValue(
            "'\(text)' is not a queue: use new, pending or resolved"
                + Suggest.didYouMean(text, among: Queue.allCases.map(\.rawValue)))
    }
}
