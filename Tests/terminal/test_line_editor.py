"""Line editor tests under a real pty, against the demo driver.

    swift build                             # builds .build/debug/parley-line-demo
    python3 -m unittest discover -s Tests/terminal -v

LE_DEMO=path/to/demo overrides the executable.
"""

import os
import re
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pty_session import PtySession  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.environ.get("LE_DEMO", os.path.join(ROOT, ".build", "debug", "parley-line-demo"))
PROMPT = r"demo> "


class LineEditorTests(unittest.TestCase):
    def setUp(self):
        # Never skipped: a driver that does not build must fail the run, not hide 30 tests.
        self.assertTrue(os.access(DEMO, os.X_OK), f"build it first: swift build ({DEMO})")
        self.tmp = tempfile.mkdtemp(prefix="le-test-")
        self.history = os.path.join(self.tmp, "data", "parley", "history")
        self.sessions = []

    def tearDown(self):
        for s in self.sessions:
            s.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, cols=80, rows=24, env=None, argv=None):
        e = {"LE_HISTORY": self.history, "LANG": "C.UTF-8", "LC_ALL": "", "TERM": "xterm"}
        e.update(env or {})
        s = PtySession.spawn(argv or [DEMO], env=e, cols=cols, rows=rows)
        self.sessions.append(s)
        s.expect(PROMPT)
        return s

    def run_line(self, s, text):
        s.send(text)
        s.send_key("enter")
        m = s.expect(r"got: (.*?) \[chars=(\d+) scalars=(\d+)\]")
        s.expect(PROMPT)
        return m.group(1), int(m.group(2))

    # -- completion --------------------------------------------------------------

    def test_tab_completes_unique_prefix_with_space(self):
        s = self.start()
        s.send("conv")
        s.send_key("tab")
        s.expect_screen(r"^demo> conversation $")
        self.assertEqual(s.cursor()[1], len("demo> conversation "))
        s.send("x")
        s.send_key("enter")
        s.expect(r"got: conversation x \[")

    def test_tab_completes_name_with_spaces_quoted(self):
        s = self.start()
        s.send("team \"Ac")
        s.send_key("tab")
        s.expect_screen(r'^demo> team "Acme Support" $')
        s.send_key("enter")
        s.expect(r'got: team "Acme Support"  \[')

    def test_first_tab_inserts_common_prefix_second_lists(self):
        s = self.start()
        s.send("ch")
        s.send_key("tab")
        s.expect_screen(r"^demo> cha$")
        s.settle(0.2)
        self.assertNotIn("channels", s.screen())
        s.send_key("tab")
        s.expect_screen(r"^channel\s+channels\s+chat\n^demo> cha$")
        # The line is still being edited.
        s.send("t")
        s.send_key("enter")
        s.expect(r"got: chat \[")

    def test_tab_with_nothing_to_add_beeps_then_lists(self):
        s = self.start()
        s.send("cha")
        s.send_key("tab")
        s.settle(0.3)
        self.assertGreaterEqual(s.screen_model.bells, 1)
        self.assertEqual(s.current_line(), "demo> cha")
        s.send_key("tab")
        s.expect_screen(r"^channel\s+channels\s+chat\n^demo> cha$")

    def test_tabs_separated_by_a_key_do_not_list(self):
        s = self.start()
        s.send("cha")
        s.send_key("tab")
        s.send("n")
        s.send_key("backspace")
        s.send_key("tab")
        s.settle(0.3)
        self.assertNotIn("channels", s.screen())

    def test_listing_fits_terminal_width(self):
        s = self.start(cols=40, rows=30)
        s.send("item")
        s.send_key("tab")
        s.send_key("tab")
        s.expect_screen(r"^demo> item$", timeout=5)
        lines = s.screen_lines()
        listed = set()
        for line in lines:
            self.assertLessEqual(len(line), 40, line)
            listed.update(re.findall(r"item\d+", line))
        self.assertEqual(listed, {f"item{i}" for i in range(40)})
        # Column-major: item0 item8 ... on the first row.
        first = next(l for l in lines if l.startswith("item0 "))
        self.assertGreater(len(first.split()), 1)

    def test_listing_below_wrapped_line_keeps_list_and_line(self):
        s = self.start(cols=30, rows=20)
        long = "x" * 40 + " ch"
        s.send(long)
        s.send_key("tab")
        s.send_key("tab")
        s.expect_screen(r"^channel\s+channels\s+chat$")
        s.settle(0.3)
        screen = s.screen()
        # The whole line is redrawn below the list, wrapped at 30 columns.
        after = screen.split("chat", 1)[1]
        self.assertIn("demo> " + "x" * 24, after)
        self.assertIn("x" * 16 + " cha", after)
        s.send_key("enter")
        s.expect(r"got: x{40} cha \[")

    def test_completion_cursor_in_middle_of_utf8_line(self):
        s = self.start()
        s.send("日本 conv 🎉")
        s.send_key("left", 2)
        s.send_key("tab")
        s.send_key("enter")
        m = s.expect(r"got: (.*?) \[")
        self.assertEqual(m.group(1), "日本 conversation 🎉")  # a blank already follows

    # -- Ctrl-C / Ctrl-D ---------------------------------------------------------------

    def test_ctrl_c_cancels_line_and_prompt_returns(self):
        s = self.start()
        s.send("some half typed")
        s.send_key("ctrl-c")
        s.expect(r"\[interrupted\]")
        s.expect(PROMPT)
        self.assertTrue(s.is_alive())
        self.assertIn("demo> some half typed^C", s.screen())
        self.assertEqual(self.run_line(s, "next"), ("next", 4))
        # Not added to the history.
        s.send("!history")
        s.send_key("enter")
        s.expect(PROMPT)
        self.assertNotIn("half typed", s.output_since(0).split("!history", 1)[1])

    def test_ctrl_c_on_wrapped_line_continues_below_it(self):
        s = self.start(cols=30)
        s.send("y" * 70)
        s.send_key("home")
        s.send_key("ctrl-c")
        s.expect(r"\[interrupted\]")
        s.expect(PROMPT)
        s.settle(0.2)
        lines = [l for l in s.screen_lines() if l]
        self.assertEqual(lines[-3:], ["y" * 16 + "^C", "[interrupted]", "demo> "])

    def test_ctrl_c_during_reverse_search(self):
        s = self.start()
        self.run_line(s, "alpha one")
        s.send_key("ctrl-r")
        s.send("alp")
        s.send_key("ctrl-c")
        s.expect(r"\[interrupted\]")
        s.expect(PROMPT)
        self.assertEqual(self.run_line(s, "ok"), ("ok", 2))

    def test_ctrl_d_on_empty_line_is_end_of_file(self):
        s = self.start()
        s.send_key("ctrl-d")
        s.expect(r"\[eof\]")
        self.assertEqual(s.wait_exit(), 0)

    def test_ctrl_d_on_text_deletes_not_exits(self):
        s = self.start()
        s.send("abc")
        s.send_key("left", 2)
        s.send_key("ctrl-d")
        s.send_key("enter")
        s.expect(r"got: ac \[")

    # -- UTF-8 -------------------------------------------------------------------------

    def test_utf8_backspace_over_wide_and_emoji(self):
        s = self.start()
        s.send("é日本🎉x")
        s.send_key("backspace", 2)  # x, 🎉
        s.expect_screen(r"^demo> é日本$")
        s.send_key("backspace")  # 本
        s.send("z")
        s.send_key("enter")
        m = s.expect(r"got: (.*?) \[chars=(\d+)")
        self.assertEqual((m.group(1), m.group(2)), ("é日z", "3"))

    def test_utf8_cursor_motion_and_insert(self):
        s = self.start()
        s.send("日本🎉")
        s.send_key("left", 2)
        s.send("é")
        s.send_key("ctrl-a")
        s.send("<")
        s.send_key("ctrl-e")
        s.send(">")
        s.expect_screen(r"^demo> <日é本🎉>$")
        s.send_key("enter")
        s.expect(r"got: <日é本🎉> \[chars=6")

    def test_utf8_with_non_utf8_environment_locale(self):
        s = self.start(env={"LANG": "C", "LC_ALL": "C"})
        s.send("日本é")
        s.send_key("backspace")
        s.send_key("enter")
        s.expect(r"got: 日本 \[chars=2")

    def edit_after_combining_mark(self, env=None):
        s = self.start(env=env)
        s.send("whoami cafe\u0301 abc end")
        s.send_key("left", 4)
        s.send_key("backspace")
        # e + U+0301 became é: the screen and the line agree, the cursor is after "ab".
        s.expect_screen(r"^demo> whoami café ab end$")
        self.assertEqual(s.cursor()[1], len("demo> whoami café ab"))
        s.send_key("enter")
        m = s.expect(r"got: (.*?) \[chars=(\d+) scalars=(\d+)\]")
        self.assertEqual(m.groups(), ("whoami caf\u00e9 ab end", "18", "18"))

    def test_combining_mark_composes_and_later_edits_stay_in_place(self):
        self.edit_after_combining_mark()

    def test_combining_mark_with_environment_locale_unset(self):
        self.edit_after_combining_mark(env={"LANG": "", "LC_ALL": "", "LC_CTYPE": ""})

    def test_combining_mark_typed_inside_the_line(self):
        s = self.start()
        s.send("naive x")
        s.send_key("left", 4)
        s.send("\u0308")  # combining diaeresis after the i
        s.expect_screen(r"^demo> naïve x$")
        self.assertEqual(s.cursor()[1], len("demo> naï"))
        s.send_key("enter")
        s.expect("got: na\u00efve x \\[chars=7 scalars=7\\]")

    def test_cjk_backspace_keeps_screen_and_line_in_step(self):
        for env in (None, {"LANG": "", "LC_ALL": "", "LC_CTYPE": ""}):
            s = self.start(env=env)
            s.send("whoami 日本語 x")
            s.send_key("left", 2)
            s.send_key("backspace")
            s.expect_screen(r"^demo> whoami 日本 x$")
            self.assertEqual(s.cursor()[1], len("demo> whoami ") + 4)
            s.send_key("enter")
            s.expect(r"got: whoami 日本 x \[chars=11")

    # -- history -----------------------------------------------------------------------

    def test_history_persists_across_processes(self):
        s = self.start()
        self.run_line(s, "first entry")
        self.run_line(s, "second é entry")
        self.run_line(s, "second é entry")  # consecutive duplicate
        s.send_key("ctrl-d")
        s.wait_exit()
        st = os.stat(self.history)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.history)).st_mode), 0o700)

        s2 = self.start()
        s2.send_key("up")
        s2.expect_screen(r"^demo> second é entry$")
        s2.send_key("up")
        s2.expect_screen(r"^demo> first entry$")
        s2.send_key("ctrl-u")
        s2.send("!history")
        s2.send_key("enter")
        s2.expect(r"h1: first entry\s+h2: second é entry\s+h3: !history\s")

    def test_second_process_sees_lines_of_a_running_one(self):
        a = self.start()
        self.run_line(a, "from process a")
        b = self.start()
        b.send_key("up")
        b.expect_screen(r"^demo> from process a$")
        b.send_key("ctrl-u")
        self.run_line(b, "from process b")
        self.run_line(a, "a again")
        a.send_key("ctrl-d")
        a.wait_exit()
        b.send("!save")
        b.send_key("enter")
        b.expect("saved")
        b.send_key("ctrl-d")
        b.wait_exit()
        c = self.start()
        c.send("!history")
        c.send_key("enter")
        c.expect(r"h1: from process a\s+h2: from process b\s+h3: a again\s+h4: !save\s+h5: !history")

    def test_history_limit(self):
        env = {"LE_HISTORY_LIMIT": "3"}
        s = self.start(env=env)
        for i in range(5):
            self.run_line(s, f"line {i}")
        s.send("!history")
        s.send_key("enter")
        s.expect(r"h1: line 3\s+h2: line 4\s+h3: !history\s")
        s.send_key("ctrl-d")
        s.wait_exit()
        s2 = self.start(env=env)
        s2.send("!history")
        s2.send_key("enter")
        s2.expect(r"h1: line 3\s+h2: line 4\s+h3: !history\s")

    def test_reverse_incremental_search(self):
        s = self.start()
        self.run_line(s, "alpha one")
        self.run_line(s, "beta two")
        self.run_line(s, "gamma three")
        s.send_key("ctrl-r")
        s.send("alp")
        s.expect_screen(r"alpha one")
        s.send_key("enter")
        s.expect(r"got: alpha one \[")

    def test_continuation_prompt(self):
        s = self.start()
        s.send("abc \\")
        s.send_key("enter")
        s.expect(r"\.\.\.> ")
        s.send("def")
        s.send_key("enter")
        s.expect(r"got: abc \r?\ndef \[")

    # -- terminal ------------------------------------------------------------------------

    def test_resize_then_edit_long_line(self):
        s = self.start(cols=40, rows=10)
        s.send("a" * 50)
        s.settle(0.2)
        s.resize(70, 10)
        s.settle(0.2)
        s.send("b" * 30)
        s.send_key("enter")
        m = s.expect(r"got: (a+b+) \[chars=(\d+)")
        self.assertEqual(m.group(2), "80")
        s.expect(PROMPT)
        s.send("c" * 65)
        s.expect_screen(r"^demo> c{64}$")  # one row at 70 columns: 6 + 64
        s.send_key("ctrl-u")
        s.send_key("ctrl-d")
        s.wait_exit()

    def test_secret_is_not_echoed_and_terminal_restored(self):
        s = self.start(argv=["sh", "-c", f"{DEMO}; stty -a"])
        s.send("!secret")
        s.send_key("enter")
        s.expect(r"Password: ")
        s.send("hunter2é")
        s.send_key("backspace")
        s.send_key("enter")
        s.expect(r"secret-length: 7 secret-sum: (\d+)")
        self.assertEqual(int(s.last_match.group(1)), sum(map(ord, "hunter2")))
        self.assertNotIn("hunter", s.screen())
        s.expect(PROMPT)
        # Ctrl-C while asking cancels and restores the terminal.
        s.send("!secret")
        s.send_key("enter")
        s.expect(r"Password: ")
        s.send("abc")
        s.send_key("ctrl-c")
        s.expect(r"\[secret cancelled\]")
        s.expect(PROMPT)
        self.assertEqual(self.run_line(s, "still here"), ("still here", 10))
        s.send_key("ctrl-d")
        m = s.expect(r"speed.*?\n.*?(-?icanon).*?(-?echo)\b", timeout=5)
        self.assertEqual(m.group(1), "icanon")
        self.assertEqual(m.group(2), "echo")
        self.assertNotIn("abc", s.screen())


if __name__ == "__main__":
    unittest.main()
