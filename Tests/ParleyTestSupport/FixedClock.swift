import Foundation
import ParleyCore

/// A clock that stays where it is set, for tests.
package final class FixedClock: ParleyClock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Timestamp
    package init(_ value: Timestamp) { self.value = value }
    package func now() -> Timestamp { lock.withLock { value } }
    package func advance(_ span: TimeSpan) { lock.withLock { value += span.milliseconds } }
    package func set(_ t: Timestamp) { lock.withLock { value = t } }
}
