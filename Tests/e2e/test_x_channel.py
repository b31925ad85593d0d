"""The X channel end to end: the built binary against the fake X API (Tests/fakex), which checks
every request and response against the official OpenAPI document and that no token is printed."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pexpect

from conftest import BIN, ENV, Org, integrity, rows


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def setup_org(parley, fakex):
    """An organisation that is no sandbox, so channels are real X accounts: ada, vic and cora."""
    org = Org(sandbox=False).user("vic@acme.example", "Vic").user("cora@acme.example", "Cora")
    org.build(parley.db, env=fakex.env())


def run(parley, fakex, *args, env=None, **kw):
    r = parley(*args, env={**fakex.env(), **(env or {})}, **kw)
    fakex.outputs += [r.stdout, r.stderr]
    return r


def start_connect(parley, fakex, *flags, env=None):
    """Starts `channel add twitter` and returns (process, authorize URL)."""
    p = subprocess.Popen([BIN, "--db", parley.db, "--as", "ada@acme.example", "-c", " ".join(["channel add twitter", *flags])],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**ENV, **fakex.env(), **(env or {})})
    seen = []
    while True:
        line = p.stdout.readline()
        assert line, "parley printed no URL: " + "".join(seen) + p.stderr.read()
        seen.append(line)
        if line.strip().startswith("http"):
            return p, line.strip(), seen


def finish(fakex, p, seen, stdin=None):
    out, err = p.communicate(input=stdin, timeout=60)
    out = "".join(seen) + out
    fakex.outputs += [out, err]
    return p.returncode, out, err


def connect(parley, fakex):
    p, url, seen = start_connect(parley, fakex)
    with urllib.request.urlopen(url, timeout=30) as r:  # the browser: authorize, then follow the redirect to parley
        page = r.read().decode()
    assert "parley is connected" in page
    code, out, err = finish(fakex, p, seen)
    assert code == 0, err
    return out


def db_rows(parley, sql):
    return rows(parley.db, sql)


def requests(fakex, path_part):
    return [r for r in fakex.state()["requests"] if path_part in r["path"]]


# -- connecting ---------------------------------------------------------------------------------

def test_connect_through_the_loopback_callback(parley, fakex):
    setup_org(parley, fakex)
    out = connect(parley, fakex)
    assert "connected @acme_help" in out
    url_line = [l for l in out.splitlines() if l.strip().startswith("http")][0]
    assert "code_challenge_method=S256" in url_line and "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url_line
    show = run(parley, fakex, "--as", "ada@acme.example", "--json", "-c", "channel show @acme_help")
    assert show.returncode == 0, show.stderr
    data = json.loads(show.stdout)
    assert data["handle"] == "@acme_help" if "handle" in data else "@acme_help" in show.stdout
    # Tokens are stored, never shown; the audit log says what happened without them.
    tokens = fakex.state()["issued_tokens"]
    assert any(tokens[0] in json.dumps(row) for row in db_rows(parley, "SELECT * FROM channels"))
    audit = run(parley, fakex, "--as", "ada@acme.example", "--json", "-c", "audit")
    assert "channel.add" in audit.stdout
    fakex.outputs.append(parley.dump().replace(tokens[0], "").replace(tokens[1], ""))  # the rest of the file is clean too


def test_a_callback_with_the_wrong_state_is_refused(parley, fakex):
    setup_org(parley, fakex)
    p, url, seen = start_connect(parley, fakex)
    try:
        urllib.request.urlopen(url + "&tamper=1", timeout=30)
        assert False, "a callback with a foreign state was accepted"
    except urllib.error.HTTPError as e:
        assert e.code == 400 and "does not match" in e.read().decode()
    with urllib.request.urlopen(url, timeout=30) as r:
        assert "parley is connected" in r.read().decode()
    code, out, err = finish(fakex, p, seen)
    assert code == 0 and "wrong state was refused" in err and "connected @acme_help" in out


def test_connecting_twice_reauthorizes_the_same_channel(parley, fakex):
    setup_org(parley, fakex)
    connect(parley, fakex)
    out = connect(parley, fakex)
    assert "re-authorized @acme_help" in out
    assert len(db_rows(parley, "SELECT id FROM channels")) == 1


def test_connect_by_pasting_the_redirect_url_at_the_terminal(parley, fakex, tmp_path):
    setup_org(parley, fakex)
    blocker = __import__("socket").socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)  # the callback port is taken: parley falls back to the paste
    env = {**ENV, **fakex.env(callback_port=blocker.getsockname()[1]), "PARLEY_HISTORY": str(tmp_path / "hist"), "TERM": "xterm"}
    child = pexpect.spawn(BIN, ["--db", parley.db, "--as", "ada@acme.example"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 400))
    try:
        child.expect_exact("> ")
        child.sendline("channel add twitter")
        child.expect(r"(http://127\.0\.0\.1:\d+/i/oauth2/authorize\?\S+)")
        url = child.match.group(1)
        child.expect_exact("paste the redirect URL")
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(url, timeout=30)
            assert False, "expected a redirect"
        except urllib.error.HTTPError as e:
            location = e.headers["Location"]
        # A pasted URL from another authorization is refused, then the right one connects.
        child.sendline(location.replace("state=", "state=x"))
        child.expect_exact("another authorization")
        child.sendline(location)
        child.expect_exact("connected @acme_help")
        child.expect_exact("> ")
        child.sendline("exit")
        child.expect(pexpect.EOF)
        fakex.outputs.append(child.before or "")
    finally:
        child.close(force=True)
        blocker.close()
    history = (tmp_path / "hist").read_text() if (tmp_path / "hist").exists() else ""
    assert "code=" not in history, "the pasted redirect (with its code) went into the history"
    fakex.outputs.append(history)
    assert len(db_rows(parley, "SELECT id FROM channels WHERE account_id = '100'")) == 1


def test_connect_with_the_oauth1_pin(parley, fakex):
    setup_org(parley, fakex)
    p, url, seen = start_connect(parley, fakex, "--pin", env={"PARLEY_X_PIN_FROM_STDIN": "1"})
    with urllib.request.urlopen(url, timeout=30) as r:
        pin = r.read().decode().split()[1]
    code, out, err = finish(fakex, p, seen, stdin=pin + "\n")
    assert code == 0, err
    assert "connected @acme_help" in out
    fakex.control("seed", {"mentions": 120, "authors": 3})
    r = run(parley, fakex, "--as", "ada@acme.example", "-c", "channel sync")
    assert r.returncode == 0, r.stderr
    assert "120 new messages, 3 new conversations" in r.stdout  # signed OAuth 1.0a requests were accepted


def test_a_missing_client_id_says_what_to_set(parley, fakex):
    setup_org(parley, fakex)
    r = run(parley, fakex, "--as", "ada@acme.example", "-c", "channel add twitter", env={"PARLEY_X_CLIENT_ID": ""})
    assert r.returncode != 0 and "PARLEY_X_CLIENT_ID" in r.stderr


# -- sync ---------------------------------------------------------------------------------------

def connected(parley, fakex):
    setup_org(parley, fakex)
    connect(parley, fakex)
    r = run(parley, fakex, "--as", "ada@acme.example", "-c", "channel grant @acme_help vic@acme.example viewer; "
                                                            "channel grant @acme_help cora@acme.example contributor")
    assert r.returncode == 0, r.stderr


def sync(parley, fakex, env=None):
    return run(parley, fakex, "--as", "ada@acme.example", "-c", "channel sync @acme_help", env=env)


def message_counts(parley):
    rows = db_rows(parley, "SELECT kind, direction, count(*) AS n, count(DISTINCT platform_id) AS d FROM messages GROUP BY 1, 2")
    for r in rows:
        assert r["n"] == r["d"], f"a message stored twice: {r}"
    return {(r["kind"], r["direction"]): r["n"] for r in rows}


def test_sync_2000_mentions_over_20_pages_and_500_dms(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 2000, "authors": 50, "dms": 500, "dm_senders": 20})
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "@acme_help: 2500 new messages, 70 new conversations, 0 reopened" in r.stdout
    assert len(requests(fakex, "/mentions")) == 20 and len(requests(fakex, "/dm_events")) == 5
    counts = message_counts(parley)
    assert sum(n for (kind, d), n in counts.items() if d == "in") == 2500
    kinds = db_rows(parley, "SELECT kind, count(DISTINCT conversation_id) AS c FROM messages GROUP BY kind")
    assert sorted(k["c"] for k in kinds) == [20, 50]  # public and private kept apart, grouped by contact
    assert len(db_rows(parley, "SELECT id FROM conversations")) == 70
    # The next sync asks only for what is newer and stores nothing again.
    fakex.control("seed", {"mentions": 3, "authors": 1})
    r = sync(parley, fakex)
    assert "@acme_help: 3 new messages, 0 new conversations, 0 reopened" in r.stdout
    last = requests(fakex, "/mentions")[-1]
    assert last["query"].get("since_id"), "the second sync did not ask since the newest stored mention"
    assert len(requests(fakex, "/dm_events")) == 6  # one page, stopped at the stored newest DM
    assert sum(message_counts(parley).values()) == 2503


def test_a_sync_killed_midway_loses_nothing_and_stores_nothing_twice(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 2000, "authors": 50, "dms": 500, "dm_senders": 20})
    fakex.fault("stall", path="/2/users/100/mentions", after=8, seconds=60)
    p = subprocess.Popen([BIN, "--db", parley.db, "--as", "ada@acme.example", "-c", "channel sync @acme_help"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, **fakex.env(PARLEY_X_TIMEOUT=60)})
    deadline = time.time() + 60
    while len(requests(fakex, "/mentions")) < 9:
        assert time.time() < deadline and p.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    p.kill()
    p.wait()
    stored = sum(message_counts(parley).values())
    assert stored == 800, stored  # eight whole pages, each committed with its messages
    assert integrity(parley.db) == "ok"
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "@acme_help: 1700 new messages" in r.stdout
    counts = message_counts(parley)
    assert counts == {("public", "in"): 2000, ("dm", "in"): 500}, counts


def test_rate_limits_server_errors_stalls_and_broken_json_are_ridden_out(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 450, "authors": 5, "dms": 30, "dm_senders": 3})
    fakex.fault("429", path="/2/users/100/mentions", after=1, reset_in=1)
    fakex.fault("503", path="/2/users/100/mentions", after=2, count=2)
    fakex.fault("stall", path="/2/dm_events", seconds=4)
    fakex.fault("malformed", path="/2/users/100/mentions", after=3)
    fakex.fault("truncated", path="/2/users/100/mentions", after=4)
    fakex.fault("cut", path="/2/dm_events", after=1)
    fakex.fault("errors200", path="/2/users/100/mentions", after=5)
    started = time.time()
    r = sync(parley, fakex, env={"PARLEY_X_TIMEOUT": "1"})
    assert r.returncode == 0, r.stderr
    assert "@acme_help: 480 new messages, 8 new conversations" in r.stdout
    assert "rate limit reached; waiting until" in r.stderr
    assert "X answered 503" in r.stderr and "X stalled" in r.stderr
    assert time.time() - started >= 0.9  # it waited for the reset
    assert sum(message_counts(parley).values()) == 480


def test_a_failing_sync_says_why_and_a_later_one_completes(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 300, "authors": 4})
    fakex.fault("500", path="/2/users/100/mentions", after=1, count=10)
    r = sync(parley, fakex, env={"PARLEY_X_RETRIES": "2"})
    assert r.returncode != 0
    assert "X answered 500 after several tries" in r.stderr and "try again later" in r.stderr
    assert message_counts(parley) == {("public", "in"): 100}
    fakex.control("reset_faults")
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "200 new messages" in r.stdout
    assert message_counts(parley) == {("public", "in"): 300}


def test_an_expired_token_is_refreshed_once_and_the_rotated_token_stored(parley, fakex):
    connected(parley, fakex)
    first_refresh = fakex.state()["issued_tokens"][1]
    fakex.control("seed", {"mentions": 250, "authors": 2})
    fakex.fault("expire", path="/2/users/100/mentions", after=1)  # tokens expire mid-sync
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "250 new messages" in r.stdout
    issued = fakex.state()["issued_tokens"]
    assert len(issued) == 4
    stored = json.dumps(db_rows(parley, "SELECT * FROM channels"))
    assert issued[3] in stored and first_refresh not in stored  # the new refresh token replaced the old
    # Again: the stored (rotated) refresh token works.
    fakex.control("expire")
    fakex.control("seed", {"mentions": 1, "authors": 1})
    r = sync(parley, fakex)
    assert r.returncode == 0 and "1 new message," in r.stdout, r.stderr


def test_a_revoked_grant_says_to_reauthorize(parley, fakex):
    connected(parley, fakex)
    fakex.control("expire")
    fakex.control("revoke_refresh")
    r = sync(parley, fakex)
    assert r.returncode != 0
    assert "re-authorize the channel with `channel add twitter`" in r.stderr


def test_parley_sync_every_stops_cleanly_on_sigterm(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 150, "authors": 3})
    p = subprocess.Popen([BIN, "--db", parley.db, "sync", "--every", "1s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env={**ENV, **fakex.env()})
    deadline = time.time() + 30
    while len(requests(fakex, "/dm_events")) < 2:  # two rounds
        assert time.time() < deadline and p.poll() is None
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    fakex.outputs += [out, err]
    assert p.returncode == 0, err
    assert "@acme_help: 150 new messages, 3 new conversations" in out
    assert "@acme_help: 0 new messages" in out
    assert message_counts(parley) == {("public", "in"): 150}


# -- replies ------------------------------------------------------------------------------------

def conversation_of(parley, kind):
    return db_rows(parley, f"SELECT conversation_id AS id, max(platform_id) AS latest FROM messages WHERE kind = '{kind}' "
                           "GROUP BY conversation_id ORDER BY conversation_id LIMIT 1")[0]


def one_mention(parley, fakex):
    """A connected channel with one synced mention: its conversation (id, latest platform id)."""
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 1, "authors": 1})
    assert sync(parley, fakex).returncode == 0
    return conversation_of(parley, "public")


def test_a_long_public_reply_is_split_threaded_and_stored_with_the_returned_ids(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 5, "authors": 1, "dms": 2, "dm_senders": 1})
    assert sync(parley, fakex).returncode == 0
    c = conversation_of(parley, "public")
    text = " ".join(f"word{i}" for i in range(100))  # 689 characters: three posts
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {c["id"]} "{text}"')
    assert r.returncode == 0, r.stderr
    assert "in 3 parts" in r.stdout
    posted = fakex.state()["posted"]
    assert [p["text"][-4:] for p in posted] == [" 1/3", " 2/3", " 3/3"]
    assert posted[0]["reply"] == {"in_reply_to_tweet_id": c["latest"]}
    assert posted[1]["reply"] == {"in_reply_to_tweet_id": posted[0]["id"]}
    assert posted[2]["reply"] == {"in_reply_to_tweet_id": posted[1]["id"]}
    stored = db_rows(parley, f"SELECT platform_id FROM messages WHERE conversation_id = {c['id']} AND direction = 'out' ORDER BY id")
    assert [s["platform_id"] for s in stored] == [p["id"] for p in posted]


def test_a_reply_to_a_dm_goes_by_dm_and_dm_forces_it(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 1, "authors": 1, "dms": 1, "dm_senders": 1})
    assert sync(parley, fakex).returncode == 0
    d = conversation_of(parley, "dm")
    p = conversation_of(parley, "public")
    assert run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {d["id"]} "we sent it"').returncode == 0
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {p["id"]} --dm "your order number?"')
    assert r.returncode == 0, r.stderr
    st = fakex.state()
    assert st["posted"] == []
    assert [(m["to"], m["text"]) for m in st["sent_dms"]] == [("500", "we sent it"), ("200", "your order number?")]


def test_a_viewers_reply_is_refused_before_any_request(parley, fakex):
    c = one_mention(parley, fakex)
    before = len(fakex.state()["requests"])
    dump = parley.dump()
    r = run(parley, fakex, "--as", "vic@acme.example", "-c", f'conversation reply {c["id"]} "hello"')
    assert r.returncode != 0 and "reply needs contributor" in r.stderr
    assert len(fakex.state()["requests"]) == before
    assert parley.dump() == dump


def test_a_rejected_reply_stores_nothing(parley, fakex):
    c = one_mention(parley, fakex)
    fakex.fault("500", path="/2/tweets", method="POST", count=10)
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {c["id"]} "hello"', env={"PARLEY_X_RETRIES": "1"})
    assert r.returncode != 0 and "X answered 500" in r.stderr
    assert db_rows(parley, "SELECT count(*) AS n FROM messages WHERE direction = 'out'") == [{"n": 0}]


def test_a_post_whose_answer_stalls_is_not_sent_twice(parley, fakex):
    c = one_mention(parley, fakex)
    fakex.fault("stall", path="/2/tweets", method="POST", seconds=4)
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {c["id"]} "hello"', env={"PARLEY_X_TIMEOUT": "1"})
    assert r.returncode != 0 and "may have been sent: check the account" in r.stderr
    assert len(requests(fakex, "/2/tweets")) == 1


def test_a_403_names_the_scopes_the_endpoint_needs(parley, fakex):
    connected(parley, fakex)
    fakex.control("seed", {"mentions": 3, "authors": 1, "dms": 2, "dm_senders": 1})
    fakex.fault("403", path="/2/dm_events")
    r = sync(parley, fakex)
    assert r.returncode != 0
    assert "403" in r.stderr and "dm.read" in r.stderr and "re-authorize" in r.stderr
    assert message_counts(parley) == {("public", "in"): 3}  # the mentions before it are kept


# -- customers' handles and direct messages -------------------------------------------------------

CUSTOMER = "1376998163739987969"  # an id as X gives them today: 19 digits


def conversations(parley, fakex):
    r = run(parley, fakex, "--as", "cora@acme.example", "--json", "-c", "conversation list")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def contact_handle(parley, platform_id):
    return db_rows(parley, f"SELECT handle FROM contacts WHERE platform_id = '{platform_id}'")[0]["handle"]


def test_a_dm_only_customer_shows_their_handle(parley, fakex):
    connected(parley, fakex)
    fakex.control("dm", {"sender": CUSTOMER, "username": "carla_dm", "text": "where is my order?"})
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "1 new message, 1 new conversation" in r.stdout
    listed = conversations(parley, fakex)
    assert [c["contact"] for c in listed] == ["@carla_dm"]
    assert CUSTOMER not in json.dumps(listed)
    show = run(parley, fakex, "--as", "cora@acme.example", "-c", f"conversation show {listed[0]['id']}")
    assert "@carla_dm" in show.stdout and CUSTOMER not in show.stdout
    # parley asked X for the sender, and for no field the document reserves to other events.
    query = requests(fakex, "/2/dm_events")[-1]["query"]
    assert query["expansions"] == "sender_id" and "username" in query["user.fields"].split(",")
    assert "participant_ids" not in query["dm_event.fields"]


def test_a_customer_who_mentioned_then_dms_keeps_the_handle(parley, fakex):
    connected(parley, fakex)
    fakex.control("mention", {"author": CUSTOMER, "username": "dora", "text": "@acme_help my parcel is late"})
    assert sync(parley, fakex).returncode == 0
    fakex.control("dm", {"sender": CUSTOMER, "text": "here is the order number"})
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "1 new message, 0 new conversations" in r.stdout
    assert [c["contact"] for c in conversations(parley, fakex)] == ["@dora"]
    assert contact_handle(parley, CUSTOMER) == "dora"
    labels = db_rows(parley, "SELECT kind, author_label FROM messages ORDER BY id")
    assert labels == [{"kind": "public", "author_label": "@dora"}, {"kind": "dm", "author_label": "@dora"}]


def test_a_sender_missing_from_includes_keeps_the_stored_handle(parley, fakex):
    connected(parley, fakex)
    fakex.control("mention", {"author": CUSTOMER, "username": "erin"})
    assert sync(parley, fakex).returncode == 0
    # X leaves the sender out of includes (a suspended account) and says so in errors beside data.
    fakex.control("hide", {"ids": [CUSTOMER]})
    fakex.control("dm", {"sender": CUSTOMER, "text": "still waiting"})
    fakex.control("mention", {"author": CUSTOMER, "text": "@acme_help hello?"})
    r = sync(parley, fakex)
    assert r.returncode == 0, r.stderr
    assert "2 new messages, 0 new conversations" in r.stdout
    assert contact_handle(parley, CUSTOMER) == "erin"
    assert [c["contact"] for c in conversations(parley, fakex)] == ["@erin"]
    # A sender never named gets a name no username can have, replaced once X names them.
    fakex.control("dm", {"sender": "1376998163739987970", "username": "fred", "text": "hi"})
    fakex.control("hide", {"ids": ["1376998163739987970"]})
    assert sync(parley, fakex).returncode == 0
    assert contact_handle(parley, "1376998163739987970") == "id:1376998163739987970"
    fakex.control("hide", {"ids": []})
    fakex.control("dm", {"sender": "1376998163739987970", "text": "again"})
    assert sync(parley, fakex).returncode == 0
    assert contact_handle(parley, "1376998163739987970") == "fred"


def test_a_dm_sent_from_another_app_lands_once_as_outbound(parley, fakex):
    connected(parley, fakex)
    fakex.control("dm", {"sender": CUSTOMER, "username": "gina", "text": "my card was charged twice"})
    assert sync(parley, fakex).returncode == 0
    convo = conversations(parley, fakex)[0]["id"]
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f"conversation move {convo} pending")
    assert r.returncode == 0, r.stderr
    # Someone answers from X's own app; X lists it among the account's DM events.
    fakex.control("dm", {"sender": "100", "recipient": CUSTOMER, "text": "refunded, sorry!"})
    first = sync(parley, fakex)
    second = sync(parley, fakex)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "1 new message, 0 new conversations" in first.stdout and "0 new messages" in second.stdout
    rows = db_rows(parley, "SELECT conversation_id AS c, direction AS d, kind AS k, author_user_id AS u, "
                           "author_label AS label, text FROM messages ORDER BY id")
    assert rows == [
        {"c": convo, "d": "in", "k": "dm", "u": None, "label": "@gina", "text": "my card was charged twice"},
        {"c": convo, "d": "out", "k": "dm", "u": None, "label": "@acme_help", "text": "refunded, sorry!"}]
    listed = conversations(parley, fakex)
    assert [(c["contact"], c["queue"], c["owner"]) for c in listed] == [("@gina", "pending", None)]


def test_a_dm_parley_sent_is_not_stored_again_by_sync(parley, fakex):
    connected(parley, fakex)
    fakex.control("dm", {"sender": CUSTOMER, "username": "hana", "text": "hello"})
    assert sync(parley, fakex).returncode == 0
    convo = conversations(parley, fakex)[0]["id"]
    r = run(parley, fakex, "--as", "cora@acme.example", "-c", f'conversation reply {convo} "how can we help?"')
    assert r.returncode == 0, r.stderr
    r = sync(parley, fakex)
    assert r.returncode == 0 and "0 new messages" in r.stdout, r.stdout + r.stderr
    sent = fakex.state()["sent_dms"][0]["id"]
    out = db_rows(parley, "SELECT platform_id, author_label FROM messages WHERE direction = 'out'")
    assert out == [{"platform_id": sent, "author_label": "cora@acme.example"}]


def test_no_dm_event_has_participant_ids(parley, fakex):
    token = fakex.control("seed", {"dms": 5, "dm_senders": 2, "token": True})["access_token"]
    fakex.control("dm", {"sender": CUSTOMER, "username": "ivy", "text": "hi"})
    fakex.control("dm", {"sender": "100", "recipient": CUSTOMER, "text": "hello from the X app"})
    query = "max_results=100&event_types=MessageCreate&expansions=sender_id&user.fields=username" \
            "&dm_event.fields=created_at,dm_conversation_id,sender_id,text,participant_ids"
    req = urllib.request.Request(fakex.base + "/2/dm_events?" + query, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        page = json.loads(r.read())
    events = page["data"]
    assert len(events) == 7
    for e in events:
        assert "participant_ids" not in e, e
        low, high = e["dm_conversation_id"].split("-")
        assert int(low) < int(high) and "100" in (low, high) and e["sender_id"] in (low, high)
    assert {u["id"]: u["username"] for u in page["includes"]["users"]} == {
        "100": "acme_help", "500": "dmcustomer500", "501": "dmcustomer501", CUSTOMER: "ivy"}
