"""What the Python suites (Tests/e2e, Tests/terminal, Tests/reliability) share: how to run the built
`parley` binary, and the organisations they start from, written as parley scripts.

    org = sandbox_org().channel("@acme_news", "Acme News")   # the standard one, and a bit more
    org.build(db)                                             # runs its script on a new database

Each suite puts this folder on sys.path (its conftest.py, or the test file) and imports
`parley_org`; the name is unique, so the suites' own `conftest` modules do not shadow it."""

import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PARLEY_BIN", os.path.join(ROOT, ".build", "debug", "parley"))
# Fast password hashing; no database, history file or X setting inherited from the caller's shell.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PARLEY_DB", "PARLEY_HISTORY") and not k.startswith("PARLEY_X_")}
ENV["PARLEY_KDF_ROUNDS"] = "1024"

ADMIN = "ada@acme.example"


def run(db, *args, stdin=None, env=None, timeout=120, cwd=None):
    """Runs parley once (on `db` unless it is None); fails the test if parley died from a signal.
    Text in and out, unless `stdin` is bytes."""
    argv = [BIN] + (["--db", db] if db else []) + list(args)
    r = subprocess.run(argv, input=stdin, capture_output=True, env={**ENV, **(env or {})}, timeout=timeout,
                       text=not isinstance(stdin, bytes), cwd=cwd)
    assert 0 <= r.returncode < 128, f"parley died ({r.returncode}) on {args!r}: {r.stderr[-3000:]!r}"
    return r


def ok(db, *args, **kw):
    """`run` that must succeed."""
    r = run(db, *args, **kw)
    assert r.returncode == 0, (args, r.stderr)
    return r


def quote(s):
    """Quotes a word the way parley's tokenizer reads it back (Tokenizer.quote)."""
    out = '"'
    for ch in s:
        if ch in '"\\$`':
            out += "\\" + ch
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        else:
            out += ch
    return out + '"'


def word(s):
    """`s` as one word of a parley command: bare when it can be, else quoted."""
    return s if re.fullmatch(r"[A-Za-z0-9@._/+-]+", s) else quote(s)


class Org:
    """An organisation as the parley script that makes it. Each method adds lines and returns the
    organisation, so a suite writes only how its organisation differs from the standard one."""

    def __init__(self, admin=ADMIN, name="Ada Admin", sandbox=True):
        self.lines = [f"init {admin} --name {word(name)}" + (" --sandbox" if sandbox else "")]

    def line(self, command):
        """Any other command, as written."""
        self.lines.append(command)
        return self

    def user(self, email, name, password_file=None):
        pw = f" --password-file {word(str(password_file))}" if password_file else ""
        return self.line(f"user add {email} --name {word(name)}{pw}")

    def channel(self, handle, display_name=None):
        shown = f" --display-name {word(display_name)}" if display_name else ""
        return self.line(f"channel add twitter --handle {handle}{shown}")

    def grant(self, handle, email, role):
        return self.line(f"channel grant {handle} {email} {role}")

    def inbound(self, handle, sender, text):
        """A customer's message: a new conversation, numbered in order from 1."""
        return self.line(f"conversation inbound {handle} --from {sender} {word(text)}")

    @property
    def script(self):
        return "\n".join(self.lines) + "\n"

    def build(self, db, env=None):
        """Runs the script on `db` (a new database) and returns `db`. The script goes in as UTF-8
        bytes whatever the locale, so any text a suite puts in reaches parley as written."""
        ok(db, stdin=self.script.encode(), env=env)
        return db


def sandbox_org(help_desk="Acme Help", password_file=None):
    """The standard sandbox organisation: admin ada (Ada Admin); vic, a viewer, and cora, a
    contributor, on @acme_help (display name `help_desk`); conversation 1 there, from @carol.
    `password_file` gives vic a password to log in with."""
    return (Org()
            .user("vic@acme.example", "Vic", password_file=password_file)
            .user("cora@acme.example", "Cora")
            .channel("@acme_help", help_desk)
            .grant("@acme_help", "vic@acme.example", "viewer")
            .grant("@acme_help", "cora@acme.example", "contributor")
            .inbound("@acme_help", "@carol", "My order is late"))
