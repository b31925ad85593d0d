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

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PARLEY_BIN", os.path.join(ROOT, ".build", "debug", "parley"))
# Fast password hashing for tests; PARLEY_HISTORY unset so no test writes a real history file.
ENV = {k: v for k, v in os.environ.items() if k not in ("PARLEY_DB", "PARLEY_HISTORY") and not k.startswith("PARLEY_X_")}
ENV["PARLEY_KDF_ROUNDS"] = "1024"
LONG = os.environ.get("PARLEY_TEST_LONG", "0") == "1"

ADMIN = "ada@acme.example"


def sized(default, long):
    return long if LONG else default


def seed_for(name, env_var=None):
    """A seed from `env_var` (replay) or fresh; printed so a failure can be replayed."""
    raw = os.environ.get(env_var or "PARLEY_TEST_SEED")
    seed = int(raw) if raw else random.SystemRandom().randrange(1 << 32)
    print(f"\n[{name}] seed={seed} (replay with {env_var or 'PARLEY_TEST_SEED'}={seed})", file=sys.stderr)
    return seed


def run(db, *args, stdin=None, timeout=120, env=None):
    """Runs parley once on `db`; fails the test if it died from a signal."""
    argv = [BIN] + (["--db", db] if db else []) + list(args)
    r = subprocess.run(argv, input=stdin, capture_output=True, env={**ENV, **(env or {})}, timeout=timeout,
                       text=not isinstance(stdin, bytes))
    assert 0 <= r.returncode < 128, f"parley died ({r.returncode}) on {args!r}: {r.stderr[-3000:]!r}"
    return r


def ok(db, *args, **kw):
    r = run(db, *args, **kw)
    assert r.returncode == 0, (args, r.stderr)
    return r


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


def quote(s):
    """Quotes a word the way parley's tokenizer reads it back (Tokenizer.quote)."""
    out = '"'
    for ch in s:
        if ch in '"\\$`':
            out += "\\" + ch
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        else:
            out += ch
    return out + '"'


def inbox_org(db, conversations=10, agents=("cora@acme.example",), role="contributor"):
    """A sandbox organisation: admin ada, agents with `role` on @acme_help, and `conversations`
    conversations (numbers 1..N) played in by distinct customers."""
    lines = [f'init {ADMIN} --name "Ada Admin" --sandbox',
             'channel add twitter --handle @acme_help --display-name "Acme Help"']
    for a in agents:
        lines.append(f"user add {a} --name {quote(a.split('@')[0].title())}")
        lines.append(f"channel grant @acme_help {a} {role}")
    for i in range(1, conversations + 1):
        lines.append(f'conversation inbound @acme_help --from @cust{i} "message {i}"')
    ok(db, stdin="\n".join(lines) + "\n")
    return db


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
