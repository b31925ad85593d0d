"""The README's walkthrough is a test: its command blocks run as a script and pasted at a terminal,
and every line of its `text` blocks must appear in what parley printed (`…` stands for any text).
The README cannot drift from what parley does."""

import io
import os
import re
import subprocess

import pexpect

from conftest import BIN, ENV, new_database

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def walkthrough():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    part = text[text.index("## Walkthrough"):text.index("## The shell")]
    blocks = re.findall(r"```(\w*)\n(.*?)```", part, re.S)
    commands = [line for lang, body in blocks if lang == "" for line in body.splitlines() if line.strip()]
    expected = [line for lang, body in blocks if lang == "text" for line in body.splitlines() if line.strip()]
    return commands, expected


def missing(expected, printed):
    flat = [" ".join(l.split()) for l in printed.splitlines()]
    out = []
    for line in expected:
        rx = re.compile(".*".join(re.escape(p) for p in " ".join(line.split()).split("…")))
        if not any(rx.fullmatch(l) or rx.search(l) for l in flat):
            out.append(line)
    return out


def test_the_walkthrough_blocks_exist():
    commands, expected = walkthrough()
    assert len(commands) >= 25 and commands[0].startswith("init ")
    assert any("refused" in e for e in expected)


def test_the_walkthrough_runs_as_a_script(tmp_path):
    commands, expected = walkthrough()
    script = tmp_path / "walkthrough.parley"
    script.write_text("\n".join(commands) + "\n")
    r = subprocess.run([BIN, "--db", new_database(str(tmp_path / "training.db")), "--on-error", "continue", "-f", str(script)],
                       capture_output=True, text=True, env=ENV, timeout=120)
    errors = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(errors) == 1, r.stderr  # the one refusal the README announces
    assert "conversation reply 1 refused" in errors[0]
    assert missing(expected, r.stdout + r.stderr) == []


def test_the_walkthrough_pasted_at_a_terminal(tmp_path):
    commands, expected = walkthrough()
    env = {**ENV, "PARLEY_HISTORY": str(tmp_path / "hist"), "TERM": "xterm", "HOME": str(tmp_path)}
    child = pexpect.spawn(BIN, ["--db", new_database(str(tmp_path / "training.db"))], env=env, encoding="utf-8", timeout=60,
                          dimensions=(50, 250))
    child.logfile_read = io.StringIO()
    try:
        child.expect("no organisation yet")
        child.expect_exact("parley> ")
        # One paste: every line at once, as a terminal delivers a pasted block.
        child.send("\r".join(commands) + "\r")
        child.expect(r"resolve reason\s+No reply from customer")
        child.expect_exact("admin)> ")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    printed = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue()).replace("\r", "")
    assert "not logged in" not in printed
    assert printed.count("error:") == 1, printed  # the refused reply, and nothing else
    assert missing(expected, printed) == []
