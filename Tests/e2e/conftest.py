import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PARLEY_BIN", os.path.join(ROOT, ".build", "debug", "parley"))
ENV = {**os.environ, "PARLEY_KDF_ROUNDS": "1024"}


class Parley:
    def __init__(self, db):
        self.db = db

    def __call__(self, *args, stdin=None, env=None, db=True):
        argv = [BIN] + (["--db", self.db] if db else []) + list(args)
        r = subprocess.run(argv, input=stdin, capture_output=True, env={**ENV, **(env or {})}, timeout=120,
                           text=not isinstance(stdin, bytes))
        assert r.returncode >= 0 and r.returncode < 128, f"parley died: {r.returncode}"
        return r

    def dump(self):
        return subprocess.run(["sqlite3", self.db, ".dump"], capture_output=True, text=True).stdout


@pytest.fixture
def parley(tmp_path):
    return Parley(str(tmp_path / "p.db"))
