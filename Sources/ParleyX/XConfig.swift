import Foundation

/// Where the X API is and who parley is to it. Environment variables override the config file
/// (`$XDG_CONFIG_HOME/parley/x.conf`, else `~/.config/parley/x.conf`, lines `key = value`):
///
/// | variable | file key | default |
/// |---|---|---|
/// | `PARLEY_X_CLIENT_ID` | `client_id` | none: needed to connect an account |
/// | `PARLEY_X_CLIENT_SECRET` | `client_secret` | none (a public, native client) |
/// | `PARLEY_X_API_BASE` | `api_base` | `https://api.x.com` |
/// | `PARLEY_X_AUTH_URL` | `auth_url` | `https://x.com/i/oauth2/authorize` |
/// | `PARLEY_X_CALLBACK_PORT` | `callback_port` | `8765` |
/// | `PARLEY_X_CONSUMER_KEY` | `consumer_key` | none: needed for `--pin` |
/// | `PARLEY_X_CONSUMER_SECRET` | `consumer_secret` | none |
/// | `PARLEY_X_TIMEOUT` | `timeout` | `30` (seconds without progress) |
/// | `PARLEY_X_RETRIES` | `retries` | `4` (tries after a 5xx, stall or broken response) |
/// | `PARLEY_X_BACKOFF` | `backoff` | `1` (seconds before the first retry, doubled each time) |
package struct XConfig: Sendable, Equatable {
    package var clientID: String?
    package var clientSecret: String?
    package var apiBase: String = "https://api.x.com"
    package var authorizeURL: String = "https://x.com/i/oauth2/authorize"
    package var oauth1AuthorizeURL: String = "https://x.com/oauth/authorize"
    package var callbackPort: Int = 8765
    package var consumerKey: String?
    package var consumerSecret: String?
    package var stallSeconds: Int = 30
    /// Retries after a 5xx, a timeout or a cut connection.
    package var maxRetries: Int = 4
    /// Seconds before the first retry, doubled each time.
    package var backoffSeconds: Double = 1
    /// The longest wait for a rate limit's reset before giving up with an error.
    package var maxRateLimitWait: TimeInterval = 900

    package static let scopes = "tweet.read tweet.write users.read dm.read dm.write offline.access"

    package init() {}

    package var redirectURI: String { "http://127.0.0.1:\(callbackPort)/callback" }

    package static func load(environment env: [String: String]) -> XConfig {
        var file: [String: String] = [:]
        let configHome =
            env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.config")
        if let text = try? String(contentsOfFile: configHome + "/parley/x.conf", encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.hasPrefix("#"), let eq = trimmed.firstIndex(of: "=") else { continue }
                file[trimmed[..<eq].trimmingCharacters(in: .whitespaces)] = trimmed[trimmed.index(after: eq)...]
                    .trimmingCharacters(in: .whitespaces)
            }
        }
        func value(_ variable: String, _ key: String) -> String? {
            if let v = env[variable], !v.isEmpty { return v }
            return file[key]
        }
        var c = XConfig()
        c.clientID = value("PARLEY_X_CLIENT_ID", "client_id")
        c.clientSecret = value("PARLEY_X_CLIENT_SECRET", "client_secret")
        if let v = value("PARLEY_X_API_BASE", "api_base") { c.apiBase = v.hasSuffix("/") ? String(v.dropLast()) : v }
        if let v = value("PARLEY_X_AUTH_URL", "auth_url") { c.authorizeURL = v }
        if let v = value("PARLEY_X_OAUTH1_AUTH_URL", "oauth1_auth_url") { c.oauth1AuthorizeURL = v }
        if let v = value("PARLEY_X_CALLBACK_PORT", "callback_port").flatMap(Int.init), (1...65535).contains(v) {
            c.callbackPort = v
        }
        c.consumerKey = value("PARLEY_X_CONSUMER_KEY", "consumer_key")
        c.consumerSecret = value("PARLEY_X_CONSUMER_SECRET", "consumer_secret")
        if let v = value("PARLEY_X_TIMEOUT", "timeout").flatMap(Int.init), v > 0 { c.stallSeconds = v }
        if let v = value("PARLEY_X_RETRIES", "retries").flatMap(Int.init), (0...20).contains(v) { c.maxRetries = v }
        if let v = value("PARLEY_X_BACKOFF", "backoff").flatMap(Double.init), v >= 0, v <= 600 { c.backoffSeconds = v }
        return c
    }
}
