"""Ctrl-C stops what runs and cancels what asks: a script between two commands (saying how far it
got), a `source` at the prompt (the shell stays), `channel add twitter` waiting for the browser or
at its paste prompt (nothing sent to X, nothing stored), and password prompts (nothing changed)."""

import os
import signal
import socket
import subprocess
import time

import pexpect

from conftest import BIN, ENV, sandbox_org
from test_x_channel import db_rows, requests, setup_org


def long_script(tmp_path, n=20000):
    path = tmp_path / "long.parley"
    path.write_text("".join(f"conversation tag 1 t{i}\n" for i in range(n)))
    return str(path)


def org(parley):
    """The standard organisation, ada a supervisor on @acme_help so that she may tag conversation 1."""
    sandbox_org().grant("@acme_help", "ada@acme.example", "supervisor").build(parley.db)


def spawn(parley, tmp_path, *args, env=None):
    e = {**ENV, "PARLEY_HISTORY": str(tmp_path / "hist"), "TERM": "xterm", **(env or {})}
    return pexpect.spawn(BIN, ["--db", parley.db, *args], env=e, encoding="utf-8", timeout=30, dimensions=(40, 300))


def test_ctrl_c_stops_a_script_between_commands(parley, tmp_path):
    org(parley)
    script = long_script(tmp_path)
    p = subprocess.Popen([BIN, "--db", parley.db, "--as", "ada@acme.example", "-f", script],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    line = err.strip()
    assert line.startswith(f"{script}: interrupted after ") and line.endswith(" of 20,000 commands"), err
    done = int(line.split("interrupted after ")[1].split(" of")[0].replace(",", ""))
    assert 0 < done < 20000
    # Each command was whole: exactly the tags of the commands that ran (plus none half-made).
    tags = db_rows(parley, "SELECT count(*) AS n FROM conversation_tags WHERE conversation_id = 1")[0]["n"]
    assert tags in (done, done + 1)


def test_ctrl_c_stops_a_source_and_the_prompt_comes_back(parley, tmp_path):
    org(parley)
    script = long_script(tmp_path)
    child = spawn(parley, tmp_path, "--as", "ada@acme.example")
    try:
        child.expect_exact("admin)> ")
        child.sendline(f"source {script}")
        time.sleep(1.5)
        child.sendintr()
        child.expect(r"interrupted after [\d,]+ of 20,000 commands")
        child.expect_exact("admin)> ")
        child.sendline("begin")
        child.expect_exact("admin)*> ")
        child.sendline("rollback")
        child.expect_exact("admin)> ")
        child.sendline("whoami")
        child.expect(r"email\s+ada@acme\.example")
        assert child.isalive()
    finally:
        child.close(force=True)


def test_ctrl_c_at_init_password_prompt_creates_nothing(parley, tmp_path):
    child = spawn(parley, tmp_path)
    try:
        child.expect("no organisation yet")
        child.expect_exact("parley> ")
        child.sendline("init ada@acme.example --name Ada --sandbox --password")
        child.expect_exact("New password for ada@acme.example: ")
        child.sendintr()
        child.expect_exact("init cancelled: nothing changed")
        child.sendline("init ada@acme.example --name Ada --sandbox --password")
        child.expect_exact("New password for ada@acme.example: ")
        child.sendline("correct horse battery")
        child.expect_exact("Same password again: ")
        child.sendcontrol("c")
        child.expect_exact("init cancelled: nothing changed")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    # No user (on PostgreSQL, no parley tables even: nothing was ever written).
    assert not [line for line in parley.dump().splitlines() if line.startswith("users\t")]


def test_ctrl_c_at_login_cancels_it(parley, tmp_path):
    org(parley)
    child = spawn(parley, tmp_path)
    try:
        child.expect_exact("parley> ")
        child.sendline("login ada@acme.example")
        child.expect_exact("Password for ada@acme.example: ")
        child.sendintr()
        child.expect_exact("login cancelled: nothing changed")
        child.expect_exact("parley> ")
    finally:
        child.close(force=True)


def test_a_pasted_walkthrough_is_not_read_as_a_password(parley, tmp_path):
    child = spawn(parley, tmp_path)
    try:
        child.expect_exact("parley> ")
        child.send("init ada@acme.example --name Ada --sandbox\ruser add vic@acme.example --name Vic\rwhoami\r")
        child.expect(r"email\s+ada@acme\.example")
    finally:
        child.close(force=True)
    assert db_rows(parley, "SELECT email FROM users ORDER BY email") == [{"email": "ada@acme.example"},
                                                                        {"email": "vic@acme.example"}]


def blocked_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def test_channel_add_twitter_is_cancelled_by_ctrl_c_an_empty_line_or_cancel(parley, fakex, tmp_path):
    setup_org(parley, fakex)
    for how in ("ctrl-c", "", "cancel"):
        blocker = blocked_port()  # the callback port is taken: parley asks for the paste
        env = fakex.env(callback_port=blocker.getsockname()[1])
        child = spawn(parley, tmp_path, "--as", "ada@acme.example", env=env)
        try:
            child.expect_exact("admin)> ")
            child.sendline("channel add twitter")
            child.expect_exact("paste the redirect URL")
            child.expect_exact("cancel` stops):")
            if how == "ctrl-c":
                child.sendintr()
            else:
                child.sendline(how)
            child.expect_exact("authorization cancelled: nothing was sent to X and nothing stored")
            child.expect_exact("admin)> ")
            fakex.outputs.append(child.before or "")
        finally:
            child.close(force=True)
            blocker.close()
    assert requests(fakex, "/oauth2/token") == []
    assert db_rows(parley, "SELECT count(*) AS n FROM channels")[0]["n"] == 0


def test_waiting_for_the_browser_stops_at_ctrl_c(parley, fakex, tmp_path):
    setup_org(parley, fakex)
    child = spawn(parley, tmp_path, "--as", "ada@acme.example", env=fakex.env())
    try:
        child.expect_exact("admin)> ")
        child.sendline("channel add twitter")
        child.expect_exact("Waiting for the browser")
        started = time.monotonic()
        child.sendintr()
        child.expect_exact("authorization cancelled")
        assert time.monotonic() - started < 5
    finally:
        child.close(force=True)
    assert requests(fakex, "/oauth2/token") == []
