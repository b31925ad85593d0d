#!/usr/bin/env python3
"""A fake X API for parley's tests, on 127.0.0.1 only.

It keeps state (accounts, mentions, DM events, tokens), implements the endpoints parley uses
(OAuth 2.0 authorize + token, OAuth 1.0a request/access token, /2/users/me, mentions, DM events,
create post, create DM), and validates every request (path and query parameters, JSON body) and
every JSON response it sends against the official OpenAPI document. Violations are kept and
served at GET /_control/violations, so a test fails when parley sends what the document does not
allow. Faults are injected with POST /_control/fault:
  {"path": "/2/users/100/mentions", "method": "GET", "kind": K, "count": N, "after": M, ...}
applies kind K to N matching requests after skipping M. Kinds: 403, 429 (reset_in seconds, with the
x-rate-limit-* headers), 500, 503, stall (headers, a few bytes, then `seconds` of silence),
malformed (broken JSON), truncated (connection closed mid-body), cut (closed before any answer),
errors200 (a page carrying `errors` beside `data`), delay (answer after `seconds`), expire
(every access token expires now).
Other control endpoints: reset, seed {mentions, authors, dms, dm_senders, token, lifetime},
mention {author, username, text} and dm {sender, recipient, username, text} (one event, newest;
`username` names the author or sender), hide {ids} (these users, and no others, are left out of `includes`, with a
resource-not-found error beside the data, as X does for suspended or deleted accounts), expire,
state (violations, requests, posted, sent_dms, issued_tokens, oauth1_pins).

DM events follow the document: a MessageCreate event carries `dm_conversation_id` (`lowId-highId`
for a one-to-one conversation) and no `participant_ids` (those are for ParticipantsJoin/Leave);
`includes.users` holds the senders when `expansions=sender_id` is asked. A DM sent through the
API becomes an event of the list too, sent by the account, as on X.

Usage: fake_x.py [--port N] [--openapi PATH] [--no-validate]; prints `PORT <n>` on its first line.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import referencing.jsonschema
from referencing import Registry, Resource

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OPENAPI = os.path.join(HERE, "openapi-2.159.json")


class OpenAPI:
    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.registry = Registry().with_resource("urn:x-api", Resource.from_contents(self.doc, default_specification=referencing.jsonschema.DRAFT7))
        self.routes = []
        for template, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template) + "$"
            self.routes.append((re.compile(rx), template, item))

    def schema(self, ref):
        return {"$ref": "urn:x-api" + ref}

    def validate(self, instance, schema):
        v = jsonschema.Draft7Validator(schema, registry=self.registry)
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:200]}" for e in v.iter_errors(instance)]

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            node = self.doc
            for p in parts:
                node = node[p]
        return node

    def operation(self, method, path):
        for rx, template, item in self.routes:
            m = rx.match(path)
            if m and method.lower() in item:
                return template, item[method.lower()], m.groupdict()
        return None, None, None

    def check_request(self, method, path, query, body):
        template, op, path_params = self.operation(method, path)
        if op is None:
            return [f"{method} {path}: not in the OpenAPI document"]
        problems = []
        params = [self.resolve(p) for p in op.get("parameters", [])]
        known = {p["name"] for p in params if p.get("in") == "query"}
        for name in query:
            if name not in known:
                problems.append(f"{method} {template}: unknown query parameter {name}")
        for p in params:
            where = p.get("in")
            value = path_params.get(p["name"]) if where == "path" else query.get(p["name"]) if where == "query" else None
            if value is None:
                if p.get("required"):
                    problems.append(f"{method} {template}: missing {where} parameter {p['name']}")
                continue
            schema = p.get("schema", {})
            rschema = self.resolve(schema)
            if rschema.get("type") == "array":
                value = value.split(",")
            elif rschema.get("type") == "integer":
                try:
                    value = int(value)
                except ValueError:
                    problems.append(f"{method} {template}: {p['name']} is not an integer")
                    continue
            problems += [f"{method} {template}: parameter {p['name']}: {e}" for e in self.validate(value, self._absolute(schema))]
        rb = op.get("requestBody")
        if rb:
            content = rb.get("content", {}).get("application/json")
            if body is None:
                if rb.get("required"):
                    problems.append(f"{method} {template}: missing JSON body")
            elif content:
                problems += [f"{method} {template}: body {e}" for e in self.validate(body, self._absolute(content["schema"]))]
        elif body not in (None, {}):
            problems.append(f"{method} {template}: a body where none is expected")
        return problems

    def check_response(self, method, path, status, ctype, body):
        template, op, _ = self.operation(method, path)
        if op is None:
            return []
        responses = op.get("responses", {})
        spec = responses.get(str(status)) or responses.get("default")
        if spec is None:
            return [f"{method} {template}: status {status} is not documented"]
        content = spec.get("content", {}).get(ctype)
        if content is None:
            return [f"{method} {template}: {status} {ctype} is not documented"]
        return [f"{method} {template} -> {status}: {e}" for e in self.validate(body, self._absolute(content["schema"]))]

    def _absolute(self, schema):
        if isinstance(schema, dict) and "$ref" in schema and schema["$ref"].startswith("#"):
            return {"$ref": "urn:x-api" + schema["$ref"]}
        return json.loads(json.dumps(schema).replace('"#/components', '"urn:x-api#/components'))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def pct(s):
    return urllib.parse.quote(s, safe="-._~")


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.account = {"id": "100", "username": "acme_help", "name": "Acme Help"}
        self.users = {"100": "acme_help"}
        self.hidden = set()  # user ids left out of includes
        self.mentions = []   # newest first: dicts with id, text, author_id, created_at
        self.dms = []        # newest first
        self.next_id = 1_800_000_000_000_000_000
        self.codes = {}      # code -> (challenge, redirect_uri, client_id, issued)
        self.access = {}     # token -> expires_at (epoch seconds)
        self.refresh = {}    # refresh token -> True (valid)
        self.oauth1_request = {}  # request token -> (secret, pin)
        self.oauth1_access = {}   # token -> secret
        self.consumer = ("ck-test", "cs-test")
        self.client_id = "parley-test-client"
        self.faults = []
        self.violations = []
        self.requests = []
        self.posted = []
        self.sent_dms = []
        self.issued_tokens = []

    def new_id(self):
        self.next_id += 1
        return str(self.next_id)

    def add_dm(self, sender, recipient, text, created_at):
        """A MessageCreate event, newest first, as GET /2/dm_events returns it (without event_type)."""
        low, high = sorted([sender, recipient], key=int)
        event = {"id": self.new_id(), "text": text, "sender_id": sender, "created_at": created_at,
                 "dm_conversation_id": f"{low}-{high}"}
        self.dms.insert(0, event)
        return event

    def issue(self, lifetime=7200):
        at = "at-" + base64.urlsafe_b64encode(os.urandom(18)).decode().rstrip("=")
        rt = "rt-" + base64.urlsafe_b64encode(os.urandom(18)).decode().rstrip("=")
        self.access[at] = time.time() + lifetime
        self.refresh[rt] = True
        self.issued_tokens += [at, rt]
        return {"token_type": "bearer", "expires_in": lifetime, "access_token": at, "scope": "tweet.read tweet.write users.read dm.read dm.write offline.access", "refresh_token": rt}


STATE = State()
API = None
VALIDATE = True  # off with --no-validate, for benchmarks that measure parley rather than the validator


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and delayed
        # ACKs add 40 ms to every answer on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- plumbing --------------------------------------------------------------------------
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, payload, ctype="application/json", headers=None, validate=True):
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if validate and VALIDATE and not isinstance(payload, bytes):
            with STATE.lock:
                STATE.violations += API.check_response(self.command, self.path_only, status, ctype, payload)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def _problem(self, status, title, detail, headers=None):
        self._send(status, {"title": title, "detail": detail, "type": "about:blank", "status": status},
                   "application/problem+json", headers)

    def _fault(self):
        with STATE.lock:
            for f in STATE.faults:
                if f["count"] > 0 and self.path_only.startswith(f.get("path", "/2/")) and self.command == f.get("method", self.command):
                    if f.get("after", 0) > 0:
                        f["after"] -= 1
                        continue
                    f["count"] -= 1
                    return f
        return None

    def handle_one(self):
        parsed = urllib.parse.urlsplit(self.path)
        self.path_only = parsed.path
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        self.raw_body = self._body()
        if self.path_only.startswith("/_control/"):
            return self.control()
        with STATE.lock:
            STATE.requests.append({"method": self.command, "path": self.path_only, "query": self.query,
                                   "authorization": self.headers.get("Authorization", "")[:12]})
        if self.path_only.startswith("/_control/"):
            return self.control()
        if self.path_only == "/i/oauth2/authorize":
            return self.authorize()
        if self.path_only == "/2/oauth2/token":
            return self.token()
        if self.path_only.startswith("/oauth/"):
            return self.oauth1()
        return self.api()

    def do_GET(self):
        self.handle_one()

    def do_POST(self):
        self.handle_one()

    # -- control ---------------------------------------------------------------------------
    def control(self):
        what = self.path_only[len("/_control/"):]
        body = json.loads(self.raw_body or b"{}")
        with STATE.lock:
            if what == "reset":
                STATE.reset()
                return self._send(200, {"ok": True}, validate=False)
            if what == "seed":
                now = time.time()
                for i in range(body.get("mentions", 0)):
                    author = str(200 + i % body.get("authors", 10))
                    STATE.users[author] = "customer" + author
                    STATE.mentions.insert(0, {"id": STATE.new_id(), "text": f"@acme_help mention {len(STATE.mentions) + 1}",
                                              "author_id": author, "created_at": iso(now - 1000 + i)})
                for i in range(body.get("dms", 0)):
                    sender = str(500 + i % body.get("dm_senders", 10))
                    STATE.users[sender] = "dmcustomer" + sender
                    STATE.add_dm(sender, STATE.account["id"], f"dm {len(STATE.dms) + 1}", iso(now - 1000 + i))
                tokens = {}
                if body.get("token"):
                    tokens = STATE.issue(body.get("lifetime", 7200))
                return self._send(200, {"mentions": len(STATE.mentions), "dms": len(STATE.dms), **tokens}, validate=False)
            if what == "mention":
                author = str(body["author"])
                if body.get("username"):
                    STATE.users[author] = body["username"]
                tweet = {"id": STATE.new_id(), "text": body.get("text", "@acme_help hello"), "author_id": author,
                         "created_at": iso(time.time())}
                STATE.mentions.insert(0, tweet)
                return self._send(200, tweet, validate=False)
            if what == "dm":
                sender = str(body["sender"])
                if body.get("username"):
                    STATE.users[sender] = body["username"]
                recipient = str(body.get("recipient", STATE.account["id"]))
                event = STATE.add_dm(sender, recipient, body.get("text", "hello"), iso(time.time()))
                return self._send(200, event, validate=False)
            if what == "hide":
                STATE.hidden = {str(i) for i in body.get("ids", [])}
                return self._send(200, {"ok": True}, validate=False)
            if what == "fault":
                STATE.faults.append({"count": body.get("count", 1), **body})
                return self._send(200, {"ok": True}, validate=False)
            if what == "reset_faults":
                STATE.faults = []
                return self._send(200, {"ok": True}, validate=False)
            if what == "revoke_refresh":
                for t in list(STATE.refresh):
                    STATE.refresh[t] = False
                return self._send(200, {"ok": True}, validate=False)
            if what == "expire":
                for t in list(STATE.access):
                    STATE.access[t] = 0
                return self._send(200, {"ok": True}, validate=False)
            if what == "state":
                return self._send(200, {"violations": STATE.violations, "requests": STATE.requests, "posted": STATE.posted,
                                        "sent_dms": STATE.sent_dms, "issued_tokens": STATE.issued_tokens,
                                        "oauth1_pins": {k: v[1] for k, v in STATE.oauth1_request.items()}}, validate=False)
        return self._send(404, {"error": "unknown control"}, validate=False)

    # -- OAuth 2.0 -------------------------------------------------------------------------
    def authorize(self):
        q = self.query
        problems = []
        for k in ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"):
            if k not in q:
                problems.append(f"authorize: missing {k}")
        if q.get("code_challenge_method") != "S256":
            problems.append("authorize: code_challenge_method must be S256")
        if not q.get("redirect_uri", "").startswith("http://127.0.0.1:"):
            problems.append("authorize: redirect_uri must be a 127.0.0.1 loopback URL")
        for scope in ("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "offline.access"):
            if scope not in q.get("scope", "").split(" "):
                problems.append(f"authorize: scope {scope} missing")
        with STATE.lock:
            STATE.violations += problems
            code = "code-" + base64.urlsafe_b64encode(os.urandom(12)).decode().rstrip("=")
            STATE.codes[code] = (q.get("code_challenge"), q.get("redirect_uri"), q.get("client_id"), time.time())
        state = q.get("state", "") if q.get("tamper") is None else "tampered"
        location = q.get("redirect_uri", "") + "?" + urllib.parse.urlencode({"state": state, "code": code})
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def token(self):
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(self.raw_body.decode()).items()}
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            STATE.violations.append("token: body must be form-encoded")
        with STATE.lock:
            if form.get("client_id") != STATE.client_id:
                STATE.violations.append("token: a public client sends its client_id in the body")
                return self._send(401, {"error": "invalid_client"}, validate=False)
            if form.get("grant_type") == "authorization_code":
                entry = STATE.codes.pop(form.get("code", ""), None)
                if entry is None or time.time() - entry[3] > 30:
                    return self._send(400, {"error": "invalid_grant", "error_description": "unknown or expired code"}, validate=False)
                challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest()).decode().rstrip("=")
                if challenge != entry[0] or form.get("redirect_uri") != entry[1]:
                    return self._send(400, {"error": "invalid_grant", "error_description": "PKCE or redirect_uri mismatch"}, validate=False)
                return self._send(200, STATE.issue(), validate=False)
            if form.get("grant_type") == "refresh_token":
                rt = form.get("refresh_token", "")
                if not STATE.refresh.get(rt):
                    return self._send(400, {"error": "invalid_grant", "error_description": "refresh token revoked"}, validate=False)
                STATE.refresh[rt] = False  # rotation: the old one stops working
                return self._send(200, STATE.issue(), validate=False)
        return self._send(400, {"error": "unsupported_grant_type"}, validate=False)

    # -- OAuth 1.0a ------------------------------------------------------------------------
    def _oauth1_params(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("OAuth "):
            return None
        params = {}
        for part in h[6:].split(","):
            k, _, v = part.strip().partition("=")
            params[urllib.parse.unquote(k)] = urllib.parse.unquote(v.strip('"'))
        return params

    def _oauth1_valid(self, params, token_secret, extra):
        sig = params.pop("oauth_signature", "")
        items = sorted((pct(k), pct(v)) for k, v in list(params.items()) + list(extra.items()))
        base = "&".join([self.command, pct(f"http://127.0.0.1:{self.server.server_port}{self.path_only}"), pct("&".join(f"{k}={v}" for k, v in items))])
        key = f"{pct(STATE.consumer[1])}&{pct(token_secret or '')}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        return hmac.compare_digest(sig, expected)

    def oauth1(self):
        params = self._oauth1_params()
        with STATE.lock:
            if self.path_only == "/oauth/authorize":
                entry = STATE.oauth1_request.get(self.query.get("oauth_token", ""))
                return self._send(200, f"PIN {entry[1] if entry else '?'}".encode(), "text/plain", validate=False)
            if params is None or params.get("oauth_consumer_key") != STATE.consumer[0]:
                return self._send(401, b"missing OAuth 1.0a header", "text/plain", validate=False)
            if self.path_only == "/oauth/request_token":
                if params.get("oauth_callback") != "oob" or not self._oauth1_valid(dict(params), None, {}):
                    STATE.violations.append("request_token: bad signature or callback")
                    return self._send(401, b"bad signature", "text/plain", validate=False)
                token, secret, pin = "rq" + os.urandom(6).hex(), "rqs" + os.urandom(6).hex(), str(int.from_bytes(os.urandom(3), "big") % 10_000_000).zfill(7)
                STATE.oauth1_request[token] = (secret, pin)
                return self._send(200, f"oauth_token={token}&oauth_token_secret={secret}&oauth_callback_confirmed=true".encode(),
                                  "application/x-www-form-urlencoded", validate=False)
            if self.path_only == "/oauth/access_token":
                entry = STATE.oauth1_request.pop(params.get("oauth_token", ""), None)
                if entry is None or not self._oauth1_valid(dict(params), entry[0], {}) or params.get("oauth_verifier") != entry[1]:
                    STATE.violations.append("access_token: bad signature, token or verifier")
                    return self._send(401, b"bad verifier", "text/plain", validate=False)
                token, secret = "100-" + os.urandom(8).hex(), os.urandom(12).hex()
                STATE.oauth1_access[token] = secret
                STATE.issued_tokens += [token, secret]
                return self._send(200, f"oauth_token={token}&oauth_token_secret={secret}&user_id=100&screen_name=acme_help".encode(),
                                  "application/x-www-form-urlencoded", validate=False)
        return self._send(404, b"", "text/plain", validate=False)

    # -- API -------------------------------------------------------------------------------
    def _authorized(self):
        h = self.headers.get("Authorization", "")
        with STATE.lock:
            if h.startswith("Bearer "):
                exp = STATE.access.get(h[7:])
                return exp is not None and exp > time.time()
            params = self._oauth1_params()
            if params and params.get("oauth_token") in STATE.oauth1_access:
                return self._oauth1_valid(dict(params), STATE.oauth1_access[params["oauth_token"]], self.query)
        return False

    def api(self):
        body = None
        if self.raw_body:
            try:
                body = json.loads(self.raw_body)
            except ValueError:
                STATE.violations.append(f"{self.command} {self.path_only}: body is not JSON")
        if VALIDATE:
            with STATE.lock:
                STATE.violations += API.check_request(self.command, self.path_only, self.query, body)
        fault = self._fault()
        if fault:
            kind = fault["kind"]
            if kind == "429":
                reset = int(time.time() + fault.get("reset_in", 1))
                return self._problem(429, "Too Many Requests", "Too Many Requests",
                                     {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
            if kind == "403":
                return self._problem(403, "Forbidden", "You are not permitted to perform this action.")
            if kind in ("500", "503"):
                return self._problem(int(kind), "Service Unavailable" if kind == "503" else "Internal Error", "try again")
            if kind == "stall":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b'{"data": ')
                self.wfile.flush()
                time.sleep(fault.get("seconds", 5))
                return
            if kind == "malformed":
                return self._send(200, b'{"data": [ {"id": oops', validate=False)
            if kind == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b'{"data": [')
                self.wfile.flush()
                self.close_connection = True
                return
            if kind == "delay":
                time.sleep(fault.get("seconds", 0.1))
            if kind == "cut":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if kind == "expire":
                with STATE.lock:
                    for t in list(STATE.access):
                        STATE.access[t] = 0
        if not self._authorized():
            return self._problem(401, "Unauthorized", "Unauthorized")
        p = self.path_only
        if p == "/2/users/me":
            return self._send(200, {"data": dict(STATE.account)})
        m = re.match(r"^/2/users/([0-9]+)/mentions$", p)
        if m:
            return self.page(STATE.mentions, self.query, "mentions", fault)
        if p == "/2/dm_events":
            return self.page(STATE.dms, self.query, "dms", fault)
        if p == "/2/tweets" and self.command == "POST":
            text = (body or {}).get("text", "")
            if len(text) > 280:
                return self._problem(400, "Invalid Request", "text is longer than 280 characters")
            tid = STATE.new_id()
            STATE.posted.append({"id": tid, "text": text, "reply": (body or {}).get("reply")})
            return self._send(201, {"data": {"id": tid, "text": text}})
        m = re.match(r"^/2/dm_conversations/with/([0-9]+)/messages$", p)
        if m and self.command == "POST":
            event = STATE.add_dm(STATE.account["id"], m.group(1), (body or {}).get("text", ""), iso(time.time()))
            STATE.sent_dms.append({"to": m.group(1), "text": (body or {}).get("text"), "id": event["id"]})
            data = {"dm_conversation_id": event["dm_conversation_id"], "dm_event_id": event["id"]}
            return self._send(201, {"data": data})
        return self._problem(404, "Not Found", f"no route {p}")

    def page(self, items, q, kind, fault):
        size = int(q.get("max_results", 100))
        with STATE.lock:
            pool = items
            if kind == "mentions" and q.get("since_id"):
                since = int(q["since_id"])
                pool = [t for t in items if int(t["id"]) > since]
            start = int(q["pagination_token"][len("page-token-000000"):] or 0) if q.get("pagination_token") else 0
            chunk = pool[start:start + size]
            meta = {"result_count": len(chunk)}
            if start + size < len(pool):
                meta["next_token"] = "page-token-000000" + str(start + size)
            payload = {"meta": meta}
            errors = []
            if chunk:
                expansions = q.get("expansions", "").split(",")
                if kind == "mentions":
                    payload["data"] = [dict(t, edit_history_tweet_ids=[t["id"]]) for t in chunk]
                    expanded, field = "author_id" in expansions, "author_id"
                else:
                    payload["data"] = [dict(e, event_type="MessageCreate") for e in chunk]
                    expanded, field = "sender_id" in expansions, "sender_id"
                if expanded:
                    ids = sorted({item[field] for item in chunk})
                    users = [{"id": u, "name": STATE.users[u], "username": STATE.users[u]}
                             for u in ids if u not in STATE.hidden and u in STATE.users]
                    if users:
                        payload["includes"] = {"users": users}
                    errors += [{"title": "Not Found Error",
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                                "detail": f"Could not find user with {field}: [{u}].", "parameter": field, "value": u,
                                "resource_id": u, "resource_type": "user"}
                               for u in ids if u in STATE.hidden or u not in STATE.users]
            if fault and fault["kind"] == "errors200":
                errors.append({"title": "Partial Error", "detail": "one item could not be read", "type": "about:blank"})
            if errors:
                payload["errors"] = errors
        return self._send(200, payload)


def main():
    global API, VALIDATE
    VALIDATE = "--no-validate" not in sys.argv
    port = 0
    spec = DEFAULT_OPENAPI
    args = sys.argv[1:]
    if "--port" in args:
        port = int(args[args.index("--port") + 1])
    if "--openapi" in args:
        spec = args[args.index("--openapi") + 1]
    API = OpenAPI(spec)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
