import Foundation
import ParleyCore
import ParleyStore

extension CommandContext {
    /// Reads a new password: from `--password-file`, else (when `ask`) typed twice at the
    /// terminal. Ctrl-C at either prompt cancels the command; nil means no password.
    func newPassword(_ inv: Invocation, for email: String, ask: Bool) throws -> String? {
        if let file = inv.given("--password-file")?.text {
            return try Passwords.read(file: file)
        }
        guard ask else { return nil }
        let what = inv.spec.name
        let noTerminal = ParleyError.usage(
            "\(what) asks for the password at a terminal: give --password-file FILE instead")
        guard io.isInteractive, let first = io.readSecret(prompt: "New password for \(email): ") else {
            throw noTerminal
        }
        guard case .text(let password) = first else { throw ParleyError.refused("\(what) cancelled: nothing changed") }
        if password.isEmpty { return nil }
        try Passwords.check(password)
        guard let again = io.readSecret(prompt: "Same password again: ") else { throw noTerminal }
        guard case .text(let second) = again else { throw ParleyError.refused("\(what) cancelled: nothing changed") }
        guard second == password else { throw ParleyError.invalidValue("the two passwords differ: nothing changed") }
        return password
    }
}

enum Passwords {
    static let minimumLength = 8

    static func check(_ p: String) throws {
        guard p.count >= minimumLength else {
            throw ParleyError.invalidValue("a password needs at least \(minimumLength) characters")
        }
    }

    /// The first line of the file, without its line end.
    static func read(file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ParleyError.io("cannot read password file \(file)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParleyError.invalidValue("password file \(file) is not UTF-8 text")
        }
        let line =
            text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        try check(password)
        return password
    }

    static func hash(_ p: String, environment: [String: String]) throws -> String {
        // PARLEY_KDF_ROUNDS lowers the scrypt cost for test suites; never below 2^10.
        var hasher = PasswordHasher.standard
        if let r = environment["PARLEY_KDF_ROUNDS"].flatMap(Int.init), r >= 1024, r & (r - 1) == 0 { hasher.rounds = r }
        return try hasher.hash(p)
    }
}
