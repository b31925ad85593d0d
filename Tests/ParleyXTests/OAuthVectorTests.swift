import Foundation
import Testing

@testable import ParleyX

@Suite struct OAuthVectorTests {
    @Test func pkceS256MatchesRFC7636AppendixB() {
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func generatedVerifiersAreLongRandomAndURLSafe() {
        let a = PKCE.generate()
        let b = PKCE.generate()
        #expect(a.verifier != b.verifier)
        #expect((43...128).contains(a.verifier.count))
        #expect(a.verifier.allSatisfy { $0.isLetter || $0.isNumber || "-._~".contains($0) })
        #expect(!a.challenge.contains("=") && !a.challenge.contains("+") && !a.challenge.contains("/"))
    }

    static let vectorParameters: [(String, String)] = [
        ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true"),
        ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"), ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1318622958"),
        ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"), ("oauth_version", "1.0"),
    ]

    @Test(arguments: [
        ("https://api.x.com/1.1/statuses/update.json", "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="),
        ("https://api.twitter.com/1.1/statuses/update.json", "hCtSmYh+iHYCEqBWrE7C7hYmtUk="),
    ])
    func oauth1SignatureMatchesThePublishedVector(url: String, expected: String) {
        let sig = OAuth1Signer.signature(
            method: "POST", url: url, parameters: Self.vectorParameters,
            consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
        #expect(sig == expected)
    }

    @Test func oauth1HeaderCarriesTheSameSignatureAsTheVector() {
        let signer = OAuth1Signer(
            consumerKey: "xvz1evFS4wEEPTGEFPHBog", consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
        let header = signer.header(
            method: "POST", url: "https://api.x.com/1.1/statuses/update.json",
            parameters: [
                ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true"),
            ],
            nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1_318_622_958)
        #expect(header.hasPrefix("OAuth "))
        #expect(header.contains("oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\""))
        #expect(!header.contains("status="), "request parameters are signed, not sent in the header")
    }

    @Test func percentEncodingIsRFC3986() {
        #expect(
            PercentEncoding.encode("Hello Ladies + Gentlemen, a signed OAuth request!")
                == "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21")
        #expect(PercentEncoding.encode("-._~AZaz09") == "-._~AZaz09")
        #expect(PercentEncoding.encode("☃") == "%E2%98%83")
        #expect(PercentEncoding.parseForm("a=1&b=x%20y&c=%E2%98%83&d") == ["a": "1", "b": "x y", "c": "☃", "d": ""])
    }

    @Test func authorizeURLAsksForEveryScopeWithS256() throws {
        var config = XConfig()
        config.clientID = "cid"
        config.callbackPort = 9999
        let url = XAuth.authorizeURL(
            config: config, state: "st", pkce: PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        let query = PercentEncoding.parseForm(String(url.split(separator: "?", maxSplits: 1)[1]))
        #expect(url.hasPrefix("https://x.com/i/oauth2/authorize?"))
        #expect(query["response_type"] == "code" && query["client_id"] == "cid" && query["state"] == "st")
        #expect(query["redirect_uri"] == "http://127.0.0.1:9999/callback")
        #expect(
            query["code_challenge"] == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                && query["code_challenge_method"] == "S256")
        #expect(query["scope"] == "tweet.read tweet.write users.read dm.read dm.write offline.access")
    }

    @Test func pastedRedirectURLsAndCodes() throws {
        #expect(
            try XAuth.code(fromPasted: "http://127.0.0.1:8765/callback?state=s1&code=abc", expectedState: "s1") == "abc"
        )
        #expect(try XAuth.code(fromPasted: "  abc-123_x \n", expectedState: "s1") == "abc-123_x")
        #expect(throws: XError.self) {
            try XAuth.code(fromPasted: "http://127.0.0.1:8765/callback?state=other&code=abc", expectedState: "s1")
        }
        #expect(throws: XError.self) {
            try XAuth.code(
                fromPasted: "http://127.0.0.1:8765/callback?error=access_denied&state=s1", expectedState: "s1")
        }
        #expect(throws: XError.self) { try XAuth.code(fromPasted: "two words", expectedState: "s1") }
        #expect(throws: XError.self) { try XAuth.code(fromPasted: "   ", expectedState: "s1") }
        // A bad paste is the user's to fix: the message must not blame X, which was not asked.
        for bad in [
            "two words", "http://127.0.0.1:8765/callback?state=other&code=abc",
            "http://127.0.0.1:8765/callback?state=s1", "",
        ] {
            do {
                _ = try XAuth.code(fromPasted: bad, expectedState: "s1")
                Issue.record("\(bad) was accepted")
            } catch let e as XError {
                guard case .badPaste = e else {
                    Issue.record("\(bad): \(e)")
                    continue
                }
                #expect(!e.description.hasPrefix("X "), "\(e)")
            }
        }
    }
}
