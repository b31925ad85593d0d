"""Secrets and hostile text: passwords are stored only as salted scrypt hashes; the database and
the history file are private to their owner (0600) whatever the umask; text with quotes, `%`,
`;`, `--`, SQL, Unicode and control characters comes back exactly as typed through `--json`;
a NUL byte, which SQLite text cannot hold through parley, is refused whole."""

import base64
import json
import os
import stat
import subprocess
import time

import pexpect
import pytest

from .conftest import ADMIN, BIN, ENV, POSTGRES, dump, inbox_org, new_database, ok, quote, run, sql, tables

PASSWORD = "s3cret-Horse-42"

HOSTILE = [
    'say "hi"', "it's", "100%", "%s%n%d%x", "a;b; c", "a -- b", "--", "-- comment?",
    "'); DROP TABLE users; --", '"); DROP TABLE notes; --', "Robert'); DELETE FROM audit; --",
    "Ünïcödé 🙂 中文 עברית العربية", "e\u0301 (combining)", "zero\u200bwidth", "back\\slash\\",
    "$HOME `id` $(id)", "#not-a-comment", "x # y", "semi;colon", "{\"json\": [1, 2]}", "<b>html</b>&amp;",
    "\U0001F600\U0001F469\u200D\U0001F4BB", "trailing\\",
]
TEXT_ONLY = ["tab\tseparated", "line one\nline two", "  leading and trailing blanks  ", "bell\x07 and esc\x1b[31m"]


def parley_json(db, who, line):
    r = ok(db, "--as", who, "--json", "-c", line)
    return json.loads(r.stdout)


def test_passwords_are_salted_scrypt_hashes_only(tmp_path):
    db = new_database(str(tmp_path / "s.db"))
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    ok(db, "-c", f'init {ADMIN} --name Ada --sandbox --password-file {pw}')
    ok(db, "--as", ADMIN, "-c", f"user add bob@acme.example --name Bob --password-file {pw}",
       "-c", f"user add cat@acme.example --name Cat --password-file {pw}")
    hashes = sql(db, "SELECT password_hash FROM users ORDER BY id").splitlines()
    assert len(hashes) == 3 and len(set(hashes)) == 3, "same password, same stored value: no salt"
    for h in hashes:
        parts = h.split("$")
        assert parts[0] == "scrypt" and len(parts) == 6, h
        n, r, p = map(int, parts[1:4])
        assert n >= 1024 and r == 8 and p == 1, h
        assert len(base64.b64decode(parts[4])) == 16, "salt of 16 bytes"
        assert len(base64.b64decode(parts[5])) >= 32
        assert PASSWORD not in h
    # The clear password appears nowhere: not in the file (on PostgreSQL, in no row), not in any output.
    if not POSTGRES:
        assert PASSWORD.encode() not in open(db, "rb").read()
    assert PASSWORD not in dump(db) and hashes[0] in dump(db)
    shown = ok(db, "--as", ADMIN, "--json", "-c", "user show bob@acme.example", "-c", "user list", "-c", "audit").stdout
    assert PASSWORD not in shown and "scrypt" not in shown and hashes[1] not in shown
    assert json.loads(shown.splitlines()[0])["password"] == "set"
    # The hash is the real thing: the password logs in, a wrong one does not.
    assert ok(db, "-c", f"login bob@acme.example --password-file {pw}").stdout.startswith("logged in as bob@acme.example")
    bad = tmp_path / "bad.txt"
    bad.write_text("not-the-password\n")
    r = run(db, "-c", f"login bob@acme.example --password-file {bad}")
    assert r.returncode == 1 and "wrong email or password" in r.stderr and PASSWORD not in r.stderr
    # Without the test override, the work factor is the documented one (N = 2^15).
    env = {k: v for k, v in ENV.items() if k != "PARLEY_KDF_ROUNDS"}
    r = subprocess.run([BIN, "--db", db, "--as", ADMIN, "-c", f"user password cat@acme.example --password-file {pw}"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sql(db, "SELECT password_hash FROM users WHERE email = 'cat@acme.example'").split("$")[1] == "32768"


@pytest.mark.sqlite_only(reason="the modes of the database file, its -wal and -shm files and its folder")
def test_database_and_wal_files_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        db = str(tmp_path / "nested" / "dir" / "m.db")
        p = subprocess.Popen([BIN, "--db", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=ENV, text=True)
        p.stdin.write(f"init {ADMIN} --name Ada --sandbox\n")
        p.stdin.flush()
        assert p.stdout.readline().startswith("created")
        # While the process holds the database open, its WAL and shared-memory files exist.
        modes = {s: stat.S_IMODE(os.stat(db + s).st_mode) for s in ("", "-wal", "-shm") if os.path.exists(db + s)}
        p.stdin.write("user add bob@acme.example --name Bob\n")
        p.stdin.flush()
        p.stdout.readline()
        modes.update({s: stat.S_IMODE(os.stat(db + s).st_mode) for s in ("", "-wal", "-shm") if os.path.exists(db + s)})
        p.communicate(timeout=60)
        assert p.returncode == 0
        assert modes.get("") == 0o600 and all(m == 0o600 for m in modes.values()), {k: oct(v) for k, v in modes.items()}
        assert "-wal" in modes
        assert stat.S_IMODE(os.stat(os.path.dirname(db)).st_mode) == 0o700
    finally:
        os.umask(old)


def test_history_file_is_private_and_holds_no_secrets(tmp_path):
    db = inbox_org(str(tmp_path / "h.db"), 1)
    hist = tmp_path / "hist" / "history"
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    old = os.umask(0o022)
    try:
        child = pexpect.spawn(BIN, ["--db", db, "--as", ADMIN], env={**ENV, "PARLEY_HISTORY": str(hist), "TERM": "xterm"},
                              encoding="utf-8", timeout=30, dimensions=(40, 200))
        child.expect_exact("admin)> ")
        for line in ["whoami", f"user password --password-file {pw}", "conversation note 1 remember-me",
                     f"login cora@acme.example --password-file {pw}", "logout"]:
            child.sendline(line)
            child.expect_exact("> ")
        child.sendline("exit")
        child.expect(pexpect.EOF)
        child.close()
    finally:
        os.umask(old)
    assert hist.exists()
    assert stat.S_IMODE(hist.stat().st_mode) == 0o600, oct(hist.stat().st_mode)
    text = hist.read_text(errors="replace")
    assert "whoami" in text and "remember-me" in text
    assert "password" not in text and "login" not in text and PASSWORD not in text


FIELDS = ["note", "reply", "inbound", "resolve reason", "tag", "user name", "channel display name", "team name", "topic"]


def values_for(field):
    """Notes and message texts take any text; names and tags refuse control characters (and
    names are trimmed, tags have no blanks), so they get the hostile set without those."""
    if field in ("note", "reply", "inbound", "resolve reason"):
        return HOSTILE + TEXT_ONLY
    if field == "tag":
        return [s for s in HOSTILE if not any(c.isspace() for c in s)]
    return HOSTILE


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_text_round_trips_exactly(tmp_path, field):
    db = inbox_org(str(tmp_path / "rt.db"), 1, agents=("cora@acme.example",), role="supervisor")
    values = values_for(field)
    cora = "cora@acme.example"
    writes, reads, who = [], [], cora
    for i, text in enumerate(values):
        q = quote(text)
        if field == "note":
            writes.append(f"conversation note 1 {q}")
        elif field == "reply":
            writes.append(f"conversation reply 1 {q}")
        elif field == "inbound":
            who = ADMIN
            writes.append(f"conversation inbound @acme_help --from @cust1 {q}")
        elif field == "resolve reason":
            who = ADMIN
            writes.append(f"channel edit @acme_help --resolve-reason {q}")
            reads.append("channel show @acme_help")
        elif field == "tag":
            writes.append(f"conversation tag 1 {q}")
        elif field == "user name":
            who = ADMIN
            writes.append(f"user add u{i}@acme.example --name {q}")
            reads.append(f"user show u{i}@acme.example")
        elif field == "channel display name":
            who = ADMIN
            writes.append(f"channel edit {quote('#1')} --display-name {q}")
            reads.append(f"channel show {quote('#1')}")
        elif field == "team name":
            who = ADMIN
            writes.append(f"team add {q}")
            reads.append(f"team show {q}")
        elif field == "topic":
            who = ADMIN
            writes.append(f"topic add {q}")
    if field in ("resolve reason", "channel display name"):
        # One value at a time: write, read back, next.
        lines = [x for pair in zip(writes, reads) for x in pair]
        out = ok(db, "--as", who, "--json", stdin="\n".join(lines) + "\n").stdout.splitlines()
        docs = [json.loads(l) for l in out[1::2]]
        key = "resolve_reason" if field == "resolve reason" else "display_name"
        got = [d[key] for d in docs]
    else:
        ok(db, "--as", who, stdin="\n".join(writes) + "\n")
        if field in ("note", "reply", "inbound"):
            show = parley_json(db, cora, "conversation show 1")
            got = [n["text"] for n in show["notes"]] if field == "note" else \
                  [m["text"] for m in show["messages"] if m["direction"] == ("out" if field == "reply" else "in")][-len(values):]
        elif field == "tag":
            got = parley_json(db, cora, "conversation show 1")["tags"]
            assert sorted(got) == sorted(values)
            got = values
        elif field == "user name":
            out = ok(db, "--as", ADMIN, "--json", stdin="\n".join(reads) + "\n").stdout.splitlines()
            got = [json.loads(l)["name"] for l in out]
        elif field == "team name":
            out = ok(db, "--as", ADMIN, "--json", stdin="\n".join(reads) + "\n").stdout.splitlines()
            got = [json.loads(l)["name"] for l in out]
            assert sorted(t["name"] for t in parley_json(db, ADMIN, "team list")) == sorted(values)
        elif field == "topic":
            got = [t["name"] for t in parley_json(db, ADMIN, "topic list")]
            assert sorted(got) == sorted(values)
            ok(db, "--as", cora, "-c", "conversation topic 1 " + " ".join(quote(v) for v in values))
            assert sorted(parley_json(db, cora, "conversation show 1")["topics"]) == sorted(values)
            got = values
    for want, have in zip(values, got):
        assert have == want, f"{field}: typed {want!r}, stored {have!r}"
    assert len(got) == len(values)
    # Nothing was run as SQL.
    assert {"audit", "notes", "users"} <= set(tables(db))
    assert int(sql(db, "SELECT count(*) FROM audit")) > 0


NUL_CASES = [
    ("cora@acme.example", b'conversation note 1 "before\x00after"'),
    ("cora@acme.example", b"conversation note 1 bare\x00nul"),
    ("cora@acme.example", b'conversation reply 1 "hi\x00there"'),
    ("cora@acme.example", b'conversation tag 1 "t\x00g"'),
    (ADMIN, b'conversation inbound @acme_help --from @cust1 "in\x00bound"'),
    (ADMIN, b'channel edit @acme_help --resolve-reason "re\x00ason"'),
    (ADMIN, b'channel edit @acme_help --display-name "Dis\x00play"'),
    (ADMIN, b'user add nul@acme.example --name "N\x00L"'),
    (ADMIN, b'team add "Te\x00am"'),
    (ADMIN, b'topic add "To\x00pic"'),
    (ADMIN, b"user show ada@acme.example\x00"),
]


def test_nul_bytes_are_refused_whole(tmp_path):
    """NUL cannot be typed in an argument (-c) and the language has no escape for it, but it can
    come in a script or on stdin. SQLite would cut the text at it: parley must refuse it."""
    db = inbox_org(str(tmp_path / "n.db"), 1, role="supervisor")
    before = dump(db)
    problems = []
    for who, line in NUL_CASES:
        r = run(db, "--as", who, stdin=line + b"\n")
        err = r.stderr.decode()
        if r.returncode != 1 or len(err.strip().splitlines()) != 1 or not ("NUL" in err or "control character" in err):
            problems.append(f"{line!r}: exit {r.returncode}, stderr {err!r}")
        if dump(db) != before:
            problems.append(f"{line!r}: wrote to the database")
            before = dump(db)
    assert problems == [], "\n".join(problems)
