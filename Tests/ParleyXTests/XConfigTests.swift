import Foundation
import Testing

@testable import ParleyX

@Suite struct XConfigTests {
    func tempHome(_ conf: String?) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parley-xconf-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir + "/parley", withIntermediateDirectories: true)
        if let conf { try conf.write(toFile: dir + "/parley/x.conf", atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func defaultsAreTheRealEndpoints() throws {
        let c = XConfig.load(environment: ["XDG_CONFIG_HOME": try tempHome(nil)])
        #expect(c.apiBase == "https://api.x.com" && c.authorizeURL == "https://x.com/i/oauth2/authorize")
        #expect(c.callbackPort == 8765 && c.redirectURI == "http://127.0.0.1:8765/callback")
        #expect(c.clientID == nil && c.clientSecret == nil && c.maxRetries == 4 && c.backoffSeconds == 1)
    }

    @Test func theFileIsReadAndTheEnvironmentWins() throws {
        let home = try tempHome(
            """
            # parley's X app
            client_id = from-file
            api_base = http://127.0.0.1:9/
            callback_port = 9001
            timeout = 7
            backoff = 0.25
            """)
        let fromFile = XConfig.load(environment: ["XDG_CONFIG_HOME": home])
        #expect(
            fromFile.clientID == "from-file" && fromFile.apiBase == "http://127.0.0.1:9"
                && fromFile.callbackPort == 9001)
        #expect(fromFile.stallSeconds == 7 && fromFile.backoffSeconds == 0.25)
        let env = XConfig.load(environment: [
            "XDG_CONFIG_HOME": home, "PARLEY_X_CLIENT_ID": "from-env", "PARLEY_X_CALLBACK_PORT": "9002",
        ])
        #expect(env.clientID == "from-env" && env.callbackPort == 9002 && env.apiBase == "http://127.0.0.1:9")
    }

    @Test func outOfRangeValuesKeepTheDefaults() throws {
        let c = XConfig.load(environment: [
            "XDG_CONFIG_HOME": try tempHome(nil), "PARLEY_X_CALLBACK_PORT": "70000",
            "PARLEY_X_TIMEOUT": "-1", "PARLEY_X_BACKOFF": "x",
        ])
        #expect(c.callbackPort == 8765 && c.stallSeconds == 30 && c.backoffSeconds == 1)
    }
}

@Suite struct XTimeTests {
    @Test(arguments: [
        "2026-11-24T09:15:02.000Z", "2026-11-24T09:15:02Z", "2024-02-29T23:59:59.5Z", "1970-01-01T00:00:00Z",
        "2000-03-01T00:00:00.123Z", "2026-11-24T10:15:02+01:00", "2026-11-24T04:15:02.250-05:00",
    ])
    func parsesLikeFoundation(_ text: String) {
        let f = ISO8601DateFormatter()
        f.formatOptions =
            text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let expected = f.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        #expect(expected != nil)
        #expect(XClient.time(text) == expected)
    }

    @Test(arguments: [
        "", "yesterday", "2026-13-01T00:00:00Z", "2026-11-24 09:15:02", "2026-11-24T09:15:02",
        "2026-11-24T09:15:02.000Zjunk",
    ])
    func refusesWhatIsNotATime(_ text: String) {
        #expect(XClient.time(text) == nil)
    }
}
