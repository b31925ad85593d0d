"""Habits of psql and sqlite3 users: the database as a positional word, --version, -1, -o,
timing, the meta-command aliases and `source` relative to the including script."""

import os
import re
import stat

import pytest

from conftest import BIN, ENV, POSTGRES, dump, new_database
from conftest import run as parley_run


def run(*args, stdin=None, cwd=None):
    return parley_run(None, *args, stdin=stdin, cwd=cwd, timeout=60)


def test_version_prints_one_line_and_exits_0():
    r = run("--version")
    assert r.returncode == 0 and re.fullmatch(r"parley \d+\.\d+\.\d+\n", r.stdout), r.stdout


def test_help_mentions_sync_and_the_positional_database():
    r = run("--help")
    assert r.returncode == 0
    assert "parley [--db PATH | PATH] sync [--every DURATION]" in r.stdout
    assert "-1, --single-transaction" in r.stdout and "-o, --output" in r.stdout


def test_database_as_a_positional_word(parley, sandbox, tmp_path):
    r = run(parley.db, "--as", "ada@acme.example", "-c", "whoami")
    assert r.returncode == 0 and "ada@acme.example" in r.stdout, r.stderr
    r = run("--as", "ada@acme.example", "-c", "whoami", parley.db)
    assert r.returncode == 0 and "ada@acme.example" in r.stdout, r.stderr


def test_two_databases_are_refused_with_one_line(parley, tmp_path):
    for args in [("--db", parley.db, str(tmp_path / "b.db")), (str(tmp_path / "a.db"), str(tmp_path / "b.db"))]:
        r = run(*args, "-c", "whoami")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stderr.startswith("parley: ")
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_sync_stays_a_mode(tmp_path):
    db = new_database(str(tmp_path / "p.db"))
    r = run("--db", db, "sync")
    assert r.returncode == 0 and "no connected channel to sync" in r.stdout, r.stderr
    r = run(db, "sync")
    assert r.returncode == 0 and "no connected channel to sync" in r.stdout, r.stderr
    r = run("--db", db, "--every", "5m")
    assert r.returncode == 2 and "--every goes with sync" in r.stderr
    r = run("--db", db, "sync", "-c", "whoami")
    assert r.returncode == 2 and "sync runs alone" in r.stderr


@pytest.mark.sqlite_only(reason="a database file named `sync`")
def test_a_database_file_named_sync_needs_db(tmp_path):
    r = run("--db", "sync", "-c", "whoami", cwd=str(tmp_path))
    assert r.returncode == 0 and "logged in" in r.stdout, r.stderr
    assert (tmp_path / "sync").exists()


@pytest.mark.sqlite_only(reason="database files named with one character")
def test_a_database_file_named_with_one_character(tmp_path):
    for name in ["a", "z"]:
        r = run("--db", name, "-c", "whoami", cwd=str(tmp_path))
        assert r.returncode == 0 and "logged in" in r.stdout, r.stderr
        assert (tmp_path / name).exists()
    r = run("--db", "./-", "-c", "whoami", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "-").exists()


def test_a_lone_dash_is_not_taken_for_a_database(tmp_path):
    for args in [("-",), ("-", "-c", "whoami"), ("-c", "whoami", "-")]:
        r = run(*args, stdin="whoami\n", cwd=str(tmp_path))
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("parley: '-' is not a database"), r.stderr
        assert "standard input" in lines[0] and "./-" in lines[0]
    assert os.listdir(tmp_path) == []


def test_output_flag_writes_results_to_a_new_private_file(parley, sandbox, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("stale\n" * 100)
    os.chmod(out, 0o644)
    r = parley("--as", "ada@acme.example", "-o", str(out), "--on-error", "continue",
               "-c", "whoami", "-c", "user show nobody@x.example", "-c", "clock")
    assert r.returncode == 1 and r.stdout == ""
    assert "no user 'nobody@x.example'" in r.stderr
    text = out.read_text()
    assert "ada@acme.example" in text and "now " in text and "stale" not in text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644  # an existing file keeps its mode
    new = tmp_path / "new.txt"
    r = parley("--as", "ada@acme.example", "--output", str(new), "-c", "whoami")
    assert r.returncode == 0 and r.stdout == "" and stat.S_IMODE(os.stat(new).st_mode) == 0o600


def test_output_flag_to_a_file_that_cannot_be_written_is_a_bad_invocation(parley, tmp_path):
    r = parley("-o", str(tmp_path / "no" / "out.txt"), "-c", "whoami")
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "cannot write" in r.stderr


def test_timing_goes_to_stderr(parley, sandbox):
    r = parley("--as", "ada@acme.example", "-c", "set timing on; whoami")
    assert r.returncode == 0 and "Time:" not in r.stdout
    assert re.fullmatch(r"Time: \d+\.\d{3} ms\n", r.stderr), r.stderr


def tags(parley):
    r = parley("--as", "ada@acme.example", "--json", "-c", "conversation show 1")
    import json
    return json.loads(r.stdout)["tags"]


def grant_ada(parley):
    r = parley("--as", "ada@acme.example", "-c", "channel grant @acme_help ada@acme.example supervisor")
    assert r.returncode == 0, r.stderr


def test_single_transaction_keeps_everything_when_all_succeed(parley, sandbox, tmp_path):
    grant_ada(parley)
    script = tmp_path / "s.parley"
    script.write_text("conversation tag 1 from-file\n")
    r = parley("--as", "ada@acme.example", "-1", "-c", "conversation tag 1 first", "-f", str(script),
               "-c", "conversation tag 1 last")
    assert r.returncode == 0, r.stderr
    assert tags(parley) == ["first", "from-file", "last"]


def test_single_transaction_keeps_nothing_after_a_failure(parley, sandbox, tmp_path):
    grant_ada(parley)
    r = parley("--as", "ada@acme.example", "--single-transaction", "-c", "conversation tag 1 a",
               "-c", "conversation tag 999 b", "-c", "conversation tag 1 c")
    assert r.returncode == 1
    assert "nothing was kept: the whole run (-1) was rolled back" in r.stderr
    assert tags(parley) == []
    # With --on-error continue the rest still runs (and reports its errors), then nothing is kept.
    r = parley("--as", "ada@acme.example", "-1", "--on-error", "continue", stdin=(
        "conversation tag 1 a\nconversation tag 999 b\nconversation tag 998 c\nconversation tag 1 d\n"))
    assert r.returncode == 1
    assert "<stdin>:2:" in r.stderr and "<stdin>:3:" in r.stderr
    assert "-1: 2 commands failed: nothing was kept (the whole run was rolled back)" in r.stderr
    assert tags(parley) == []


def test_single_transaction_refuses_begin_commit_and_rollback(parley, sandbox):
    grant_ada(parley)
    for word in ["begin", "commit", "rollback"]:
        r = parley("--as", "ada@acme.example", "-1", "-c", "conversation tag 1 a", "-c", word)
        assert r.returncode == 1 and "the whole run is one transaction (-1)" in r.stderr, r.stderr
        assert tags(parley) == []


def test_exit_under_single_transaction_ends_the_run_and_keeps_it(parley, sandbox):
    grant_ada(parley)
    r = parley("--as", "ada@acme.example", "-1", stdin="conversation tag 1 a\n.quit\nconversation tag 1 b\n")
    assert r.returncode == 0, r.stderr
    assert tags(parley) == ["a"]


def test_single_transaction_at_a_terminal_is_refused(tmp_path):
    import pexpect
    db = new_database(str(tmp_path / "p.db"))
    child = pexpect.spawn(BIN, ["--db", db, "-1"], env=ENV, encoding="utf-8", timeout=10)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "-1 is for scripts" in child.before
    if POSTGRES:
        assert dump(db) == ""  # no parley tables
    else:
        assert not (tmp_path / "p.db").exists()


def test_source_reads_relative_paths_from_the_including_scripts_folder(parley, sandbox, tmp_path):
    grant_ada(parley)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "main.parley").write_text("source parts/tag.parley\n")
    (tmp_path / "lib" / "parts").mkdir()
    (tmp_path / "lib" / "parts" / "tag.parley").write_text("conversation tag 1 from-part\nsource ../note.parley\n")
    (tmp_path / "lib" / "note.parley").write_text("conversation tag 1 from-note\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run(parley.db, "--as", "ada@acme.example", "-f", str(tmp_path / "lib" / "main.parley"), cwd=str(elsewhere))
    assert r.returncode == 0, r.stderr
    assert tags(parley) == ["from-note", "from-part"]


def test_source_from_c_and_stdin_reads_from_the_current_folder(parley, sandbox, tmp_path):
    grant_ada(parley)
    (tmp_path / "t.parley").write_text("conversation tag 1 here\n")
    r = run(parley.db, "--as", "ada@acme.example", "-c", "source t.parley", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    r = run(parley.db, "--as", "ada@acme.example", stdin="source t.parley\n", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert tags(parley) == ["here"]


def test_source_from_scripts_named_with_one_character(parley, sandbox, tmp_path):
    grant_ada(parley)
    (tmp_path / "a").write_text("source b\n")
    (tmp_path / "b").write_text("conversation tag 1 from-b\n")
    r = run(parley.db, "--as", "ada@acme.example", "-f", "a", cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert tags(parley) == ["from-b"]


def test_a_script_sourcing_itself_fails_once_with_the_chain(parley, sandbox, tmp_path):
    (tmp_path / "a.parley").write_text("whoami\nsource b.parley\n")
    (tmp_path / "b.parley").write_text("source a.parley\n")
    for mode in ["stop", "continue"]:
        r = run(parley.db, "--as", "ada@acme.example", "--on-error", mode, "-f", "a.parley", cwd=str(tmp_path))
        assert r.returncode == 1
        assert r.stderr == "b.parley:1: error: a.parley → b.parley → a.parley: a script may not source itself\n"
        assert r.stdout.count("ada@acme.example") == 1
    (tmp_path / "self.parley").write_text("source ./self.parley\n")
    r = run(parley.db, "-f", "self.parley", cwd=str(tmp_path))
    assert r.returncode == 1
    assert r.stderr == "self.parley:1: error: self.parley → ./self.parley: a script may not source itself\n"


def test_other_failures_in_a_sourced_script_are_still_counted_at_the_source_line(parley, sandbox, tmp_path):
    (tmp_path / "a.parley").write_text("source b.parley\n")
    (tmp_path / "b.parley").write_text("user show nobody@x.example\n")
    r = run(parley.db, "--as", "ada@acme.example", "-f", "a.parley", cwd=str(tmp_path))
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == "a.parley:1: error: b.parley: 1 command failed"
