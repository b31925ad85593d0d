"""parley on PostgreSQL with many writers, and under faults: the built binary, several at once, on one
database.

The suite runs on the cluster named by PARLEY_TEST_PG (scripts/test starts one), else on a throwaway
cluster it starts itself with scripts/pg-cluster and removes at exit, even after a failure. Each test
gets a database of its own (CREATE DATABASE). Tests that restart the server or change how it
authenticates get a second throwaway cluster of their own, so they never disturb the shared one.
Without PostgreSQL the suite fails, saying what is missing: it never skips."""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from parley_org import BIN, ENV, ROOT, Org, run  # noqa: E402,F401  (re-exported to the tests)

PG_BIN = os.environ.get("PARLEY_PG_BIN", "/usr/lib/postgresql/15/bin")
PG_CLUSTER = os.path.join(ROOT, "scripts", "pg-cluster")
PSQL = shutil.which("psql") or os.path.join(PG_BIN, "psql")


def conninfo_with(conninfo, **changes):
    """`conninfo` (libpq's keyword=value form) with keywords set or replaced."""
    pairs = dict(re.findall(r"(\w+)=(\S+)", conninfo))
    pairs.update({k: v for k, v in changes.items() if v is not None})
    return " ".join(f"{k}={v}" for k, v in pairs.items())


class Cluster:
    """A PostgreSQL cluster reachable at `conninfo` (keyword form; `host` is its socket folder)."""

    def __init__(self, conninfo, folder=None):
        self.conninfo = conninfo
        self.folder = folder  # set when this suite started it (and may restart it)
        self.host = dict(re.findall(r"(\w+)=(\S+)", conninfo)).get("host", "")

    @staticmethod
    def start():
        missing = [p for p in (os.path.join(PG_BIN, "initdb"), os.path.join(PG_BIN, "pg_ctl")) if not os.access(p, os.X_OK)]
        if missing or not os.access(PSQL, os.X_OK):
            pytest.fail("Tests/postgres needs PostgreSQL 15 (the server in " + PG_BIN + " and psql): "
                        "run scripts/setup --test as root, or set PARLEY_TEST_PG to a cluster's connection string",
                        pytrace=False)
        folder = tempfile.mkdtemp(prefix="parley-pgt.", dir="/tmp")
        atexit.register(Cluster.stop_folder, folder)
        r = subprocess.run([PG_CLUSTER, "start", folder], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            Cluster.stop_folder(folder)
            pytest.fail("scripts/pg-cluster start failed: " + r.stderr[-2000:], pytrace=False)
        return Cluster(r.stdout.strip().splitlines()[-1], folder)

    @staticmethod
    def stop_folder(folder):
        if os.path.isdir(folder):
            subprocess.run([PG_CLUSTER, "stop", folder], capture_output=True, timeout=120)

    def stop(self):
        if self.folder:
            Cluster.stop_folder(self.folder)

    def psql(self, sql, db=None, check=True):
        """Runs `sql` with psql as the cluster's superuser; returns the rows, `|`-separated."""
        target = conninfo_with(self.conninfo, dbname=db) if db else self.conninfo
        r = subprocess.run([PSQL, target, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if check:
            assert r.returncode == 0, f"psql failed on {sql!r}: {r.stderr}"
        return [line for line in r.stdout.splitlines() if line != ""]

    def as_owner(self, *argv):
        """Runs a server program as the cluster's owner (postgres when this process is root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        return subprocess.run(prefix + list(argv), capture_output=True, text=True, timeout=120)

    def pg_ctl(self, action, *args):
        """pg_ctl ACTION on this cluster, waiting until it is done. The server it starts logs to
        server.log and keeps the options it was first started with (its socket folder)."""
        assert self.folder, "only a cluster this suite started may be restarted or stopped"
        log = os.path.join(self.folder, "server.log")
        extra = ["-l", log] if action in ("start", "restart") else []
        if action == "start":  # restart reuses the options of the last start; start needs them again
            extra += ["-o", f"-c listen_addresses='' -c unix_socket_directories='{self.folder}' -c fsync=off "
                            "-c synchronous_commit=off -c full_page_writes=off"]
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        # Not a pipe: the server it starts would hold it open.
        with open(os.path.join(self.folder, "pg_ctl.out"), "w+") as out:
            r = subprocess.run(prefix + [os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(self.folder, "data"),
                                         action, "-w", "-t", "60", *extra, *args],
                               stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120)
            out.seek(0)
            assert r.returncode == 0, out.read()

    def new_database(self):
        name = "t_" + uuid.uuid4().hex[:16]
        self.psql(f"CREATE DATABASE {name}")
        return Database(self, name)


class Database:
    """One database of a cluster: its connection string for parley, and psql on it."""

    def __init__(self, cluster, name):
        self.cluster = cluster
        self.name = name
        self.db = conninfo_with(cluster.conninfo, dbname=name)

    def sql(self, query):
        return self.cluster.psql(query, db=self.name)

    def value(self, query):
        rows = self.sql(query)
        return rows[0] if rows else None

    def count(self, query):
        return int(self.value(query))

    def drop(self):
        self.cluster.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", check=False)

    # parley on this database
    def run(self, *args, **kw):
        return run(self.db, *args, **kw)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.returncode == 0, (args, r.stderr[-3000:])
        return r

    def popen(self, *args, env=None, stdin=subprocess.DEVNULL):
        """parley started in the background; read its output with `communicate` (or `finish` when
        it prints more than a pipe holds while nobody reads)."""
        return subprocess.Popen([BIN, "--db", self.db, *args], stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**ENV, **(env or {})})

    def spawn(self, *args, env=None, stdin=subprocess.DEVNULL):
        """parley started in the background with its output going to files: `finish(p)` waits and
        returns (stdout, stderr)."""
        out, err = tempfile.TemporaryFile(mode="w+"), tempfile.TemporaryFile(mode="w+")
        p = subprocess.Popen([BIN, "--db", self.db, *args], stdin=stdin, stdout=out, stderr=err,
                             text=True, env={**ENV, **(env or {})})
        p.outputs = (out, err)
        return p

    @staticmethod
    def finish(p, timeout=300):
        try:
            p.wait(timeout=timeout)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        texts = []
        for f in p.outputs:
            f.seek(0)
            texts.append(f.read())
            f.close()
        return tuple(texts)


@pytest.fixture(scope="session")
def cluster():
    given = os.environ.get("PARLEY_TEST_PG", "").strip()
    if given:
        yield Cluster(given)
        return
    started = Cluster.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def own_cluster():
    """A cluster of this suite's own, for tests that restart the server or change its pg_hba.conf."""
    started = Cluster.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def pg(cluster):
    database = cluster.new_database()
    yield database
    database.drop()


@pytest.fixture
def own_pg(own_cluster):
    database = own_cluster.new_database()
    yield database
    database.drop()


def race(procs_and_scripts, settle=0.3, timeout=300):
    """Starts every (database, args, script) parley at once, each reading its script from standard
    input, and releases the scripts together once every process has connected and is waiting for
    its first line: the commands then reach the server within a millisecond of each other.
    Returns the finished processes' (returncode, stdout, stderr), in order."""
    procs = [database.spawn(*args, stdin=subprocess.PIPE) for database, args, _ in procs_and_scripts]
    time.sleep(settle)
    for p, (_, _, script) in zip(procs, procs_and_scripts):
        p.stdin.write(script)
        p.stdin.flush()
    for p in procs:
        p.stdin.close()
    out = []
    for p in procs:
        stdout, stderr = Database.finish(p, timeout=timeout)
        out.append((p.returncode, stdout, stderr))
    return out


# -- the fake X API (Tests/fakex) -----------------------------------------------------------------

import json  # noqa: E402
import urllib.request  # noqa: E402

FAKE_X = os.path.join(ROOT, "Tests", "fakex", "fake_x.py")


class FakeX:
    """The fake X API server in a subprocess on 127.0.0.1 (see Tests/fakex/README.md)."""

    def __init__(self):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, FAKE_X], stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), "the fake X API did not start: " + line
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    def control(self, what, body=None):
        req = urllib.request.Request(self.base + "/_control/" + what, data=json.dumps(body or {}).encode(),
                                     method="POST" if what != "state" else "GET")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def fault(self, kind, path="/2/", count=1, **extra):
        return self.control("fault", {"kind": kind, "path": path, "count": count, **extra})

    def env(self):
        return {"PARLEY_X_CLIENT_ID": "parley-test-client", "PARLEY_X_API_BASE": self.base,
                "PARLEY_X_AUTH_URL": self.base + "/i/oauth2/authorize", "PARLEY_X_CALLBACK_PORT": str(free_port()),
                "PARLEY_X_BACKOFF": "0.05", "PARLEY_X_TIMEOUT": "10", "XDG_CONFIG_HOME": "/nonexistent"}

    def connect(self, database, admin):
        """`channel add twitter` as `admin`, authorized through the fake's browser page."""
        p = database.popen("--as", admin, "-c", "channel add twitter", env=self.env())
        seen = []
        while True:
            line = p.stdout.readline()
            assert line, "parley printed no URL: " + "".join(seen) + p.stderr.read()
            seen.append(line)
            if line.strip().startswith("http"):
                break
        with urllib.request.urlopen(line.strip(), timeout=30) as r:
            assert "parley is connected" in r.read().decode()
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        return "".join(seen) + out

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def fakex():
    server = FakeX()
    yield server
    violations = server.control("state")["violations"]
    server.stop()
    assert violations == [], violations
