import Foundation

/// Connecting an account: OAuth 2.0 Authorization Code with PKCE as a native client, and the
/// OAuth 1.0a PIN flow.
package enum XAuth {
    /// The URL the user opens to authorize parley.
    package static func authorizeURL(config: XConfig, state: String, pkce: PKCE) -> String {
        config.authorizeURL + "?"
            + PercentEncoding.form([
                ("response_type", "code"), ("client_id", config.clientID ?? ""), ("redirect_uri", config.redirectURI),
                ("scope", XConfig.scopes), ("state", state), ("code_challenge", pkce.challenge),
                ("code_challenge_method", "S256"),
            ])
    }

    /// The code from a pasted redirect URL (its state checked) or a bare code.
    package static func code(fromPasted text: String, expectedState: String) throws -> String {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else {
            throw XError.badPaste(
                "nothing was pasted: paste the redirect URL from the browser's address bar, or just its code")
        }
        if let q = t.firstIndex(of: "?") {
            let params = PercentEncoding.parseForm(String(t[t.index(after: q)...]))
            if let error = params["error"] {
                throw XError.badPaste(
                    "the authorization was refused in the browser (\(error)): run `channel add twitter` again")
            }
            guard let code = params["code"] else {
                throw XError.badPaste("the pasted URL has no code: paste the whole redirect URL")
            }
            guard params["state"] == expectedState else {
                throw XError.badPaste(
                    "the pasted URL belongs to another authorization (its state differs): paste the one from this authorization, or start again"
                )
            }
            return code
        }
        guard t.allSatisfy({ !$0.isWhitespace }) else {
            throw XError.badPaste("that is not a redirect URL or a code: paste the whole redirect URL or just the code")
        }
        return t
    }

    static func tokenRequest(_ form: [(String, String)], config: XConfig, http: HTTPClient) throws -> XTokens {
        var form = form
        var headers: [(String, String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        if let secret = config.clientSecret, let id = config.clientID {
            headers.append(("Authorization", "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()))
        } else {
            form.append(("client_id", config.clientID ?? ""))
        }
        let response: HTTPResponse
        do {
            response = try http.send(
                HTTPRequest(
                    method: "POST", url: config.apiBase + "/2/oauth2/token", headers: headers,
                    body: Data(PercentEncoding.form(form).utf8)))
        } catch let e as TransportError {
            throw e.timedOut ? XError.timeout : XError.transport(e.message)
        }
        guard (200..<300).contains(response.status) else {
            if response.status == 400 || response.status == 401 {
                throw XError.unauthorized("token endpoint: \(XClient.detail(response))")
            }
            throw XError.rejected(status: response.status, detail: XClient.detail(response))
        }
        guard let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
            let access = json["access_token"] as? String
        else { throw XError.malformed("no access_token from the token endpoint") }
        let expires = (json["expires_in"] as? Double).map { Int64((Date().timeIntervalSince1970 + $0) * 1000) }
        return XTokens(accessToken: access, refreshToken: json["refresh_token"] as? String, expiresAt: expires)
    }

    package static func exchange(code: String, pkce: PKCE, config: XConfig, http: HTTPClient = HTTPClient()) throws
        -> XTokens
    {
        try tokenRequest(
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", config.redirectURI),
                ("code_verifier", pkce.verifier),
            ], config: config, http: http)
    }

    package static func refresh(refreshToken: String, config: XConfig, http: HTTPClient = HTTPClient()) throws
        -> XTokens
    {
        try tokenRequest(
            [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], config: config, http: http)
    }

    // MARK: OAuth 1.0a PIN flow

    package static func requestToken(config: XConfig, http: HTTPClient = HTTPClient()) throws -> (
        token: String, secret: String, authorizeURL: String
    ) {
        guard let key = config.consumerKey, let secret = config.consumerSecret else {
            throw XError.notConfigured("the PIN flow needs PARLEY_X_CONSUMER_KEY and PARLEY_X_CONSUMER_SECRET")
        }
        let url = config.apiBase + "/oauth/request_token"
        let header = OAuth1Signer(consumerKey: key, consumerSecret: secret).header(
            method: "POST", url: url, extra: [("oauth_callback", "oob")])
        let form = try oauth1Post(url: url, header: header, http: http)
        guard let token = form["oauth_token"], let tokenSecret = form["oauth_token_secret"] else {
            throw XError.malformed("no request token")
        }
        return (token, tokenSecret, config.oauth1AuthorizeURL + "?oauth_token=" + PercentEncoding.encode(token))
    }

    package static func accessToken(
        config: XConfig, requestToken: String, requestSecret: String, pin: String,
        http: HTTPClient = HTTPClient()
    ) throws -> (tokens: XTokens, userID: String, username: String) {
        let url = config.apiBase + "/oauth/access_token"
        let signer = OAuth1Signer(
            consumerKey: config.consumerKey ?? "", consumerSecret: config.consumerSecret ?? "",
            token: requestToken, tokenSecret: requestSecret)
        let header = signer.header(method: "POST", url: url, extra: [("oauth_verifier", pin)])
        let form = try oauth1Post(url: url, header: header, http: http)
        guard let token = form["oauth_token"], let secret = form["oauth_token_secret"], let id = form["user_id"] else {
            throw XError.malformed("no access token")
        }
        return (XTokens(accessToken: token, tokenSecret: secret), id, form["screen_name"] ?? id)
    }

    static func oauth1Post(url: String, header: String, http: HTTPClient) throws -> [String: String] {
        let response: HTTPResponse
        do {
            response = try http.send(
                HTTPRequest(method: "POST", url: url, headers: [("Authorization", header)], body: Data()))
        } catch let e as TransportError {
            throw e.timedOut ? XError.timeout : XError.transport(e.message)
        }
        guard (200..<300).contains(response.status) else {
            throw response.status == 401
                ? XError.unauthorized("OAuth 1.0a: \(XClient.detail(response))")
                : XError.rejected(status: response.status, detail: XClient.detail(response))
        }
        return PercentEncoding.parseForm(String(decoding: response.body, as: UTF8.self))
    }
}
