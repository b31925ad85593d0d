"""Long output at a terminal goes through $PAGER, as in psql; short output, `set pager off`,
an empty PAGER and output that is not a terminal are never paged."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from parley_org import BIN, Org  # noqa: E402
from pty_session import PtySession  # noqa: E402

PROMPT = r"parley\(ada@acme\.example admin\)> "


@pytest.fixture
def start(tmp_path):
    db = str(tmp_path / "p.db")
    Org(name="Ada").build(db)
    record = tmp_path / "paged"
    # The pager records what it got, and says so on the terminal.
    pager = f"{sys.executable} -c \"import sys; open('{record}', 'a').write(sys.stdin.read()); print('PAGED')\""
    sessions = []

    def spawn(rows=10, env=None, args=()):
        e = {"PARLEY_HISTORY": str(tmp_path / "history"), "HOME": str(tmp_path), "PAGER": pager}
        e.update(env or {})
        s = PtySession.spawn([BIN, "--db", db, "--as", "ada@acme.example", *args], env=e, cols=100, rows=rows)
        sessions.append(s)
        s.expect(PROMPT)
        return s

    spawn.record = record
    yield spawn
    for s in sessions:
        s.close()


def test_long_output_goes_through_the_pager(start):
    s = start(rows=10)
    s.sendline("help")
    s.expect("PAGED")
    s.expect(PROMPT)
    got = start.record.read_text()
    assert got.startswith("parley commands") and len(got.splitlines()) > 60
    assert "`help WORD…` gives usage" not in s.stream  # the help itself went to the pager only
    s.sendline("quit")
    assert s.wait_exit() == 0


def test_short_output_is_not_paged(start):
    s = start(rows=10)
    s.sendline("whoami")
    s.expect("ada@acme.example")
    s.expect(PROMPT)
    s.sendline("help")  # the pager runs only now
    s.expect("PAGED")
    s.expect(PROMPT)
    assert start.record.read_text().startswith("parley commands")  # whoami's record never went there


def test_set_pager_off_and_an_empty_pager_print_it_all(start):
    s = start(rows=10)
    s.sendline("set pager off; help")
    s.expect("gives usage")
    s.expect(PROMPT)
    s.sendline("set pager on; help")
    s.expect("PAGED")
    s.expect(PROMPT)
    s = start(rows=10, env={"PAGER": ""})
    s.sendline("help")
    s.expect("gives usage")
    s.expect(PROMPT)
    assert len(start.record.read_text().splitlines()) > 60  # from the one paged `help` above


def test_a_pager_that_cannot_start_leaves_the_output_on_the_terminal(start):
    s = start(rows=10, env={"PAGER": "no-such-pager-anywhere"})
    s.sendline("help")
    s.expect("gives usage")
    s.expect(PROMPT)


def test_scripts_and_pipes_are_never_paged(start, tmp_path):
    r = subprocess.run([BIN, "--db", str(tmp_path / "p.db"), "--as", "ada@acme.example", "-c", "help"],
                       capture_output=True, text=True, env={**os.environ, "PAGER": "false"})
    assert r.returncode == 0 and "gives usage" in r.stdout
    assert not start.record.exists()
