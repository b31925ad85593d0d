"""README, "One organisation, many machines": its commands run against the test PostgreSQL server
(PARLEY_TEST_PG, which scripts/test starts), with the example's host and users replaced by the
server's, and its systemd unit's ExecStart runs with the unit's environment."""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BIN, ENV

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def section():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    start = text.index("## One organisation, many machines")
    return text[start:text.index("\n## ", start + 3)]


def server():
    conninfo = os.environ.get("PARLEY_TEST_PG")
    if not conninfo:
        pytest.fail("PARLEY_TEST_PG is not set: run scripts/test, which starts a PostgreSQL server for the tests")
    return re.search(r"host=(\S+)", conninfo).group(1)


def localised(line, socket_dir, dbname):
    """The README's line aimed at the test server: its socket folder for db.example.com, its
    superuser for the example's users, and a database of this test's own."""
    line = line.replace("postgresql://parley_sync@db.example.com/acme_parley",
                        f"postgresql://postgres@/{dbname}?host={socket_dir}")
    line = line.replace("-h db.example.com", f"-h {socket_dir}").replace("acme_parley", dbname)
    return line.replace("parley ", f"{BIN} ", 1) if line.startswith("parley ") else line


def test_the_readme_commands_create_and_use_an_organisation_on_postgresql(tmp_path):
    socket_dir = server()
    dbname = f"readme_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    blocks = re.findall(r"```sh\n(.*?)```", section(), re.S)
    assert len(blocks) == 2
    file_db = tmp_path / "parley.db"
    subprocess.run([BIN, "--db", str(file_db), "-c", "demo"], check=True, capture_output=True, env=ENV)
    first = [localised(l, socket_dir, dbname) for l in blocks[0].splitlines() if l.strip()]
    copy = [localised(l, socket_dir, dbname + "_copy").replace("~/.local/share/parley/parley.db", str(file_db))
            for l in blocks[1].splitlines() if l.strip()]
    script = "set -e\n" + "\n".join(first) + "\n"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "created organisation with admin ada@acme.example" in r.stdout
    assert re.search(r"email\s+ada@acme\.example", r.stdout)
    script = "set -e\n" + first[0].replace(dbname, dbname + "_copy") + "\n" + first[1].replace(dbname, dbname + "_copy") \
        + "\n" + "\n".join(copy) + "\n"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "every row compared equal" in r.stdout


def test_the_systemd_unit_runs_the_sync_until_sigterm(tmp_path):
    socket_dir = server()
    dbname = f"unit_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    unit = re.search(r"```ini\n(.*?)```", section(), re.S).group(1)
    environment = dict(re.findall(r"^Environment=(\w+)=(.*)$", unit, re.M))
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    assert exec_start[0] == "/usr/local/bin/parley" and exec_start[1:] == ["sync", "--every", "5m"]
    subprocess.run(["createdb", "-h", socket_dir, "-U", "postgres", dbname], check=True)
    env = {**ENV, **{k: localised(v, socket_dir, dbname) for k, v in environment.items()}}
    subprocess.run([BIN, "-c", "init ada@acme.example --name Ada --sandbox"], check=True, capture_output=True, env=env)
    service = subprocess.Popen([BIN] + exec_start[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    time.sleep(1.5)
    assert service.poll() is None, service.stderr.read()
    service.send_signal(signal.SIGTERM)
    out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
