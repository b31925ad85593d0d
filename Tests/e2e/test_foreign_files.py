"""parley writes only to its own databases, and reads one it may not write.

A file that is not parley's (another application's SQLite database, text, random bytes) is refused
with one line and exit code 2, and stays byte for byte as it was, with nothing new beside it. A
zero-byte file is a new database; a database of an earlier parley (no application id) opens and
gains it. A database whose file or folder parley may not write opens read-only: reading commands
work, a writing one fails with one line. File modes do not stop root, so the read-only cases run
parley as the unprivileged user `nobody`."""

import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import BIN, ENV, Org

PARLEY_ID = 0x50524C59  # "PRLY"
ADMIN = "ada@acme.example"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def state(folder):
    """Every file in the folder with its size and hash: what must not change."""
    return sorted((name, os.path.getsize(os.path.join(folder, name)), sha256(os.path.join(folder, name)))
                  for name in os.listdir(folder))


def parley(db, *args, user=None):
    argv = [BIN, "--db", db] + list(args)
    if user is not None:
        argv = ["runuser", "-u", user, "--"] + argv
    r = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=120)
    assert 0 <= r.returncode < 128, f"parley died: {r.returncode}"
    return r


def pragma(db, name):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


def make_parley_db(path):
    """A sandbox organisation: ada, a supervisor on @acme, where conversation 1 is @cust's."""
    (Org(name="Ada")
     .channel("@acme")
     .grant("@acme", ADMIN, "supervisor")
     .inbound("@acme", "@cust", "hello there")
     .build(path))


def assert_refused(folder, path):
    before = state(folder)
    r = parley(path, "-c", "whoami")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("parley: ") and "is not a parley database" in lines[0], lines[0]
    assert path in lines[0]
    assert state(folder) == before


@pytest.mark.sqlite_only(reason="a SQLite file that is not parley's")
def test_another_applications_sqlite_database_is_refused_unchanged(tmp_path):
    path = str(tmp_path / "other.db")
    subprocess.run(["sqlite3", path, "create table foo(x); insert into foo values (1)"], check=True)
    assert_refused(str(tmp_path), path)
    out = subprocess.run(["sqlite3", path, ".tables"], capture_output=True, text=True).stdout.split()
    assert out == ["foo"]


@pytest.mark.sqlite_only(reason="a SQLite file that is not parley's")
def test_an_sqlite_database_marked_by_another_application_is_refused_unchanged(tmp_path):
    path = str(tmp_path / "marked.db")
    subprocess.run(["sqlite3", path, "pragma application_id = 7; create table users(x)"], check=True)
    assert_refused(str(tmp_path), path)


@pytest.mark.sqlite_only(reason="a file that is not parley's")
def test_a_text_file_is_refused_unchanged(tmp_path):
    path = str(tmp_path / "notes.txt")
    with open(path, "w") as f:
        f.write("shopping list\nmilk\n")
    assert_refused(str(tmp_path), path)


@pytest.mark.sqlite_only(reason="a file that is not parley's")
def test_random_bytes_are_refused_unchanged(tmp_path):
    path = str(tmp_path / "noise.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(8192))
    assert_refused(str(tmp_path), path)


@pytest.mark.sqlite_only(reason="a zero-byte file, and the file's application_id and user_version")
def test_a_zero_byte_file_is_a_new_database(tmp_path):
    path = str(tmp_path / "empty.db")
    open(path, "w").close()
    make_parley_db(path)
    assert pragma(path, "application_id") == PARLEY_ID
    assert pragma(path, "user_version") == 7  # the number of the last migration
    r = parley(path, "--as", ADMIN, "-c", "conversation list")
    assert r.returncode == 0, r.stderr
    assert "@cust" in r.stdout


@pytest.mark.sqlite_only(reason="the file's application_id and GRDB's migrations")
def test_a_database_of_an_earlier_parley_opens_and_gains_the_application_id(tmp_path):
    path = str(tmp_path / "earlier.db")
    make_parley_db(path)
    # What an earlier parley left: its tables and migrations, no application id.
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 0")
    con.execute("PRAGMA user_version = 0")
    con.execute("DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%' OR identifier LIKE 'v5:%' OR identifier LIKE 'v6:%' "
                "OR identifier LIKE 'v7:%'")
    con.execute("ALTER TABLE queue_events DROP COLUMN reason")
    con.execute("CREATE INDEX messages_by_conversation_direction ON messages(conversation_id, direction, at)")
    for table in ("report_days", "report_agent_days", "report_times", "report_agent_times"):
        con.execute(f"DROP TABLE {table}")
    con.commit()
    con.close()
    assert pragma(path, "application_id") == 0
    r = parley(path, "--as", ADMIN, "-c", "whoami", "-c", "conversation list")
    assert r.returncode == 0, r.stderr
    assert ADMIN in r.stdout and "@cust" in r.stdout
    assert pragma(path, "application_id") == PARLEY_ID
    assert pragma(path, "user_version") == 7  # the number of the last migration
    con = sqlite3.connect(path)
    assert not con.execute("SELECT 1 FROM sqlite_schema WHERE name = 'messages_by_conversation_direction'").fetchall()
    con.close()
    # The report figures the upgrade added were counted from the messages and queue history.
    r = parley(path, "--as", ADMIN, "--json", "-c", "report @acme")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert (report["inbound"], report["new"]) == (1, 1)


# -- read-only databases -------------------------------------------------------------------------------

def unprivileged_user():
    """Who runs parley for the read-only cases: None when this process is not root already."""
    if os.geteuid() != 0:
        return None
    if shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: file modes would not stop parley")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no user `nobody` to run parley as")
    return "nobody"


@pytest.fixture
def open_folder():
    """A folder outside pytest's private tmp tree, so that `nobody` can reach it."""
    folder = tempfile.mkdtemp(prefix="parley-ro-")
    os.chmod(folder, 0o755)
    yield folder
    os.chmod(folder, 0o755)
    shutil.rmtree(folder)


def check_reads_work_and_writes_fail(folder, path, user):
    before = state(folder)
    r = parley(path, "--as", ADMIN, "-c", "whoami", "-c", "conversation list", "-c", "channel list", user=user)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert ADMIN in r.stdout
    assert "@cust" in r.stdout  # conversation list
    assert "@acme" in r.stdout  # channel list
    assert state(folder) == before

    r = parley(path, "--as", ADMIN, "-c", "user add bob@acme.example --name Bob", user=user)
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert f"the database {path} is read-only: " in lines[0], lines[0]
    assert "attempt to write" not in lines[0]
    assert state(folder) == before


@pytest.mark.sqlite_only(reason="file modes: a read-only file")
def test_a_read_only_file_in_a_writable_folder_reads_and_refuses_writes(open_folder):
    user = unprivileged_user()
    path = os.path.join(open_folder, "p.db")
    make_parley_db(path)
    os.chmod(path, 0o444)
    os.chmod(open_folder, 0o777)  # writable for whoever runs parley; only the file is read-only
    check_reads_work_and_writes_fail(open_folder, path, user)


@pytest.mark.sqlite_only(reason="file modes: a read-only folder")
def test_a_writable_file_in_a_read_only_folder_reads_and_refuses_writes(open_folder):
    user = unprivileged_user()
    path = os.path.join(open_folder, "p.db")
    make_parley_db(path)
    os.chmod(path, 0o644)
    if user is not None:
        os.chown(path, pwd.getpwnam(user).pw_uid, -1)  # the file is theirs; the folder is root's
    else:
        os.chmod(open_folder, 0o555)
    check_reads_work_and_writes_fail(open_folder, path, user)


@pytest.mark.sqlite_only(reason="SQLite's -wal and -shm files")
def test_a_read_only_database_with_changes_in_its_wal_file_shows_them(open_folder):
    user = unprivileged_user()
    path = os.path.join(open_folder, "p.db")
    make_parley_db(path)
    # A writer still holds the database open: its last change is in the -wal file only.
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_autocheckpoint = 0")
    con.execute("INSERT INTO topics(name) VALUES ('OnlyInTheWAL')")
    con.commit()
    copy = os.path.join(open_folder, "copy")
    os.mkdir(copy)
    for suffix in ["", "-wal", "-shm"]:
        shutil.copy(path + suffix, os.path.join(copy, "p.db" + suffix))
        os.chmod(os.path.join(copy, "p.db" + suffix), 0o444)
    con.close()
    os.chmod(copy, 0o555)
    copied = os.path.join(copy, "p.db")
    assert os.path.getsize(copied + "-wal") > 0
    before = state(copy)
    r = parley(copied, "--as", ADMIN, "-c", "topic list", user=user)
    assert r.returncode == 0, r.stderr
    assert "OnlyInTheWAL" in r.stdout
    assert state(copy) == before
    os.chmod(copy, 0o755)
