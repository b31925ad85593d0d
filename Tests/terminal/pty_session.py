"""Drive an interactive program under a pseudo-terminal and read its screen.

    from pty_session import PtySession

    s = PtySession.spawn(["parley"], env={"TERM": "xterm"}, cols=80, rows=24)
    s.expect(r"parley.*> ")
    s.send("user li")
    s.send_key("tab")
    s.expect_screen(r"user list")
    print(s.screen())
    s.send_key("ctrl-d")
    s.wait_exit()

The pty is pexpect's; the screen is a small built-in VT100/xterm emulator
(enough for line editors: cursor motion, erase, insert/delete, wrapping,
scrolling, wide characters), so no terminal library is needed. `expect`
matches the raw output stream (escape sequences included), `expect_screen`
matches the rendered screen.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from typing import Dict, List, Optional, Sequence

import pexpect

KEYS: Dict[str, str] = {
    "tab": "\t",
    "enter": "\r",
    "return": "\r",
    "esc": "\x1b",
    "escape": "\x1b",
    "backspace": "\x7f",
    "delete": "\x1b[3~",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
}
for _c in "abcdefghijklmnopqrstuvwxyz":
    KEYS["ctrl-" + _c] = chr(ord(_c) - ord("a") + 1)
KEYS["ctrl-space"] = "\x00"
KEYS["ctrl-backslash"] = "\x1c"


def char_width(ch: str) -> int:
    """Terminal cell width of one code point (0, 1 or 2)."""
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


class Screen:
    """A minimal terminal: rows x cols cells, cursor, deferred auto-wrap."""

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        self.cols, self.rows = cols, rows
        self.cells: List[List[str]] = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.wrap_pending = False
        self.bells = 0
        self.scrolled_off: List[str] = []  # lines that scrolled off the top
        self._esc = ""  # an escape sequence being collected

    # -- geometry ------------------------------------------------------------
    def resize(self, cols: int, rows: int) -> None:
        new = [[" "] * cols for _ in range(rows)]
        # Keep the bottom rows (as terminals do when shrinking).
        offset = max(0, self.rows - rows) if self.y >= rows else 0
        for r in range(min(rows, self.rows)):
            src = self.cells[r + offset] if r + offset < self.rows else [" "] * self.cols
            for c in range(min(cols, self.cols)):
                new[r][c] = src[c]
        self.cells, self.cols, self.rows = new, cols, rows
        self.y = min(self.y - offset, rows - 1)
        self.x = min(self.x, cols - 1)
        self.wrap_pending = False

    # -- text ----------------------------------------------------------------
    def text(self) -> str:
        return "\n".join(self.line(r) for r in range(self.rows))

    def line(self, r: int) -> str:
        """Row r without trailing blanks, except that on the cursor's row the
        blanks before the cursor are kept (so "> word $" matches after a
        completion added a space)."""
        row = self.cells[r]
        end = len(row)
        while end > 0 and row[end - 1] == " ":
            end -= 1
        if r == self.y and not self.wrap_pending:
            end = max(end, self.x)
        return "".join(c for c in row[:end] if c != "")

    def _scroll_up(self) -> None:
        self.scrolled_off.append("".join(c for c in self.cells[0] if c != "").rstrip())
        del self.cells[0]
        self.cells.append([" "] * self.cols)

    def _linefeed(self) -> None:
        if self.y == self.rows - 1:
            self._scroll_up()
        else:
            self.y += 1

    def _put(self, ch: str) -> None:
        w = char_width(ch)
        if w == 0:
            # Combining mark: attach to the previous cell.
            px = self.x - 1 if self.x > 0 else 0
            if self.wrap_pending:
                px = self.cols - 1
            while px > 0 and self.cells[self.y][px] == "":
                px -= 1
            self.cells[self.y][px] += ch
            return
        if self.wrap_pending or self.x + w > self.cols:
            self.x = 0
            self._linefeed()
            self.wrap_pending = False
        self.cells[self.y][self.x] = ch
        if w == 2 and self.x + 1 < self.cols:
            self.cells[self.y][self.x + 1] = ""  # right half of a wide character
        if self.x + w >= self.cols:
            self.x = self.cols - 1
            self.wrap_pending = True
        else:
            self.x += w

    # -- input ---------------------------------------------------------------
    def feed(self, data: str) -> None:
        for ch in data:
            if self._esc:
                self._escape(ch)
                continue
            if ch == "\x1b":
                self._esc = ch
            elif ch == "\r":
                self.x, self.wrap_pending = 0, False
            elif ch == "\n" or ch == "\x0b" or ch == "\x0c":
                self._linefeed()
                self.wrap_pending = False
            elif ch == "\b":
                if self.wrap_pending:
                    self.wrap_pending = False
                elif self.x > 0:
                    self.x -= 1
            elif ch == "\t":
                self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
            elif ch == "\a":
                self.bells += 1
            elif ord(ch) < 0x20 or ch == "\x7f":
                pass
            else:
                self._put(ch)

    def _escape(self, ch: str) -> None:
        seq = self._esc + ch
        if len(seq) == 2:
            if ch in "[]":
                self._esc = seq
                return
            if ch in "()#%":
                self._esc = seq  # one more byte follows
                return
            self._esc = ""
            if ch == "M":  # reverse index
                if self.y == 0:
                    self.cells.insert(0, [" "] * self.cols)
                    del self.cells[-1]
                else:
                    self.y -= 1
            elif ch == "D":
                self._linefeed()
            elif ch == "E":
                self.x = 0
                self._linefeed()
            elif ch == "c":
                self.__init__(self.cols, self.rows)
            return  # ESC =, ESC >, ESC 7/8 ... ignored
        if seq[1] in "()#%":
            self._esc = ""
            return
        if seq[1] == "]":  # OSC ... BEL or ST
            if ch == "\a" or seq.endswith("\x1b\\"):
                self._esc = ""
            else:
                self._esc = seq
            return
        # CSI
        if "\x40" <= ch <= "\x7e":
            self._esc = ""
            self._csi(seq[2:-1], ch)
        else:
            self._esc = seq

    def _csi(self, params: str, final: str) -> None:
        private = params.startswith("?") or params.startswith(">")
        nums = [int(p) if p.isdigit() else 0 for p in params.lstrip("?>").split(";")] if params else []
        n = nums[0] if nums and nums[0] > 0 else 1
        if private:
            return
        if final in "ABCDHfGdEF" or final in "JK":
            pass
        if final == "A":
            self.y = max(0, self.y - n)
        elif final == "B":
            self.y = min(self.rows - 1, self.y + n)
        elif final == "C":
            self.x = min(self.cols - 1, self.x + n)
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "E":
            self.x, self.y = 0, min(self.rows - 1, self.y + n)
        elif final == "F":
            self.x, self.y = 0, max(0, self.y - n)
        elif final in "Hf":
            row = nums[0] if len(nums) > 0 and nums[0] > 0 else 1
            col = nums[1] if len(nums) > 1 and nums[1] > 0 else 1
            self.y, self.x = min(self.rows, row) - 1, min(self.cols, col) - 1
        elif final == "G":
            self.x = min(self.cols, n) - 1
        elif final == "d":
            self.y = min(self.rows, n) - 1
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode == 0:
                self._erase_line(self.y, self.x, self.cols)
                for r in range(self.y + 1, self.rows):
                    self.cells[r] = [" "] * self.cols
            elif mode == 1:
                for r in range(0, self.y):
                    self.cells[r] = [" "] * self.cols
                self._erase_line(self.y, 0, self.x + 1)
            else:
                self.cells = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K":
            mode = nums[0] if nums else 0
            if mode == 0:
                self._erase_line(self.y, self.x, self.cols)
            elif mode == 1:
                self._erase_line(self.y, 0, self.x + 1)
            else:
                self._erase_line(self.y, 0, self.cols)
        elif final == "P":
            row = self.cells[self.y]
            del row[self.x:self.x + n]
            row.extend([" "] * (self.cols - len(row)))
        elif final == "@":
            row = self.cells[self.y]
            for _ in range(n):
                row.insert(self.x, " ")
            del row[self.cols:]
        elif final == "X":
            self._erase_line(self.y, self.x, min(self.cols, self.x + n))
        elif final == "L":
            for _ in range(n):
                self.cells.insert(self.y, [" "] * self.cols)
                del self.cells[self.rows]
        elif final == "M":
            for _ in range(n):
                del self.cells[self.y]
                self.cells.append([" "] * self.cols)
        elif final == "S":
            for _ in range(n):
                self._scroll_up()
        # m (colours), h/l (modes), r (scroll region), n (reports): ignored
        if final not in "m":
            self.wrap_pending = False if final not in "hlr" else self.wrap_pending

    def _erase_line(self, r: int, start: int, end: int) -> None:
        for c in range(max(0, start), min(self.cols, end)):
            self.cells[r][c] = " "


class PtySession:
    """One program under a pty of a given size."""

    def __init__(self, child: pexpect.spawn, cols: int, rows: int) -> None:
        self.child = child
        self.screen_model = Screen(cols, rows)
        self.stream = ""  # everything the program wrote
        self.pos = 0  # where the next expect() starts looking
        self.last_match: Optional[re.Match] = None

    @classmethod
    def spawn(cls, argv: Sequence[str], env: Optional[Dict[str, str]] = None,
              cols: int = 80, rows: int = 24, cwd: Optional[str] = None,
              inherit_env: bool = True) -> "PtySession":
        full_env = dict(os.environ) if inherit_env else {}
        full_env.setdefault("TERM", "xterm")
        full_env.setdefault("LANG", "C.UTF-8")
        if env:
            full_env.update(env)
        child = pexpect.spawn(argv[0], list(argv[1:]), env=full_env, cwd=cwd,
                              dimensions=(rows, cols), encoding="utf-8",
                              codec_errors="replace", echo=False)
        return cls(child, cols, rows)

    # -- output ----------------------------------------------------------------
    def pump(self, timeout: float = 0.05) -> bool:
        """Read whatever is available (waiting up to `timeout` for the first
        byte). Returns False once the program has closed the pty."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                data = self.child.read_nonblocking(size=65536, timeout=remaining)
            except pexpect.TIMEOUT:
                return True
            except pexpect.EOF:
                return False
            self.stream += data
            self.screen_model.feed(data)
            deadline = time.monotonic() + 0.02  # gather a burst

    def expect(self, pattern: str, timeout: float = 5.0) -> re.Match:
        """Wait until the output since the previous match matches `pattern`."""
        rx = re.compile(pattern, re.S)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.stream, self.pos)
            if m:
                self.pos = m.end()
                self.last_match = m
                return m
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"timeout waiting for {pattern!r}\n--- output since last match ---\n"
                    f"{self.stream[self.pos:]!r}\n--- screen ---\n{self.screen()}")
            if not self.pump(min(0.1, max(0.0, deadline - time.monotonic()))):
                m = rx.search(self.stream, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise AssertionError(
                    f"program exited waiting for {pattern!r}\n--- output ---\n"
                    f"{self.stream[self.pos:]!r}\n--- screen ---\n{self.screen()}")

    def expect_screen(self, pattern: str, timeout: float = 5.0) -> re.Match:
        """Wait until the rendered screen matches `pattern`."""
        rx = re.compile(pattern, re.S | re.M)
        deadline = time.monotonic() + timeout
        while True:
            self.pump(0.05)
            m = rx.search(self.screen())
            if m:
                return m
            if time.monotonic() >= deadline:
                raise AssertionError(f"timeout waiting for screen {pattern!r}\n--- screen ---\n{self.screen()}")

    def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Read until the program has been silent for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = len(self.stream)
            if not self.pump(quiet) or len(self.stream) == before:
                return

    def screen(self) -> str:
        """The screen's text, one line per row, trailing blanks removed."""
        return self.screen_model.text()

    def screen_lines(self) -> List[str]:
        return [self.screen_model.line(r) for r in range(self.screen_model.rows)]

    def cursor(self) -> tuple:
        """(row, column), both from 0."""
        return (self.screen_model.y, self.screen_model.x)

    def current_line(self) -> str:
        """The screen row the cursor is on."""
        return self.screen_model.line(self.screen_model.y)

    def output_since(self, index: int) -> str:
        return self.stream[index:]

    # -- input -----------------------------------------------------------------
    def send(self, text: str) -> None:
        self.child.send(text)

    def send_key(self, key: str, times: int = 1) -> None:
        seq = KEYS.get(key.lower())
        if seq is None:
            raise KeyError(f"unknown key {key!r}; known: {', '.join(sorted(KEYS))}")
        for _ in range(times):
            self.child.send(seq)

    def sendline(self, text: str = "") -> None:
        self.child.send(text + "\r")

    def resize(self, cols: int, rows: int) -> None:
        """Change the pty size (the program gets SIGWINCH)."""
        self.pump(0.05)
        self.screen_model.resize(cols, rows)
        self.child.setwinsize(rows, cols)

    # -- life ------------------------------------------------------------------
    def is_alive(self) -> bool:
        return self.child.isalive()

    def wait_exit(self, timeout: float = 5.0) -> int:
        """Wait for the program to exit; returns its exit status (or -signal)."""
        deadline = time.monotonic() + timeout
        while self.child.isalive():
            if not self.pump(0.05) and not self.child.isalive():
                break
            if time.monotonic() >= deadline:
                raise AssertionError(f"program still running\n--- screen ---\n{self.screen()}")
        self.pump(0.05)
        self.child.close()
        if self.child.signalstatus is not None:
            return -self.child.signalstatus
        return self.child.exitstatus if self.child.exitstatus is not None else 0

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()

    def __enter__(self) -> "PtySession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def spawn(argv: Sequence[str], env: Optional[Dict[str, str]] = None,
          cols: int = 80, rows: int = 24, cwd: Optional[str] = None) -> PtySession:
    return PtySession.spawn(argv, env=env, cols=cols, rows=rows, cwd=cwd)
