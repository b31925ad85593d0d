"""The files beside a SQLite database (docs/RULES.md, "Database files").

Once parley has made them, the -wal and -shm files stay beside the database: parley closes it with
every change folded into the file and the -wal file emptied to zero bytes, and a short command
neither creates nor deletes files. The database file alone then holds every change. (A read-only
run beside the empty -wal file reads the file as it is: test_foreign_files.py.)"""

import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import BIN, ENV, Org

ADMIN = "ada@acme.example"


def parley(db, *args):
    r = subprocess.run([BIN, "--db", db, "--as", ADMIN] + list(args),
                       capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r


def make_db(path):
    Org(name="Ada").channel("@acme").grant("@acme", ADMIN, "supervisor").build(path)


def inode(path):
    return os.stat(path).st_ino


@pytest.mark.sqlite_only(reason="SQLite's -wal and -shm files")
def test_a_command_leaves_an_empty_wal_file_and_the_shm_file_in_place(tmp_path):
    db = str(tmp_path / "p.db")
    make_db(db)
    parley(db, "-c", "whoami")
    assert os.path.getsize(db + "-wal") == 0
    assert os.path.exists(db + "-shm")
    files = (inode(db + "-wal"), inode(db + "-shm"))
    # The next commands, reading or writing, use the same two files: none is made again.
    parley(db, "-c", "whoami")
    parley(db, "-c", "topic add Billing")
    assert (inode(db + "-wal"), inode(db + "-shm")) == files
    assert os.path.getsize(db + "-wal") == 0
    assert sorted(os.listdir(tmp_path)) == ["p.db", "p.db-shm", "p.db-wal"]


@pytest.mark.sqlite_only(reason="SQLite's -wal file and a copy of the database file alone")
def test_the_database_file_alone_holds_every_change_once_parley_has_exited(tmp_path):
    db = str(tmp_path / "p.db")
    make_db(db)
    parley(db, "-c", "topic add Billing", "-c", "user add bob@acme.example --name Bob")
    copy = str(tmp_path / "copy.db")
    shutil.copyfile(db, copy)  # the file only, without its -wal and -shm files
    con = sqlite3.connect(copy)
    try:
        assert con.execute("SELECT count(*) FROM topics WHERE name = 'Billing'").fetchone()[0] == 1
        assert con.execute("SELECT name FROM users WHERE email = 'bob@acme.example'").fetchone()[0] == "Bob"
    finally:
        con.close()
