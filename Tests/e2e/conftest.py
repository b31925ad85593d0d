import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import parley_org  # noqa: E402
from parley_org import (BIN, ENV, POSTGRES, ROOT, Org, dump, integrity, new_database, rows,  # noqa: E402,F401
                        run, sandbox_org, sql, tables)  # (re-exported to the tests)


def pytest_configure(config):
    config.addinivalue_line("markers", parley_org.SQLITE_ONLY_MARKER)


def pytest_collection_modifyitems(items):
    parley_org.skip_sqlite_only(items)


def pytest_sessionfinish(session):
    parley_org.drop_all()


class Parley:
    def __init__(self, db):
        self.db = db

    def __call__(self, *args, stdin=None, env=None, db=True):
        return run(self.db if db else None, *args, stdin=stdin, env=env)

    def dump(self):
        """Every row of the database, the same text on both stores (parley_org.dump)."""
        return dump(self.db)


@pytest.fixture
def parley(tmp_path):
    return Parley(new_database(str(tmp_path / "p.db")))


@pytest.fixture
def sandbox(parley):
    """`parley`, its database holding the standard sandbox organisation (parley_org.sandbox_org)."""
    sandbox_org().build(parley.db)
    return parley


# -- the fake X API ------------------------------------------------------------------------------

import json as _json
import socket
import tempfile
import urllib.request

FAKE_X = os.path.join(ROOT, "Tests", "fakex", "fake_x.py")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FakeX:
    """The fake X API server (Tests/fakex/fake_x.py) in a subprocess on 127.0.0.1."""

    def __init__(self):
        # Its stderr goes to a file: a pipe nobody reads would stall the server once full.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([sys.executable, FAKE_X], stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.wait(timeout=10)
            self.log.seek(0)
            raise AssertionError("the fake X API did not start: " + line + self.log.read()[-2000:])
        self.port = int(line.split()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.outputs = []  # every stdout/stderr parley printed while this server ran

    def control(self, what, body=None):
        req = urllib.request.Request(self.base + "/_control/" + what, data=_json.dumps(body or {}).encode(),
                                     method="POST" if what != "state" else "GET")
        with urllib.request.urlopen(req, timeout=30) as r:
            return _json.loads(r.read())

    def state(self):
        return self.control("state")

    def fault(self, kind, path="/2/", count=1, **extra):
        return self.control("fault", {"kind": kind, "path": path, "count": count, **extra})

    def env(self, callback_port=None, **extra):
        return {"PARLEY_X_CLIENT_ID": "parley-test-client", "PARLEY_X_API_BASE": self.base,
                "PARLEY_X_AUTH_URL": self.base + "/i/oauth2/authorize",
                "PARLEY_X_OAUTH1_AUTH_URL": self.base + "/oauth/authorize",
                "PARLEY_X_CONSUMER_KEY": "ck-test", "PARLEY_X_CONSUMER_SECRET": "cs-test",
                "PARLEY_X_CALLBACK_PORT": str(callback_port or free_port()),
                "PARLEY_X_BACKOFF": "0.05", "PARLEY_X_TIMEOUT": "2", "PARLEY_X_AUTH_TIMEOUT": "20",
                "XDG_CONFIG_HOME": "/nonexistent", **{k: str(v) for k, v in extra.items()}}

    def assert_clean(self):
        """Nothing parley sent or was sent broke the OpenAPI document, and no token leaked."""
        st = self.state()
        assert st["violations"] == [], st["violations"]
        for token in st["issued_tokens"]:
            for text in self.outputs:
                assert token not in text, "a token was printed"

    def stop(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def fakex_server():
    server = FakeX()
    yield server
    server.stop()


@pytest.fixture
def fakex(fakex_server):
    fakex_server.control("reset")
    fakex_server.outputs = []
    yield fakex_server
    fakex_server.assert_clean()
