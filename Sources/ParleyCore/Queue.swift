/// The queue (status) a conversation is in.
public enum Queue: String, CaseIterable, Sendable, Codable {
    case new
    case pending
    case resolved

    public var title: String {
        switch self {
        case .new: return "New"
        case .pending: return "Pending"
        case .resolved: return "Resolved"
        }
    }

    public static func parse(_ text: String) throws -> Queue {
        if let q = Queue(rawValue: text.lowercased()) { return q }
        throw ParleyError.invalidValue(
            "'\(text)' is not a queue: use new, pending or resolved"
                + Suggest.didYouMean(text, among: Queue.allCases.map(\.rawValue)))
    }
}
