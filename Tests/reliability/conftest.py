"""Helpers for the reliability tests: they drive the built `parley` binary (PARLEY_BIN) as
separate processes and look at its database through parley_org's store-neutral helpers (`sql`,
`dump`, `integrity`), on the store PARLEY_TEST_STORE selects.

PARLEY_TEST_LONG=1 selects the long sizes (crash loops, 100,000 fuzz cases, 10,000 commands
per concurrent writer); the default sizes keep the whole directory under a few minutes."""

import re
import os
import random
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
# BIN, ENV (fast password hashing, PARLEY_DB, PARLEY_HISTORY and PARLEY_X_* unset), run, ok, quote and
# the store's helpers are re-exported to the test modules.
import parley_org  # noqa: E402
from parley_org import (ADMIN, BIN, ENV, POSTGRES, Org, drop_database, dump, integrity,  # noqa: E402,F401
                        new_database, ok, quote, run, sql, tables)


def pytest_configure(config):
    config.addinivalue_line("markers", parley_org.SQLITE_ONLY_MARKER)


def pytest_collection_modifyitems(items):
    parley_org.skip_sqlite_only(items)


def pytest_sessionfinish(session):
    parley_org.drop_all()

LONG = os.environ.get("PARLEY_TEST_LONG", "0") == "1"


def sized(default, long):
    return long if LONG else default


def seed_for(name, env_var=None):
    """A seed from `env_var` (replay) or fresh; printed so a failure can be replayed."""
    raw = os.environ.get(env_var or "PARLEY_TEST_SEED")
    seed = int(raw) if raw else random.SystemRandom().randrange(1 << 32)
    print(f"\n[{name}] seed={seed} (replay with {env_var or 'PARLEY_TEST_SEED'}={seed})", file=sys.stderr)
    return seed


def copy_db(src, dst):
    """A new database holding what the closed database `src` holds, from the path `dst` a file
    would have: a copy of the file (parley folds the WAL back on exit, so the main file is
    whole), or on PostgreSQL a database created with `src` as its template."""
    return new_database(dst, template=src)


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
    return new_database(str(tmp_path / "p.db"))


def help_commands():
    """Every command name that `help` lists, in its order."""
    out = ok(None, "-c", "help").stdout
    names = []
    for line in out.splitlines():
        m = re.match(r"^  (\S+(?: \S+)*?)\s{2,}\S", line)
        if m:
            names.append(m.group(1))
    return names
