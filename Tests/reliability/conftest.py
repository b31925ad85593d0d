"""Helpers for the reliability tests: they drive the built `parley` binary (PARLEY_BIN) as
separate processes and look at the SQLite file with the `sqlite3` command-line tool.

PARLEY_TEST_LONG=1 selects the long sizes (crash loops, 100,000 fuzz cases, 10,000 commands
per concurrent writer); the default sizes keep the whole directory under a few minutes."""

import re
import os
import random
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
# BIN, ENV (fast password hashing, PARLEY_DB, PARLEY_HISTORY and PARLEY_X_* unset), run, ok and quote
# are re-exported to the test modules.
from parley_org import ADMIN, BIN, ENV, Org, ok, quote, run  # noqa: E402,F401

LONG = os.environ.get("PARLEY_TEST_LONG", "0") == "1"


def sized(default, long):
    return long if LONG else default


def seed_for(name, env_var=None):
    """A seed from `env_var` (replay) or fresh; printed so a failure can be replayed."""
    raw = os.environ.get(env_var or "PARLEY_TEST_SEED")
    seed = int(raw) if raw else random.SystemRandom().randrange(1 << 32)
    print(f"\n[{name}] seed={seed} (replay with {env_var or 'PARLEY_TEST_SEED'}={seed})", file=sys.stderr)
    return seed


def sql(db, query):
    r = subprocess.run(["sqlite3", db, query], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def integrity(db):
    return sql(db, "PRAGMA integrity_check")


def dump(db):
    r = subprocess.run(["sqlite3", db, ".dump"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def copy_db(src, dst):
    """Copies a closed database (parley folds the WAL back on exit, so the main file is whole)."""
    assert not os.path.exists(src + "-wal") or os.path.getsize(src + "-wal") == 0, "template still has a WAL"
    shutil.copyfile(src, dst)
    return dst


def inbox_org(db, conversations=10, agents=("cora@acme.example",), role="contributor"):
    """A sandbox organisation: admin ada, agents with `role` on @acme_help, and `conversations`
    conversations (numbers 1..N) played in by distinct customers."""
    org = Org().channel("@acme_help", "Acme Help")
    for a in agents:
        org.user(a, a.split("@")[0].title()).grant("@acme_help", a, role)
    for i in range(1, conversations + 1):
        org.inbound("@acme_help", f"@cust{i}", f"message {i}")
    return org.build(db)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "p.db")


def help_commands():
    """Every command name that `help` lists, in its order."""
    out = ok(None, "-c", "help").stdout
    names = []
    for line in out.splitlines():
        m = re.match(r"^  (\S+(?: \S+)*?)\s{2,}\S", line)
        if m:
            names.append(m.group(1))
    return names
