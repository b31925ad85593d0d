import Crypto
import Foundation
import _CryptoExtras

/// Salted scrypt password hashes, stored as `scrypt$N$r$p$salt$hash` (base64).
package struct PasswordHasher: Sendable {
    package var rounds: Int
    package var blockSize: Int
    package var parallelism: Int

    /// N = 2^15, r = 8, p = 1: about 32 MiB and a few tens of milliseconds per hash.
    package static let standard = PasswordHasher(rounds: 1 << 15, blockSize: 8, parallelism: 1)

    package init(rounds: Int, blockSize: Int, parallelism: Int) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    package func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let key = try derive(password, salt: salt, n: rounds, r: blockSize, p: parallelism)
        return [
            "scrypt", String(rounds), String(blockSize), String(parallelism),
            Data(salt).base64EncodedString(), Data(key).base64EncodedString(),
        ].joined(separator: "$")
    }

    /// Checks a password against a stored hash in constant time. A malformed hash never matches.
    package static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
            let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            n >= 2, n <= 1 << 20, r >= 1, r <= 32, p >= 1, p <= 16,
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let key = try? PasswordHasher(rounds: n, blockSize: r, parallelism: p)
                .derive(password, salt: [UInt8](salt), n: n, r: r, p: p)
        else { return false }
        guard key.count == expected.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(key, expected) { diff |= a ^ b }
        return diff == 0
    }

    func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32,
            rounds: n, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }
}
