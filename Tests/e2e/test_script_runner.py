"""The command language, I/O modes, exit codes, transactions and bad input, through the binary."""

import csv
import io
import json
import os
import stat

import pytest

from conftest import new_database, sql


def test_language_quotes_semicolons_comments_continuation(parley, sandbox, tmp_path):
    script = tmp_path / "s.parley"
    script.write_text(
        "# a comment line\n"
        "conversation tag 1 one; conversation tag 1 'two'  # trailing comment\n"
        "conversation note 1 \"say \\\"hi\\\"\\tand\\\\go\"\n"
        "conversation note 1 first \\\n"
        "    second\n"
        "conversation note 1 \"line one\n"
        "line two\"\n")
    r = parley("--as", "cora@acme.example", "-f", str(script))
    assert r.returncode == 0, r.stderr
    r = parley("--as", "ada@acme.example", "-c", "channel edit @acme_help --resolve-reason=\"A; B # C\"")
    assert r.returncode == 0, r.stderr
    show = json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)
    assert show["tags"] == ["one", "two"]
    notes = [n["text"] for n in show["notes"]]
    # Unquoted free text keeps the blanks of a continued line as typed.
    assert notes == ['say "hi"\tand\\go', "first     second", "line one\nline two"]
    reason = json.loads(parley("--as", "ada@acme.example", "--json", "-c", "channel show @acme_help").stdout)["resolve_reason"]
    assert reason == "A; B # C"


def test_inputs_run_in_order_and_stdin(parley, sandbox, tmp_path):
    a = tmp_path / "a.parley"
    a.write_text("conversation tag 1 from-file\n")
    r = parley("--as", "cora@acme.example", "-c", "conversation tag 1 c1", "-f", str(a), "-c", "conversation show 1")
    assert r.returncode == 0 and "c1, from-file" in r.stdout
    r = parley("--as", "cora@acme.example", "-f", "-", stdin="conversation untag 1 c1\nwhoami\n")
    assert r.returncode == 0 and "cora@acme.example" in r.stdout


def test_json_and_csv(parley, sandbox):
    out = parley("--as", "cora@acme.example", "--json", "-c", "conversation list", "-c", "conversation show 1", "-c", "whoami")
    docs = [json.loads(line) for line in out.stdout.strip().splitlines()]
    assert isinstance(docs[0], list)
    assert list(docs[0][0].keys()) == ["id", "channel", "contact", "queue", "owner", "tags", "topics", "updated_at"]
    assert isinstance(docs[1], dict) and docs[1]["contact"] == "@carol"
    err = parley("--as", "vic@acme.example", "--json", "-c", "conversation reply 1 hi")
    assert err.returncode == 1 and err.stdout == ""
    e = json.loads(err.stderr)
    assert "reply needs contributor" in e["error"] and e["at"] == "-c:1"
    c = parley("--as", "cora@acme.example", "-c", "set output csv; conversation list")
    rows = list(csv.reader(io.StringIO(c.stdout)))
    assert rows[0][:4] == ["id", "channel", "contact", "queue"] and rows[1][2] == "@carol"


def test_exit_codes_and_on_error(parley, sandbox, tmp_path):
    assert parley("--on-error", "maybe", "-c", "whoami").returncode == 2
    assert parley("--frobnicate").returncode == 2
    assert parley("--as", "nobody@acme.example", "-c", "whoami").returncode == 2
    script = tmp_path / "s.parley"
    script.write_text("conversation tag 1 a\nconversation tag 999 b\nconversation tag 1 c\n")
    stop = parley("--as", "cora@acme.example", "-f", str(script))
    assert stop.returncode == 1
    assert stop.stderr.strip() == f"{script}:2: error: no conversation 999 that you can see (`conversation list` shows yours)"
    tags = json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)["tags"]
    assert tags == ["a"]
    cont = parley("--as", "cora@acme.example", "--on-error", "continue", "-f", str(script))
    assert cont.returncode == 1
    assert json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)["tags"] == ["a", "c"]


def test_line_numbers_count_continued_lines(parley, sandbox, tmp_path):
    script = tmp_path / "s.parley"
    script.write_text("whoami\nconversation note 1 \\\n  continued\n\nconversation frob 1\n")
    r = parley("--as", "cora@acme.example", "-f", str(script))
    assert r.returncode == 1 and r.stderr.startswith(f"{script}:5: error: unknown command 'conversation frob'")


def test_transactions(parley, sandbox, tmp_path):
    r = parley("--as", "cora@acme.example", stdin="begin\nconversation tag 1 t1\nconversation tag 1 t2\ncommit\n")
    assert r.returncode == 0
    r = parley("--as", "cora@acme.example", stdin="begin\nconversation tag 1 r1\nrollback\n")
    assert r.returncode == 0
    r = parley("--as", "cora@acme.example", stdin="begin\nconversation tag 1 open1\n")
    assert r.returncode == 1 and "rolled back" in r.stderr
    r = parley("--as", "cora@acme.example", stdin="begin\nconversation tag 1 f1\nconversation tag 99 f2\nconversation tag 1 f3\ncommit\n")
    assert r.returncode == 1 and "rolled back" in r.stderr
    tags = json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)["tags"]
    assert tags == ["t1", "t2"]


BAD = [
    ("conversaton list", "did you mean 'conversation'"),
    ("conversation list --queu new", "did you mean '--queue'"),
    ("conversation tag", "needs N"),
    ("user show nobody@acme.example", "no user 'nobody@acme.example'"),
    ("channel show @nope", "no channel '@nope'"),
    ("team show Nope", "no team 'Nope'"),
    ("conversation show 42", "no conversation 42"),
    ("channel edit @acme_help --auto-resolve-new 0s", "zero"),
    ("channel edit @acme_help --auto-resolve-new 31d", "out of range"),
    ("channel edit @acme_help --auto-resolve-new 5x", "unknown unit"),
    ("channel edit @acme_help --display-name ''", "at least 1 character"),
    ("channel edit @acme_help --display-name " + "x" * 256, "at most 255 characters"),
    ("--as cora@acme.example conversation note 1 " + "n" * 2001, "at most 2000 characters"),
    ("channel grant @acme_help vic@acme.example boss", "viewer|contributor|supervisor"),
    ('conversation note 1 "open quote', "unterminated quote"),
    ("init x@acme.example --name X", "only on an empty database"),
    ("user edit ada@acme.example --role agent", "last enabled admin"),
    ("user disable ada@acme.example", "last enabled admin"),
    ("user add VIC@acme.example --name Twin", "exists already"),
]


def test_each_bad_input_gets_one_error_line_and_changes_nothing(parley, sandbox):
    before = parley.dump()
    for line, expected in BAD:
        who = "ada@acme.example"
        if line.startswith("--as "):
            _, who, line = line.split(" ", 2)
        r = parley("--as", who, "-c", line)
        assert r.returncode == 1, line
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, (line, r.stderr)
        assert expected in lines[0] or __import__("re").search(expected, lines[0]), (line, lines[0])
        assert parley.dump() == before, line
    ok = parley("--as", "ada@acme.example", "-c", "channel edit @acme_help --display-name " + "🙂" * 255)
    assert ok.returncode == 0, ok.stderr


def test_invalid_utf8_and_huge_lines(parley, sandbox):
    data = (b"whoami\n" + b"conversation note 1 bad \xff\xfe bytes\n" + b"conversation note 1 " + b"x" * (10 * 1024 * 1024)
            + b"\n" + b"conversation tag 1 after\n")
    r = parley("--as", "cora@acme.example", "--on-error", "continue", stdin=data)
    assert r.returncode == 1
    errs = r.stderr.decode().strip().splitlines()
    assert len(errs) == 2 and "<stdin>:2:" in errs[0] and "UTF-8" in errs[0] and "<stdin>:3:" in errs[1] and "bytes long" in errs[1]
    show = json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)
    assert show["tags"] == ["after"] and show["notes"] == []


def test_sandbox_only_commands_on_a_normal_database(parley):
    assert parley("-c", "init ada@acme.example --name Ada").returncode == 0
    for line in ["clock advance 1d", "channel add twitter --handle @x", "conversation inbound @x --from @y hi"]:
        r = parley("--as", "ada@acme.example", "-c", line)
        assert r.returncode == 1 and ("sandbox" in r.stderr or "no channel" in r.stderr), (line, r.stderr)


@pytest.mark.sqlite_only(reason="the default file's path and mode, and its WAL journal")
def test_database_file_modes_wal_and_default_paths(tmp_path):
    from conftest import Parley
    home = tmp_path / "home"
    home.mkdir()
    p = Parley(None)
    r = p("-c", "init ada@acme.example --name Ada --sandbox", db=False,
          env={"HOME": str(home), "XDG_DATA_HOME": "", "PARLEY_DB": ""})
    assert r.returncode == 0, r.stderr
    db = home / ".local" / "share" / "parley" / "parley.db"
    assert db.exists() and stat.S_IMODE(db.stat().st_mode) == 0o600
    x = tmp_path / "xdg"
    r = p("-c", "init ada@acme.example --name Ada", db=False, env={"XDG_DATA_HOME": str(x), "PARLEY_DB": ""})
    assert r.returncode == 0 and (x / "parley" / "parley.db").exists()
    env_db = tmp_path / "env.db"
    r = p("-c", "init ada@acme.example --name Ada", db=False, env={"PARLEY_DB": str(env_db)})
    assert r.returncode == 0 and env_db.exists()
    import subprocess
    assert subprocess.run(["sqlite3", str(env_db), "PRAGMA journal_mode"], capture_output=True, text=True).stdout.strip() == "wal"


def test_parley_db_names_the_database(tmp_path):
    from conftest import Parley
    db = new_database(str(tmp_path / "env.db"))
    r = Parley(None)("-c", "init ada@acme.example --name Ada", db=False, env={"PARLEY_DB": db})
    assert r.returncode == 0, r.stderr
    assert sql(db, "SELECT email FROM users") == "ada@acme.example"


def test_two_writers_at_once_lose_nothing(parley, sandbox, tmp_path):
    import subprocess
    from conftest import BIN, ENV
    procs = []
    for w in range(2):
        script = tmp_path / f"w{w}.parley"
        script.write_text("".join(f"conversation note 1 writer{w}-{i}\n" for i in range(300)))
        procs.append(subprocess.Popen([BIN, "--db", parley.db, "--as", "cora@acme.example", "-f", str(script)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, text=True))
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "locked" not in err and "busy" not in err, err
    assert sql(parley.db, "SELECT count(*) FROM notes") == "600"


def test_a_writer_gives_up_on_a_long_transaction_with_one_line(parley, sandbox):
    """`begin` keeps other writers out while it is open (SQLite's write lock; on PostgreSQL a
    lock every write takes): one waits, then fails with the same words on both stores."""
    import subprocess
    from conftest import BIN, ENV
    holder = subprocess.Popen([BIN, "--db", parley.db, "--as", "cora@acme.example", "-f", "-"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
    try:
        holder.stdin.write("begin\nconversation tag 1 held\nwhoami\n")
        holder.stdin.flush()
        while "cora@acme.example" not in holder.stdout.readline():
            pass
        r = parley("--as", "cora@acme.example", "-c", "conversation tag 1 waited")
        assert r.returncode == 1, r.stderr
        assert r.stderr.startswith("-c:1: error: the database stayed busy for ") and len(r.stderr.splitlines()) == 1
        assert "(another parley holds a long transaction): try again" in r.stderr
        out, err = holder.communicate("commit\n", timeout=60)
        assert holder.returncode == 0, err
    finally:
        holder.kill()
    tags = json.loads(parley("--as", "cora@acme.example", "--json", "-c", "conversation show 1").stdout)["tags"]
    assert tags == ["held"]
