"""What the Python suites (Tests/e2e, Tests/terminal, Tests/reliability) share: how to run the built
`parley` binary, and the organisations they start from, written as parley scripts.

    org = sandbox_org().channel("@acme_news", "Acme News")   # the standard one, and a bit more
    org.build(db)                                             # runs its script on a new database

Each suite puts this folder on sys.path (its conftest.py, or the test file) and imports
`parley_org`; the name is unique, so the suites' own `conftest` modules do not shadow it.

The store the suites run on is PARLEY_TEST_STORE: `sqlite` (the default) or `postgres`, on the
server PARLEY_TEST_PG names (a libpq connection string, as scripts/pg-cluster prints). A test
makes each database with `new_database(path)`, reads rows with `sql` or `rows`, and compares whole
databases with `dump`: the same calls on both stores."""

import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PARLEY_BIN", os.path.join(ROOT, ".build", "debug", "parley"))
# Fast password hashing; no database, history file or X setting inherited from the caller's shell.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PARLEY_DB", "PARLEY_HISTORY") and not k.startswith("PARLEY_X_")}
ENV["PARLEY_KDF_ROUNDS"] = "1024"

ADMIN = "ada@acme.example"

STORE = os.environ.get("PARLEY_TEST_STORE", "sqlite")
assert STORE in ("sqlite", "postgres"), f"PARLEY_TEST_STORE is {STORE!r}: sqlite or postgres"
POSTGRES = STORE == "postgres"
PG = os.environ.get("PARLEY_TEST_PG", "")
assert PG or not POSTGRES, "PARLEY_TEST_STORE=postgres needs PARLEY_TEST_PG (a connection string)"
PG_SCHEMA = "parley"


# -- databases on either store ---------------------------------------------------------------------

_numbers = itertools.count(1)
_made = []  # the PostgreSQL databases this process created, dropped by drop_all()


def pg_conninfo(dbname):
    """PARLEY_TEST_PG with its database replaced by `dbname` (libpq: the last keyword wins)."""
    if PG.startswith(("postgresql://", "postgres://")):
        base, _, query = PG.partition("?")
        head = base.split("/", 3)  # scheme, '', authority, dbname
        return "/".join(head[:3] + [dbname]) + ("?" + query if query else "")
    return f"{PG} dbname={dbname}"


def _psql(conninfo, script, check=True, timeout=120):
    """Runs SQL through psql (no psqlrc, stop at the first error, rows unaligned without headers)
    with parley's schema first on the search path."""
    env = {**os.environ, "PGOPTIONS": f"-c search_path={PG_SCHEMA}"}
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-f", "-"],
                       input=script, capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0 or not check, r.stderr
    return r


def _admin(statement):
    _psql(PG, statement)


def new_database(path, template=None):
    """A new, empty database for a test, from the path the test would give a SQLite file: the
    path itself on SQLite (`template`, a closed database, is copied there first); on PostgreSQL
    a database created on PARLEY_TEST_PG's server (from `template` when given), as the
    connection string that names it."""
    if not POSTGRES:
        if template is not None:
            assert not os.path.exists(template + "-wal") or os.path.getsize(template + "-wal") == 0, \
                "template still has a WAL"
            shutil.copyfile(template, path)
        return path
    stem = re.sub(r"[^a-z0-9]+", "_", os.path.splitext(os.path.basename(path))[0].lower())[:20]
    name = f"t{os.getpid()}_{next(_numbers)}_{stem}"
    source = f" TEMPLATE {database_name(template)}" if template is not None else ""
    _admin(f"CREATE DATABASE {name}{source}")
    _made.append(name)
    return pg_conninfo(name)


def is_database(db):
    """Whether `db` is a database new_database made (always, on SQLite: a path is one)."""
    return not POSTGRES or "dbname=" in db or db.startswith(("postgresql://", "postgres://"))


def database_name(db):
    """The PostgreSQL database a connection string made by new_database names."""
    m = re.search(r"dbname=(\S+)$", db) or re.search(r"/([^/?]+)(\?|$)", db)
    return m.group(1)


def drop_database(db):
    """Removes a database made by new_database: the file (and its -wal, -shm) or the
    PostgreSQL database."""
    if not POSTGRES:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        return
    name = database_name(db)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if name in _made:
        _made.remove(name)


def drop_all():
    """Drops what new_database created in this process (at the end of a pytest session)."""
    while POSTGRES and _made:
        drop_database(pg_conninfo(_made[-1]))


def sql(db, query):
    """The rows of `query` as text, one a line, columns joined by `|` (sqlite3 and psql -At
    print them alike); on PostgreSQL parley's schema comes first on the search path."""
    if POSTGRES:
        return _psql(db, query + ";\n", timeout=60).stdout.strip()
    r = subprocess.run(["sqlite3", db, query], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def rows(db, query):
    """The rows of `query` as dicts, values typed as JSON types them (integers, text, None)."""
    if POSTGRES:
        out = _psql(db, f"SELECT row_to_json(q) FROM ({query}) q;\n", timeout=60).stdout
        return [json.loads(line) for line in out.splitlines()]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def dump(db):
    """Every row of every parley table, in the same text on both stores: one line a row, the
    table's name then the row as JSON (keys sorted), lines sorted. Empty for a database with no
    parley tables yet. For comparing a database with itself before and after something."""
    lines = []
    if POSTGRES:
        out = _psql(db, "SELECT format('SELECT %L || chr(9) || row_to_json(t)::text FROM %I.%I t', "
                        "tablename, schemaname, tablename) FROM pg_tables "
                        f"WHERE schemaname = '{PG_SCHEMA}' AND tablename <> 'schema_version' \\gexec\n",
                    timeout=60).stdout
        for line in out.splitlines():
            table, _, row = line.partition("\t")
            lines.append(table + "\t" + json.dumps(json.loads(row), sort_keys=True, ensure_ascii=False))
    elif os.path.exists(db):
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
        try:
            tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'grdb%'")]
            for table in tables:
                cur = con.execute(f'SELECT * FROM "{table}"')
                names = [d[0] for d in cur.description]
                for r in cur.fetchall():
                    lines.append(table + "\t" + json.dumps(dict(zip(names, r)), sort_keys=True, ensure_ascii=False))
        finally:
            con.close()
    return "\n".join(sorted(lines)) + "\n" if lines else ""


def skip_sqlite_only(items):
    """For pytest_collection_modifyitems: on PostgreSQL, marks each test marked
    `sqlite_only(reason=...)` to be skipped with that reason."""
    import pytest
    for item in items if POSTGRES else []:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None and not any(m.name == "skip" for m in item.iter_markers()):
            reason = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "")
            item.add_marker(pytest.mark.skip(reason="SQLite only: " + reason))


SQLITE_ONLY_MARKER = ("sqlite_only(reason): a test about SQLite files by nature (paths, file modes, -wal "
                      "files, integrity_check); skipped, with its reason, when PARLEY_TEST_STORE=postgres")


def tables(db):
    """The names of parley's tables in the database, sorted."""
    if POSTGRES:
        return sql(db, f"SELECT tablename FROM pg_tables WHERE schemaname = '{PG_SCHEMA}' "
                       "AND tablename <> 'schema_version' ORDER BY tablename").split()
    return sql(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
                   "AND name NOT LIKE 'grdb%' ORDER BY name").split()


def integrity(db):
    """SQLite's integrity_check of the file ("ok" when whole). PostgreSQL keeps its own files
    whole whatever its clients do: there is nothing of parley's to check, and the answer is "ok"."""
    return "ok" if POSTGRES else sql(db, "PRAGMA integrity_check")


def run(db, *args, stdin=None, env=None, timeout=120, cwd=None):
    """Runs parley once (on `db` unless it is None); fails the test if parley died from a signal.
    Text in and out, unless `stdin` is bytes."""
    argv = [BIN] + (["--db", db] if db else []) + list(args)
    r = subprocess.run(argv, input=stdin, capture_output=True, env={**ENV, **(env or {})}, timeout=timeout,
                       text=not isinstance(stdin, bytes), cwd=cwd)
    assert 0 <= r.returncode < 128, f"parley died ({r.returncode}) on {args!r}: {r.stderr[-3000:]!r}"
    return r


def ok(db, *args, **kw):
    """`run` that must succeed."""
    r = run(db, *args, **kw)
    assert r.returncode == 0, (args, r.stderr)
    return r


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


def word(s):
    """`s` as one word of a parley command: bare when it can be, else quoted."""
    return s if re.fullmatch(r"[A-Za-z0-9@._/+-]+", s) else quote(s)


class Org:
    """An organisation as the parley script that makes it. Each method adds lines and returns the
    organisation, so a suite writes only how its organisation differs from the standard one."""

    def __init__(self, admin=ADMIN, name="Ada Admin", sandbox=True):
        self.lines = [f"init {admin} --name {word(name)}" + (" --sandbox" if sandbox else "")]

    def line(self, command):
        """Any other command, as written."""
        self.lines.append(command)
        return self

    def user(self, email, name, password_file=None):
        pw = f" --password-file {word(str(password_file))}" if password_file else ""
        return self.line(f"user add {email} --name {word(name)}{pw}")

    def channel(self, handle, display_name=None):
        shown = f" --display-name {word(display_name)}" if display_name else ""
        return self.line(f"channel add twitter --handle {handle}{shown}")

    def grant(self, handle, email, role):
        return self.line(f"channel grant {handle} {email} {role}")

    def inbound(self, handle, sender, text):
        """A customer's message: a new conversation, numbered in order from 1."""
        return self.line(f"conversation inbound {handle} --from {sender} {word(text)}")

    @property
    def script(self):
        return "\n".join(self.lines) + "\n"

    def build(self, db, env=None):
        """Runs the script on `db` and returns the database: `db` is one new_database made, or the
        path a new one is made from (new_database). The script goes in as UTF-8 bytes whatever
        the locale, so any text a suite puts in reaches parley as written."""
        if not is_database(db):
            db = new_database(db)
        ok(db, stdin=self.script.encode(), env=env)
        return db


def sandbox_org(help_desk="Acme Help", password_file=None):
    """The standard sandbox organisation: admin ada (Ada Admin); vic, a viewer, and cora, a
    contributor, on @acme_help (display name `help_desk`); conversation 1 there, from @carol.
    `password_file` gives vic a password to log in with."""
    return (Org()
            .user("vic@acme.example", "Vic", password_file=password_file)
            .user("cora@acme.example", "Cora")
            .channel("@acme_help", help_desk)
            .grant("@acme_help", "vic@acme.example", "viewer")
            .grant("@acme_help", "cora@acme.example", "contributor")
            .inbound("@acme_help", "@carol", "My order is late"))
