import Foundation

/// SIGTERM and SIGINT set a flag that long-running modes check between units of work.
enum SignalFlag {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static var raised: Bool { flag != 0 }

    static func install() {
        signal(SIGTERM) { _ in SignalFlag.flag = 1 }
        signal(SIGINT) { _ in SignalFlag.flag = 1 }
    }
}
