"""The parley shell at a real terminal (a pseudo-terminal): typing, Tab, Ctrl-C, Ctrl-D,
history, login. Runs the built binary ($PARLEY_BIN, else .build/debug/parley)."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from parley_org import BIN, sandbox_org  # noqa: E402
from pty_session import PtySession  # noqa: E402

ADMIN_PROMPT = r"parley\(ada@acme\.example admin\)> "


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """A sandbox organisation with a channel whose display name has blanks."""
    d = tmp_path_factory.mktemp("org")
    db = str(d / "org.db")
    pw = d / "pw"
    pw.write_text("correct horse battery\n")
    # The standard organisation; vic, who can log in, also sees @acme_news; nobody has @secret_ops.
    (sandbox_org(help_desk="Acme Help Desk", password_file=pw)
     .channel("@acme_news", "Acme News")
     .channel("@secret_ops", "Secret Ops")
     .grant("@acme_news", "vic@acme.example", "viewer")
     .build(db))
    return db


@pytest.fixture
def term(org, tmp_path):
    sessions = []
    db = str(tmp_path / "t.db")
    shutil.copy(org, db)
    history = str(tmp_path / "data" / "history")

    def start(*args, cols=100, rows=30, env=None):
        e = {"PARLEY_HISTORY": history, "PARLEY_KDF_ROUNDS": "1024", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
        e.update(env or {})
        s = PtySession.spawn([BIN, "--db", db, *args], env=e, cols=cols, rows=rows, cwd=str(tmp_path))
        sessions.append(s)
        return s

    start.history = history
    yield start
    for s in sessions:
        s.close()


def test_tab_completes_a_command_word_and_a_subcommand(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("conv")
    s.send_key("tab")
    s.expect_screen(r"> conversation\s*$")
    s.send("li")
    s.send_key("tab")
    s.expect_screen(r"> conversation list\s*$")
    s.send("--qu")
    s.send_key("tab")
    s.expect_screen(r"> conversation list --queue\s*$")
    s.send("pe")
    s.send_key("tab")
    s.expect_screen(r"> conversation list --queue pending\s*$")
    # The completed word is followed by a blank: the cursor sits after it.
    assert s.cursor()[1] == len("parley(ada@acme.example admin)> conversation list --queue pending ")


def test_double_tab_lists_the_candidates_in_columns(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("channel ")
    s.send_key("tab", 2)
    m = s.expect_screen(r"access\s+add\s+edit\s+grant\s+list\s+remove\s+revoke\s+show")
    assert m
    # The line is redrawn under the list, as typed.
    s.expect_screen(r"access.*\n.*> channel\s*$")


def test_completing_a_display_name_with_blanks_inserts_it_quoted(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("channel show Acme H")
    # Unquoted "Acme H" is two words; start the name quoted instead.
    s.send_key("ctrl-u")
    s.send('channel show "Acme H')
    s.send_key("tab")
    s.expect_screen(r'> channel show "Acme Help Desk"\s*$')
    s.sendline("")
    s.expect(r"display name\s+Acme Help Desk")


def test_a_viewer_is_offered_only_their_channels(term):
    s = term("--as", "vic@acme.example")
    s.expect(r"parley\(vic@acme\.example agent\)> ")
    s.send("channel show @")
    s.send_key("tab", 2)
    s.expect_screen(r"@acme_help\s+@acme_news")
    assert "secret_ops" not in s.screen()
    assert "Secret Ops" not in s.screen()


def test_ctrl_c_clears_the_line_and_the_shell_still_answers(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("user list --this-is-abandoned")
    s.send_key("ctrl-c")
    s.expect(ADMIN_PROMPT)
    s.sendline("whoami")
    s.expect(r"email\s+ada@acme\.example")
    assert s.is_alive()


def test_history_survives_a_restart_and_never_holds_the_password(term):
    s = term()
    s.expect(r"parley> ")
    s.sendline("login vic@acme.example")
    s.expect(r"Password for vic@acme\.example: ")
    s.send("correct horse battery\r")
    s.expect(r"parley\(vic@acme\.example agent\)> ")
    s.sendline("conversation list")
    s.expect(r"@carol")
    s.send_key("ctrl-d")
    assert s.wait_exit() == 0
    with open(term.history) as f:
        saved = f.read().replace("\\040", " ")
    assert "conversation list" in saved
    assert "correct horse" not in saved
    assert stat.S_IMODE(os.stat(term.history).st_mode) == 0o600
    # A new session finds the line with Up.
    s2 = term("--as", "ada@acme.example")
    s2.expect(ADMIN_PROMPT)
    s2.send_key("up")
    s2.expect_screen(r"> conversation list$")
    s2.send_key("ctrl-u")
    s2.sendline("history")
    s2.expect(r"conversation list")


def test_login_does_not_echo_the_password_and_a_wrong_one_says_nothing_more(term):
    s = term()
    s.expect(r"parley> ")
    s.sendline("login vic@acme.example")
    s.expect(r"Password for vic@acme\.example: ")
    s.send("wrong-password-123\r")
    s.expect(r"login failed: wrong email or password")
    assert "wrong-password-123" not in s.screen()
    s.expect(r"parley> ")
    s.sendline("login nobody@acme.example")
    s.expect(r"Password for nobody@acme\.example: ")
    s.send("whatever-it-is\r")
    s.expect(r"login failed: wrong email or password")


def test_the_trainer_story(term):
    """Admin logs in as a viewer, is refused a reply with the reason, logs out back to admin."""
    s = term()
    s.expect(r"parley> ")
    s.sendline("login ada@acme.example --password-file /dev/null")
    s.expect(r"error: .*password")
    s2 = term("--as", "ada@acme.example")
    s2.expect(ADMIN_PROMPT)
    s2.sendline("login vic@acme.example")
    s2.expect(r"logged in as vic@acme\.example .*logout. returns to ada@acme\.example")
    s2.expect(r"parley\(vic@acme\.example agent, by ada@acme\.example\)> ")
    s2.sendline("conversation reply 1 Hello there")
    s2.expect(r"refused: no — vic@acme\.example is viewer on @acme_help .*reply needs contributor")
    s2.sendline("logout")
    s2.expect(r"back to ada@acme\.example")
    s2.expect(ADMIN_PROMPT)


def test_continuation_prompt_for_an_open_quote_and_a_backslash(term):
    s = term("--as", "cora@acme.example")
    s.expect(r"parley\(cora@acme\.example agent\)> ")
    s.sendline('conversation note 1 "first line')
    s.expect(r"\.\.\.> ")
    s.sendline('second line"')
    s.expect(r"note added to conversation 1")
    s.sendline("user list \\")
    s.expect(r"\.\.\.> ")
    s.sendline("")
    s.expect(r"EMAIL\s+NAME")


def test_ctrl_d_exits_with_status_zero_and_no_escape_codes_without_a_terminal(term, org, tmp_path):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send_key("ctrl-d")
    assert s.wait_exit() == 0
    db = str(tmp_path / "pipe.db")
    shutil.copy(org, db)
    r = subprocess.run([BIN, "--db", db, "--as", "ada@acme.example"], input="whoami\nhelp\n", text=True, capture_output=True)
    assert r.returncode == 0
    assert "\x1b" not in r.stdout and "parley(" not in r.stdout


def test_utf8_is_edited_by_character(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("team add 日本é🙂x")
    s.send_key("backspace")
    s.send_key("backspace")
    s.sendline("")
    s.expect(r"added team 日本é")


def test_the_completion_list_shows_control_and_bidi_characters_escaped(term, tmp_path):
    import sqlite3
    # Tags are offered to those with a role on the conversation's channel: cora works @acme_help.
    s = term("--as", "cora@acme.example")
    s.expect(r"parley\(cora@acme\.example agent\)> ")
    # Tags as another program (or an older parley) could have stored them: typing refuses controls.
    db = sqlite3.connect(str(tmp_path / "t.db"))
    db.execute("INSERT INTO conversation_tags (conversation_id, tag) VALUES (1, ?)", ("vip\x1b]0;PWNED\x07",))
    db.execute("INSERT INTO conversation_tags (conversation_id, tag) VALUES (1, ?)", ("vip\u202eok",))
    db.commit()
    db.close()
    start = len(s.stream)
    s.send("conversation list --tag vip")
    s.send_key("tab", 2)
    s.expect_screen(r"vip\\u\{1b\}\]0;PWNED\\u\{7\}\s+vip\\u\{202e\}ok")
    shown = s.output_since(start)
    assert "\x1b]0;" not in shown and "\u202e" not in shown, repr(shown)


def test_a_note_typed_at_the_prompt_is_stored_as_typed(term, tmp_path):
    s = term("--as", "vic@acme.example")
    prompt = r"parley\(vic@acme\.example agent\)> "
    s.expect(prompt)
    # The apostrophe opens no quote (no "...>" prompt), `;` runs no second command, `#` starts no comment.
    s.sendline("conversation note 1 order #123 is lost; don't")
    s.expect(r"note added to conversation 1")
    s.expect(prompt)
    s.send_key("ctrl-d")
    s.wait_exit()
    r = subprocess.run([BIN, "--db", str(tmp_path / "t.db"), "--as", "vic@acme.example", "--json", "-c",
                        "conversation show 1"], capture_output=True, text=True,
                       env={**os.environ, "PARLEY_KDF_ROUNDS": "1024"})
    assert r.returncode == 0, r.stderr
    assert [n["text"] for n in json.loads(r.stdout)["notes"]] == ["order #123 is lost; don't"]


def test_a_combining_mark_composes_so_later_edits_land_where_shown(term):
    s = term("--as", "ada@acme.example", env={"LANG": "", "LC_ALL": "", "LC_CTYPE": ""})
    s.expect(ADMIN_PROMPT)
    s.send("whoami cafe\u0301 abc end")
    s.send_key("left", 4)
    s.send_key("backspace")
    s.expect_screen(r"> whoami café ab end$")
    assert s.cursor()[1] == len("parley(ada@acme.example admin)> whoami café ab")
    s.send_key("enter")
    s.expect(r"too many arguments \('café' 'ab' 'end'\)")


def test_editing_after_wide_characters_keeps_screen_and_line_in_step(term):
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("whoami 日本語 x")
    s.send_key("left", 2)
    s.send_key("backspace")
    s.expect_screen(r"> whoami 日本 x$")
    s.send_key("enter")
    s.expect(r"too many arguments \('日本' 'x'\)")


def test_tab_goes_on_into_a_folder_whose_name_has_blanks(term, tmp_path):
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "a.parley").write_text("whoami\n")
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("source di")
    s.send_key("tab")
    # The quote stays open and no blank follows: the next Tab completes inside the folder.
    s.expect_screen(r'> source "dir with space/$')
    s.send_key("tab")
    s.expect_screen(r'> source "dir with space/a\.parley" $')
    s.send_key("enter")
    s.expect(r"email\s+ada@acme\.example")


def test_tab_completes_a_home_path_with_blanks(term, tmp_path):
    (tmp_path / "my scripts").mkdir()
    (tmp_path / "my scripts" / "setup.parley").write_text("whoami\n")
    s = term("--as", "ada@acme.example")
    s.expect(ADMIN_PROMPT)
    s.send("source ~/my")
    s.send_key("tab")
    s.expect_screen(r'> source "~/my scripts/$')
    s.send("se")
    s.send_key("tab")
    s.expect_screen(r'> source "~/my scripts/setup\.parley" $')
    s.send_key("enter")
    s.expect(r"email\s+ada@acme\.example")
