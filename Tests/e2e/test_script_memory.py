"""A script is streamed: nothing parley keeps per command grows with the script's length."""

import os
import subprocess
import time

from conftest import BIN, ENV

# Long lines make any per-command leftover (a kept line, an output buffer) easy to see: 20,000 of
# them are 20 MB, against the few MB a run may vary by.
PADDING = "x" * 1000


def max_rss_mb(db, tmp_path, commands):
    """Runs a script of `commands` commands read from standard input; returns the peak RSS in MB."""
    path = tmp_path / f"script-{commands}.parley"
    with open(path, "w") as f:
        for k in range(commands):
            f.write(f"whoami # {k} {PADDING}\n" if k % 2 else f"clock # {k} {PADDING}\n")
    with open(path, "rb") as stdin:
        p = subprocess.Popen([BIN, "--db", db, "--as", "ada@acme.example", "-f", "-"], stdin=stdin,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, err[-2000:]
    return usage.ru_maxrss / 1024


def test_peak_memory_does_not_grow_with_the_script(parley, sandbox, tmp_path):
    started = time.monotonic()
    short = max_rss_mb(parley.db, tmp_path, 2_000)
    long = max_rss_mb(parley.db, tmp_path, 20_000)
    # Ten times the commands: the peak may move by a few MB, not by the 18 MB of lines between them.
    assert long - short < 6, (short, long)
    assert time.monotonic() - started < 60
