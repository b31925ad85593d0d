"""Seeded fuzzing of the binary through stdin with `--on-error continue`: real command names with
wrong arguments, mutated valid commands, random bytes, invalid UTF-8, control characters, huge
tokens (100 KB and more, some lines over parley's 1 MiB limit) and unbalanced quotes.

For every batch: parley exits by itself with 0 or 1 (never a signal, never a hang); every line
it writes on stderr is one `<stdin>:LINE: error: …` line; every case built to be wrong gets an
error at its own line; and on SQLite `PRAGMA integrity_check` is ok afterwards.

5,000 cases by default, 100,000 with PARLEY_TEST_LONG=1, in batches over several processes.
The seed is printed; PARLEY_FUZZ_SEED=N replays a run."""

import concurrent.futures
import os
import random
import re
import subprocess
import time

try:
    import regex   # grapheme clusters, as Swift's Characters
except ImportError:  # the generator makes no combining marks next to quotes: code points will do
    regex = None

from .conftest import (ADMIN, BIN, ENV, copy_db, drop_database, inbox_org, integrity, ok, run, seed_for, sized,
                       help_commands)

CASES = sized(5_000, 100_000)
BATCH = sized(1_250, 2_500)
ERROR_LINE = re.compile(rb"^<stdin>:(\d+): error: .+$")

# Commands the fuzzer leaves out: they end or change the session (so later cases would not run
# as the admin, or not at all), read files, or open transactions that swallow what follows.
SKIP = {"exit", "quit", "login", "logout", "init", "demo", "source", "set output", "set on-error",
        "set echo", "set output-file", "set timing", "set pager", "begin", "commit", "rollback"}

VALID = [
    "conversation list", "conversation list --queue new --limit 5", "conversation list --channel @acme_help --owner none",
    "conversation show 1", "conversation show 2", "conversation reply 1 thanks for waiting",
    "conversation reply 2 --dm \"a private answer\"", "conversation move 1 pending", "conversation move 2 resolved",
    "conversation move 3 new", "conversation assign 1 me", "conversation assign 2 cora@acme.example",
    "conversation unassign 1", "conversation tag 1 vip late", "conversation untag 1 vip", "conversation topic 1 Billing",
    "conversation untopic 1 Billing", "conversation note 1 call back tomorrow", "conversation note 2 \"quoted; note # here\"",
    "conversation inbound @acme_help --from @cust9 \"new message\"", "conversation inbound @acme_help --from @cust1 --dm hi",
    "channel list", "channel show @acme_help", "channel edit @acme_help --display-name \"Acme Help\"",
    "channel edit @acme_help --auto-resolve-new 2d --auto-resolve-pending off --resolve-reason quiet",
    "channel edit @acme_help --all-users on --all-users-role viewer", "channel edit @acme_help --all-teams off",
    "channel grant @acme_help vic@acme.example viewer", "channel revoke @acme_help vic@acme.example",
    "channel access @acme_help", "channel sync @acme_help", "channel add twitter --handle @fuzz_chan",
    "user list", "user show cora@acme.example", "user edit vic@acme.example --name Victor", "user add new@acme.example --name New",
    "user disable vic@acme.example", "user enable vic@acme.example", "user password vic@acme.example",
    "team list", "team add Support", "team show Support", "team rename Support Care", "team member add Support cora@acme.example contributor",
    "team member remove Support cora@acme.example", "team channel add Support @acme_help", "team channel remove Support @acme_help",
    "team remove Care", "topic add Billing", "topic list", "topic remove Billing", "report @acme_help", "report @acme_help --since 7d --by agent --format csv",
    "can cora@acme.example reply 1", "can me manage-settings", "who-can reply @acme_help", "audit --limit 5",
    "audit --user cora@acme.example --since 1d", "autoresolve preview --within 3d", "autoresolve run", "doctor", "clock",
    "clock advance 1h", "history 3", "whoami", "help conversation", "set echo off",
]
# Valid lines that end in unquoted free text: the rest of the line, whatever follows, is their text.
ENDS_IN_FREE_TEXT = {"conversation reply 1 thanks for waiting", "conversation note 1 call back tomorrow",
                     "conversation inbound @acme_help --from @cust1 --dm hi"}
BAD_VALUES = {
    "num": ["abc", "-1", "0", "1.5", "#", "1e3", "99999999999999999999999", "0x10", "１"],
    "channel": ["@no_such_chan", "@way_too_long_handle_x", "nochannel", '"@acme\\nhelp"'],
    "user": ["nobody@nowhere.example", "not-an-email", "@", '"no\\nbody@acme.example"', '"ada@acme.example\\n"'],
    "queue": ["limbo", "NEWW", "open"],
    "role": ["boss", "admin", "owner"],
    "duration": ["5x", "0s", "-1d", "1.5d", "d", "9999999999999d", "1\\n2d"],
    "ardur": ["31d", "30s", "0s", "5x", "720h1"],
    "action": ["fly", "delete", "manage"],
    "team": ["NoSuchTeam"],
    "topic": ["NoSuchTopic"],
}
WRONG = [
    ("conversation show {num}", "num"), ("conversation tag {num} x", "num"), ("conversation move 1 {queue}", "queue"),
    ("conversation move {num} new", "num"), ("conversation note {num} hello", "num"), ("conversation assign 1 {user}", "user"),
    ("channel show {channel}", "channel"), ("channel edit {channel} --display-name x", "channel"),
    ("channel edit @acme_help --auto-resolve-new {ardur}", "ardur"),
    ("channel edit @acme_help --auto-resolve-pending {ardur}", "ardur"), ('"zz\\nyy" {num}', "num"),
    ("channel grant @acme_help cora@acme.example {role}", "role"), ("team show {team}", "team"),
    ("user show {user}", "user"), ("user edit {user} --name x", "user"), ("report {channel}", "channel"),
    ("can {user} reply 1", "user"), ("can cora@acme.example {action} 1", "action"), ("who-can {action} @acme_help", "action"),
    ("audit --limit {num}", "num"), ("conversation list --queue {queue}", "queue"), ("clock advance {duration}", "duration"),
    ("topic remove {topic}", "topic"), ("team member add Support cora@acme.example {role}", "role"),
    ("autoresolve preview --within {duration}", "duration"), ("conversation list --limit {num}", "num"),
    ("conversation inbound {channel} --from @x hi", "channel"), ("channel access {channel}", "channel"),
]
BOUNDARY = ["0", "-1", "1", "2147483648", "9223372036854775807", "9223372036854775808", "99999999999", "999999999999",
            "999999999999d", "99999999999d", "106751991167d", "1s", "30d", "31d", "", "''", '""', "--", "-", "me", "none",
            "#1", "@", "@acme_help", "ADA@ACME.EXAMPLE", '"a\\nb"', '"tab\\there"', "\u00e9", "\U0001F642", "\u202e", "\\", ";", "&&", "|"]
DURATIONS = ["1s", "59s", "1m", "30d", "31d", "43200m", "999999999999d", "99999999999d", "106751991167d", "9999999999s",
             "153722867280912m", "2562047788015h"]
UNICODE = ["é", "中", "🙂", "Ω", "ß", "\u00a0", "\u2028", "\ufeff", "\U0001F600", "ｆｕｌｌ", "ﬁ", "𝔘"]
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]


def usages(names):
    out = ok(None, *sum((["-c", f"help {n}"] for n in names), [])).stdout
    return {m.group(1): m.group(0) for m in re.finditer(r"^usage: (.+?)(?: [A-Z\[<].*)?$", out, re.M)}


def incomplete(text):
    """Whether parley may ask for another line (open quote, trailing backslash): a port of
    Tokenizer.Scanner's state machine over grapheme clusters (Swift Characters). It does not know
    free text (the rest of a line as typed, where quotes open nothing), so it errs towards "may":
    a line ending in a backslash always counts, as free text would continue it."""
    if not any(q in text for q in ("\"", "'", "\\")):
        return False
    if text.rstrip(" \t\r").endswith("\\"):
        return True
    chars = regex.findall(r"\X", text) if regex else list(text)
    quote, in_word, i, n = None, False, 0, len(chars)
    while i < n:
        c = chars[i]
        if quote:
            if c == quote:
                quote = None
            elif quote == '"' and c == "\\" and i + 1 < n:
                i += 1
            i += 1
            continue
        if c in (" ", "\t", "\r", "\n", ";"):
            in_word = False
        elif c == "#" and not in_word and not (i + 1 < n and chars[i + 1] in "0123456789"):
            while i < n and chars[i] != "\n":
                i += 1
            continue
        elif c in ('"', "'"):
            quote, in_word = c, True
        elif c == "\\":
            if i + 1 >= n:
                return True
            i += 1
            in_word = True
        else:
            in_word = True
        i += 1
    return quote is not None


class Generator:
    def __init__(self, rng, names, required):
        self.rng = rng
        self.names = [n for n in names if n not in SKIP]
        self.required = required   # commands that take a required argument

    def token(self, lo=1, hi=12):
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-@.#:/"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(lo, hi)))

    def case(self):
        """(bytes without newline, known_bad, kind)."""
        r = self.rng.random()
        if r < 0.22:
            return self.wrong_args()
        if r < 0.50:
            return self.mutated()
        if r < 0.60:
            return self.random_bytes()
        if r < 0.66:
            return self.unknown_command()
        if r < 0.70:
            return self.huge_token()
        if r < 0.80:
            return self.control_chars()
        if r < 0.88:
            return self.missing_args()
        if r < 0.93:
            return self.unknown_option()
        if r < 0.96:
            return self.duration()
        return self.valid()

    def duration(self):
        template = self.rng.choice(["clock advance {}", "report @acme_help --since {}", "audit --since {}",
                                    "autoresolve preview --within {}", "channel edit @acme_help --auto-resolve-new {}",
                                    "channel edit @acme_help --auto-resolve-pending {}"])
        return template.format(self.rng.choice(DURATIONS)).encode(), False, "duration"

    def valid(self):
        return self.rng.choice(VALID).encode(), False, "valid"

    def wrong_args(self):
        template, kind = self.rng.choice(WRONG)
        return template.replace("{" + kind + "}", self.rng.choice(BAD_VALUES[kind])).encode(), True, "wrong-args"

    def missing_args(self):
        return self.rng.choice(self.required).encode(), True, "missing-args"

    def unknown_option(self):
        # Not after unquoted free text: there `--zz…` is part of the text, as typed.
        base = self.rng.choice([v for v in VALID if v not in ENDS_IN_FREE_TEXT])
        return f"{base} --zz{self.token(1, 6).replace('#', '')}".encode(), True, "unknown-option"

    def unknown_command(self):
        while True:
            w = self.token(1, 20)
            first = w.lower()
            if not first.startswith("#") and not any(n.split()[0] == first for n in self.names + list(SKIP)):
                return (w + " " + self.token()).encode(), True, "unknown-command"

    def mutated(self):
        words = self.rng.choice(VALID).split(" ")
        for _ in range(self.rng.randint(1, 3)):
            op = self.rng.random()
            i = self.rng.randrange(len(words))
            if op < 0.2 and len(words) > 1:
                del words[i]
            elif op < 0.35:
                words.insert(i, words[i])
            elif op < 0.5:
                j = self.rng.randrange(len(words))
                words[i], words[j] = words[j], words[i]
            elif op < 0.75:
                durations = [k for k, w in enumerate(words) if re.fullmatch(r"\d+[smhd]", w)]
                if durations and self.rng.random() < 0.5:
                    words[self.rng.choice(durations)] = self.rng.choice(DURATIONS)
                else:
                    words[i] = self.rng.choice(BOUNDARY)
            elif op < 0.9:
                w = words[i]
                k = self.rng.randint(0, len(w))
                words[i] = w[:k] + self.rng.choice(UNICODE) + w[k:]
            else:
                words.insert(i, self.rng.choice(['"', "'", '"a b"', "'c;d'", "\\", "#", ";", "--x=\"y z\""]))
        line = " ".join(words)
        return line.encode(), False, "mutated"

    def random_bytes(self):
        n = self.rng.randint(1, 200)
        data = bytearray(self.rng.randrange(256) for _ in range(n))
        data = data.replace(b"\n", b" ")
        pos = self.rng.randint(0, len(data))
        data[pos:pos] = self.rng.choice(INVALID_UTF8)
        return bytes(data), True, "invalid-utf8"

    def huge_token(self):
        size = self.rng.randint(100_000, 300_000) if self.rng.random() < 0.85 else self.rng.randint(1_050_000, 1_300_000)
        fill = self.rng.choice(["x", "é", "🙂", "ab"])
        big = (fill * (size // len(fill.encode())))
        template = self.rng.choice(["conversation note 1 {}", "conversation tag 1 {}", "user show {}", "{}",
                                    "channel edit @acme_help --display-name {}", "team add {}", "conversation reply 1 \"{}\""])
        return template.format(big).encode(), True, "huge"

    def control_chars(self):
        ctl = chr(self.rng.choice([c for c in range(1, 32) if c not in (9, 10, 13)] + [127]))
        text = self.token(1, 5) + ctl + self.token(1, 5)
        template = self.rng.choice(["conversation tag 1 {}", "team add {}", "topic add {}", "user add {}@acme.example --name X",
                                    "channel edit @acme_help --display-name {}", "user edit cora@acme.example --name {}",
                                    "{} whoami"])
        return template.format(text).encode(), True, "control"

    def unbalanced(self):
        return self.rng.choice(['conversation note 1 "never closed', "conversation tag 1 'open", "user show \"x",
                                'channel edit @acme_help --display-name "a\\"']).encode(), True, "unbalanced"


def make_batch(gen, count):
    """Lines for one process: complete lines, then one unbalanced quote at the end of the input."""
    cases = []
    while len(cases) < count - 1:
        data, bad, kind = gen.case()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if b"\n" in data or (text is not None and len(data) <= (1 << 20) and incomplete(text)):
            # An open quote or a trailing backslash would join the next case to this one.
            continue
        if bad and text is not None and text.lstrip(" \t\r").startswith("#"):
            continue
        cases.append((data, bad, kind))
    cases.append(gen.unbalanced())
    return cases


def run_batch(template, workdir, index, cases):
    db = copy_db(template, os.path.join(workdir, f"fuzz{index}.db"))
    stdin = b"\n".join(c[0] for c in cases) + b"\n"
    started = time.monotonic()
    # Echo on: the last command echoed on stdout is the one running when something goes wrong.
    p = subprocess.run([BIN, "--db", db, "--as", ADMIN, "--on-error", "continue", "-c", "set echo on", "-f", "-"], input=stdin,
                       capture_output=True, env=ENV, timeout=600)
    elapsed = time.monotonic() - started
    problems = []
    if not 0 <= p.returncode < 128 or p.returncode not in (0, 1):
        echoed = [l for l in p.stdout.split(b"\n") if l.startswith(b"parley(")]
        last = echoed[-1][:300] if echoed else b"(none)"
        why = [l.strip() for l in p.stderr.decode(errors="replace").splitlines()
               if "runtime failure" in l or "Fatal error" in l or ("/Sources/" in l and " at " in l)][:4]
        problems.append(f"batch {index}: parley ended with {p.returncode} running {last!r}: " + " | ".join(why))
    errors = {}
    for line in (p.stderr.split(b"\n") if not problems else []):
        if not line:
            continue
        m = ERROR_LINE.match(line)
        if not m:
            problems.append(f"batch {index}: stderr line is not one error line: {line[:300]!r}")
            continue
        errors.setdefault(int(m.group(1)), 0)
        errors[int(m.group(1))] += 1
    for n, (data, bad, kind) in enumerate(cases, start=1):
        if bad and n not in errors and not problems[:1]:
            problems.append(f"batch {index}: {kind} case at line {n} got no error: {data[:200]!r}")
    extra = [n for n in errors if n > len(cases)]
    if extra:
        problems.append(f"batch {index}: errors at lines past the input: {extra[:5]}")
    check = integrity(db)
    if check != "ok":
        problems.append(f"batch {index}: integrity_check: {check[:500]}")
    again = run(db, "--as", ADMIN, "-c", "conversation list")
    if again.returncode != 0:
        problems.append(f"batch {index}: the database does not work after the batch: {again.stderr[:300]}")
    drop_database(db)
    return problems, elapsed, sum(1 for c in cases if c[1]), len(errors)


def test_fuzzed_command_lines_never_crash_hang_or_corrupt(tmp_path):
    seed = seed_for("fuzz_binary", "PARLEY_FUZZ_SEED")
    rng = random.Random(seed)
    names = help_commands()
    use = usages(names)
    required = [n for n in names if n not in SKIP and n in use and re.search(r"^usage: " + re.escape(n) + r" [A-Z]", use[n])]
    assert "conversation note" in required and "conversation list" not in required
    gen = Generator(rng, names, required)

    template = inbox_org(str(tmp_path / "template.db"), 5, agents=("cora@acme.example", "vic@acme.example"))
    ok(template, "--as", ADMIN, "-c", "channel grant @acme_help ada@acme.example supervisor", "-c", "topic add Billing",
       "-c", "team add Support")
    batches = [make_batch(gen, min(BATCH, CASES - start)) for start in range(0, CASES, BATCH)]
    started = time.monotonic()
    problems, bad_cases, error_lines = [], 0, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for p, _, bad, errs in pool.map(lambda ib: run_batch(template, str(tmp_path), ib[0], ib[1]), enumerate(batches)):
            problems += p
            bad_cases += bad
            error_lines += errs
    kinds = {}
    for b in batches:
        for _, _, kind in b:
            kinds[kind] = kinds.get(kind, 0) + 1
    print(f"[fuzz_binary] seed={seed}: {sum(map(len, batches))} cases in {len(batches)} processes, "
          f"{bad_cases} built wrong, {error_lines} lines with errors, {time.monotonic() - started:.1f}s; {kinds}")
    assert problems == [], f"seed {seed} (PARLEY_FUZZ_SEED={seed} replays):\n" + "\n".join(problems[:30])
