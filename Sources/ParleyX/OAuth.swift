import Crypto
import Foundation

/// RFC 3986 percent-encoding (unreserved characters stay), as OAuth needs it.
package enum PercentEncoding {
    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    static let hex = Array("0123456789ABCDEF".utf8)

    package static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if unreserved.contains(b) {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    package static func decode(_ s: String) -> String {
        (s.replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? s
    }

    /// `a=1&b=2` → pairs.
    package static func parseForm(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            out[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }
}

/// Proof Key for Code Exchange (RFC 7636), S256.
package struct PKCE: Sendable, Equatable {
    package let verifier: String
    package var challenge: String { Self.challenge(for: verifier) }

    package init(verifier: String) { self.verifier = verifier }

    /// A verifier of 43 characters from 32 random bytes.
    package static func generate() -> PKCE { PKCE(verifier: randomToken(bytes: 32)) }

    package static func challenge(for verifier: String) -> String {
        base64url(Data(SHA256.hash(data: Data(verifier.utf8))))
    }
}

func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// Random bytes, base64url-encoded: states, verifiers, nonces.
package func randomToken(bytes: Int) -> String {
    var rng = SystemRandomNumberGenerator()
    return base64url(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) }))
}

/// OAuth 1.0a request signing with HMAC-SHA1 (JSON bodies are not signed).
package struct OAuth1Signer: Sendable {
    package var consumerKey: String
    package var consumerSecret: String
    package var token: String?
    package var tokenSecret: String?

    package init(consumerKey: String, consumerSecret: String, token: String? = nil, tokenSecret: String? = nil) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
    }

    /// The signature base string's signature for these parameters (oauth_* included).
    package static func signature(
        method: String, url: String, parameters: [(String, String)],
        consumerSecret: String, tokenSecret: String?
    ) -> String {
        var encoded: [(String, String)] = parameters.map { pair in
            (PercentEncoding.encode(pair.0), PercentEncoding.encode(pair.1))
        }
        encoded.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
        let normalized = encoded.map { pair -> String in pair.0 + "=" + pair.1 }.joined(separator: "&")
        let base = [method.uppercased(), PercentEncoding.encode(url), PercentEncoding.encode(normalized)].joined(
            separator: "&")
        let key = PercentEncoding.encode(consumerSecret) + "&" + PercentEncoding.encode(tokenSecret ?? "")
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(base.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// The `Authorization: OAuth …` header for a request with these query/form parameters.
    package func header(
        method: String, url: String, parameters: [(String, String)] = [], extra: [(String, String)] = [],
        nonce: String = randomToken(bytes: 16), timestamp: Int = Int(Date().timeIntervalSince1970)
    ) -> String {
        var oauth: [(String, String)] = []
        oauth.append(("oauth_consumer_key", consumerKey))
        oauth.append(("oauth_nonce", nonce))
        oauth.append(("oauth_signature_method", "HMAC-SHA1"))
        oauth.append(("oauth_timestamp", String(timestamp)))
        oauth.append(("oauth_version", "1.0"))
        oauth.append(contentsOf: extra)
        if let token { oauth.append(("oauth_token", token)) }
        let sig = Self.signature(
            method: method, url: url, parameters: oauth + parameters, consumerSecret: consumerSecret,
            tokenSecret: tokenSecret)
        oauth.append(("oauth_signature", sig))
        let fields: [String] = oauth.sorted { $0.0 < $1.0 }.map { pair in
            PercentEncoding.encode(pair.0) + "=\"" + PercentEncoding.encode(pair.1) + "\""
        }
        return "OAuth " + fields.joined(separator: ", ")
    }
}
