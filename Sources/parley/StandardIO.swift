import Foundation
import ParleyShell
import ParleyTerminal

/// The process's standard output and error; secrets asked at the terminal without echo.
final class StandardIO: ShellIO {
    let isInteractive: Bool

    init(interactive: Bool) { isInteractive = interactive }

    func out(_ text: String) { write(1, text + "\n") }
    func err(_ text: String) { write(2, text + "\n") }

    func readSecret(prompt: String) -> PromptAnswer? {
        guard isatty(0) == 1 else { return nil }
        return TerminalSecret.read(prompt: prompt).map(Self.answer)
    }

    func ask(prompt: String) -> PromptAnswer? {
        guard isatty(0) == 1 else { return nil }
        return TerminalSecret.read(prompt: prompt, echo: true).map(Self.answer)
    }

    static func answer(_ a: TerminalAnswer) -> PromptAnswer {
        switch a {
        case .text(let t): return .text(t)
        case .cancelled: return .cancelled
        }
    }

    private func write(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
        bytes.removeAll()
    }
}
