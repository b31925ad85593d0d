import Foundation
import ParleyCore

/// A clock that stays where it is set, for tests.
public final class FixedClock: ParleyClock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Timestamp
    public init(_ value: Timestamp) { self.value = value }
    public func now() -> Timestamp { lock.withLock { value } }
    public func advance(_ span: TimeSpan) { lock.withLock { value += span.milliseconds } }
    public func set(_ t: Timestamp) { lock.withLock { value = t } }
}
