import Foundation
import ParleyShell

/// The shell at a terminal: prompt, line editing, history, completion.
struct InteractiveShell {
    let shell: Shell
    let dataDirectory: String
    let environment: [String: String]

    func run() {
        var pending = ""
        while !shell.exitRequested {
            let prompt = pending.isEmpty ? shell.session.prompt : "...> "
            FileHandle.standardOutput.write(Data(prompt.utf8))
            guard let line = readLine(strippingNewline: true) else { print(""); break }
            pending = pending.isEmpty ? line : pending + "\n" + line
            if shell.needsMore(pending) != nil { continue }
            let text = pending
            pending = ""
            shell.execute(line: text)
        }
    }
}
