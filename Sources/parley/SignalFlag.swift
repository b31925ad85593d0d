import Foundation

/// SIGTERM and SIGINT set a flag that long-running modes check between units of work.
enum SignalFlag {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static var raised: Bool { flag != 0 }

    static func install() {
        signal(SIGTERM) { _ in SignalFlag.flag = 1 }
        signal(SIGINT) { _ in SignalFlag.flag = 1 }
    }

    nonisolated(unsafe) private static var savedInterrupt = sigaction()

    /// While a line runs at the prompt: Ctrl-C sets the flag instead of ending parley. The
    /// handler does not restart system calls, so a wait (a poll, a read) returns at once.
    static func catchInterrupts() {
        flag = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in SignalFlag.flag = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, &savedInterrupt)
    }

    static func restoreInterrupts() {
        sigaction(SIGINT, &savedInterrupt, nil)
        flag = 0
    }
}
