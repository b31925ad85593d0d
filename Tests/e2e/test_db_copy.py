"""`parley db copy SOURCE TARGET`: an organisation moved between a SQLite file and PostgreSQL,
checked row by row. Needs the PostgreSQL server scripts/test starts (PARLEY_TEST_PG)."""

import itertools
import os
import re
import subprocess

import pytest

from conftest import BIN, ENV, run

_names = itertools.count()


def server():
    conninfo = os.environ.get("PARLEY_TEST_PG")
    if not conninfo:
        pytest.fail("PARLEY_TEST_PG is not set: run scripts/test, which starts a PostgreSQL server for the tests")
    return conninfo


def new_pg_database():
    """A new, empty PostgreSQL database on the test server, as a connection string."""
    conninfo = server()
    name = f"copy_{os.getpid()}_{next(_names)}"
    r = subprocess.run(["psql", conninfo, "-qAtc", f"CREATE DATABASE {name}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return re.sub(r"dbname=\S+", f"dbname={name}", conninfo)


def dump(path):
    return subprocess.run(["sqlite3", path, ".dump"], capture_output=True, text=True, check=True).stdout


def copy(source, target):
    return subprocess.run([BIN, "db", "copy", source, target], capture_output=True, text=True, env=ENV, timeout=300)


def test_the_demo_organisation_round_trips_sqlite_postgres_sqlite_with_identical_rows(tmp_path):
    first = str(tmp_path / "first.db")
    assert run(first, "-c", "demo").returncode == 0
    pg = new_pg_database()
    there = copy(first, pg)
    assert there.returncode == 0, there.stderr
    assert re.fullmatch(r"copied [\d,]+ rows in \d+ tables from .*first\.db to .*; every row compared equal\n",
                        there.stdout)
    back = str(tmp_path / "back.db")
    r = copy(pg, back)
    assert r.returncode == 0, r.stderr
    assert dump(back) == dump(first)
    # The copy on PostgreSQL is a working organisation: new rows get ids after the copied ones.
    r = run(pg, "--as", "ada@acme.example", "-c", "team add Newcomers", "-c", "team list", "--json")
    assert r.returncode == 0, r.stderr
    assert "Newcomers" in r.stdout


def test_a_target_that_holds_an_organisation_is_refused_and_left_as_it_was(tmp_path):
    source = str(tmp_path / "source.db")
    target = str(tmp_path / "target.db")
    assert run(source, "-c", "demo").returncode == 0
    assert run(target, "-c", "init zed@other.example --name Zed --sandbox").returncode == 0
    before = dump(target)
    r = copy(source, target)
    assert r.returncode == 2
    assert r.stderr == f"parley: {target} already holds an organisation (1 user): parley copies only into an empty database\n"
    assert dump(target) == before
    pg = new_pg_database()
    assert copy(source, pg).returncode == 0
    again = copy(source, pg)
    assert again.returncode == 2 and "already holds an organisation (5 users)" in again.stderr


def test_wrong_inputs_say_what_to_give(tmp_path):
    r = copy(str(tmp_path / "missing.db"), str(tmp_path / "t.db"))
    assert (r.returncode, r.stderr) == (2, f"parley: no database file {tmp_path}/missing.db: give the file to copy from\n")
    assert not os.path.exists(tmp_path / "t.db")
    r = subprocess.run([BIN, "db", "copy", "only-one.db"], capture_output=True, text=True, env=ENV)
    assert r.returncode == 2 and "usage: parley db copy SOURCE TARGET" in r.stderr
    r = subprocess.run([BIN, "db", "move", "a", "b"], capture_output=True, text=True, env=ENV)
    assert r.returncode == 2 and "unknown `db` command `move`" in r.stderr
    empty = str(tmp_path / "empty.db")
    assert run(empty, "-c", "whoami").returncode == 0
    r = copy(empty, str(tmp_path / "new.db"))
    assert r.returncode == 2 and "holds no organisation: there is nothing to copy" in r.stderr
    # A target file the failed copy created is not left behind.
    assert not os.path.exists(tmp_path / "new.db")


def test_a_password_in_the_connection_string_is_never_shown(tmp_path):
    source = str(tmp_path / "source.db")
    assert run(source, "-c", "demo").returncode == 0
    pg = new_pg_database()
    host = re.search(r"host=(\S+)", pg).group(1)
    dbname = re.search(r"dbname=(\S+)", pg).group(1)
    uri = f"postgresql://postgres:Sup3rSecret@/{dbname}?host={host}"
    r = copy(source, uri)
    assert r.returncode == 0, r.stderr
    assert "Sup3rSecret" not in r.stdout + r.stderr
    assert "postgresql://postgres:***@/" in r.stdout
    r = copy(source, uri)
    assert r.returncode == 2
    assert "Sup3rSecret" not in r.stdout + r.stderr
