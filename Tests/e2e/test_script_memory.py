"""A script is streamed: nothing parley keeps per command grows with the script's length."""

import os
import subprocess
import time

from conftest import BIN, ENV

# Long lines make any per-command leftover (a kept line, an output buffer) easy to see: 20,000 of
# them are 20 MB, against the few MB a run may vary by.
PADDING = "x" * 1000
TIME = "/usr/bin/time"  # scripts/setup --test installs it


def max_rss_mb(db, tmp_path, commands):
    """Runs a script of `commands` commands read from standard input; returns parley's peak RSS
    in MB, as /usr/bin/time reads it. (The rusage `wait4` gives would count this Python process's
    memory, which the child is forked from, as the child's: a parley peaking lower than pytest
    would look flat whatever it did.)"""
    path = tmp_path / f"script-{commands}.parley"
    with open(path, "w") as f:
        for k in range(commands):
            f.write(f"whoami # {k} {PADDING}\n" if k % 2 else f"clock # {k} {PADDING}\n")
    rss = tmp_path / f"rss-{commands}"
    with open(path, "rb") as stdin:
        p = subprocess.run([TIME, "-f", "%M", "-o", str(rss), BIN, "--db", db, "--as", "ada@acme.example", "-f", "-"],
                           stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    assert p.returncode == 0, p.stderr[-2000:]
    return int(rss.read_text().split()[-1]) / 1024


def test_peak_memory_does_not_grow_with_the_script(parley, sandbox, tmp_path):
    started = time.monotonic()
    short = max_rss_mb(parley.db, tmp_path, 2_000)
    long = max_rss_mb(parley.db, tmp_path, 20_000)
    # Ten times the commands: the peak may move by a few MB, not by the 18 MB of lines between them.
    assert long - short < 6, (short, long)
    # At most 30 MB on SQLite; on PostgreSQL libpq and the TLS and Kerberos libraries it loads add
    # about 15 MB, flat too.
    assert long < (45 if os.environ.get("PARLEY_TEST_STORE") == "postgres" else 30), long
    assert time.monotonic() - started < 60
