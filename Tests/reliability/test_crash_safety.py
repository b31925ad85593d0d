"""A script of 10,000 commands killed with SIGKILL at random points: the database stays whole,
every command parley reported done is in it, nothing after the command in flight is, and every
`begin` … `commit` block is all or nothing.

How completion is known: parley writes each command's result line with write(2), unbuffered,
after the command's transaction has committed; every command of the script prints exactly one
line (checked by a full run). So after a kill, the number of lines on stdout is the number of
commands done, and the command at that index is the only one that may be in flight."""

import os
import random
import signal
import subprocess
import time

from .conftest import BIN, ENV, copy_db, inbox_org, integrity, run, seed_for, sized, sql

COMMANDS = 10_000
CONVERSATIONS = 20
QUEUES = ["new", "pending", "resolved"]


def make_script(rng):
    """Returns (lines, ops). ops[i] describes line i: (kind, block, payload)."""
    lines, ops = [], []
    block = None
    block_left = 0
    blocks = 0
    while len(lines) < COMMANDS:
        if block is None and rng.random() < 0.04 and COMMANDS - len(lines) > 8:
            blocks += 1
            block = blocks
            block_left = rng.randint(2, 5)
            lines.append("begin")
            ops.append(("begin", block, None))
            continue
        if block is not None and block_left == 0:
            lines.append("commit")
            ops.append(("commit", block, None))
            block = None
            continue
        i = len(lines)
        n = rng.randint(1, CONVERSATIONS)
        r = rng.random()
        if r < 0.5:
            text = f"note-{i}"
            lines.append(f"conversation note {n} {text}")
            ops.append(("note", block, (n, text)))
        elif r < 0.8:
            tags = [f"t{i}"] + ([f"u{i}"] if rng.random() < 0.5 else [])
            lines.append(f"conversation tag {n} " + " ".join(tags))
            ops.append(("tag", block, (n, tags)))
        else:
            q = rng.choice(QUEUES)
            lines.append(f"conversation move {n} {q}")
            ops.append(("move", block, (n, q)))
        if block is not None:
            block_left -= 1
    if block is not None:
        lines.append("commit")
        ops.append(("commit", block, None))
    return lines, ops


def expected_state(ops, applied):
    """The notes, tags and queues after applying ops[i] for i in `applied` (a set of indexes)."""
    notes, tags, queues = set(), set(), {n: "new" for n in range(1, CONVERSATIONS + 1)}
    for i, (kind, _, payload) in enumerate(ops):
        if i not in applied:
            continue
        if kind == "note":
            notes.add(payload)
        elif kind == "tag":
            tags.update((payload[0], t) for t in payload[1])
        elif kind == "move":
            queues[payload[0]] = payload[1]
    return notes, tags, queues


def applied_sets(ops, done):
    """The two states the database may be in: without and with the command in flight (index `done`)."""
    commit_of = {}
    for i, (kind, block, _) in enumerate(ops):
        if kind == "commit":
            commit_of[block] = i

    def applied(limit):
        # Everything before `limit` that is outside a block, or in a block whose commit is before it.
        return {i for i, (kind, block, _) in enumerate(ops[:limit])
                if kind not in ("begin", "commit") and (block is None or commit_of[block] < limit)}
    return applied(done), applied(min(done + 1, len(ops)))


def actual_state(db):
    notes = set()
    for line in sql(db, "SELECT conversation_id, text FROM notes").splitlines():
        n, text = line.split("|", 1)
        notes.add((int(n), text))
    tags = set()
    for line in sql(db, "SELECT conversation_id, tag FROM conversation_tags").splitlines():
        n, t = line.split("|", 1)
        tags.add((int(n), t))
    queues = {}
    for line in sql(db, "SELECT id, queue FROM conversations").splitlines():
        n, q = line.split("|")
        queues[int(n)] = q
    return notes, tags, queues


def test_full_script_prints_one_line_per_command(tmp_path):
    rng = random.Random(1)
    lines, ops = make_script(rng)
    lines, ops = lines[:600], ops[:600]
    open_blocks = {b for k, b, _ in ops if k == "begin"} - {b for k, b, _ in ops if k == "commit"}
    for b in open_blocks:
        lines.append("commit")
        ops.append(("commit", b, None))
    db = inbox_org(str(tmp_path / "t.db"), CONVERSATIONS)
    script = tmp_path / "s.parley"
    script.write_text("\n".join(lines) + "\n")
    r = run(db, "--as", "cora@acme.example", "-f", str(script))
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == len(lines)
    assert actual_state(db) == expected_state(ops, set(range(len(ops))))


def test_sigkill_at_random_points_loses_nothing_and_splits_no_block(tmp_path):
    runs = sized(5, 20)
    seed = seed_for("crash_safety")
    rng = random.Random(seed)
    lines, ops = make_script(rng)
    script = tmp_path / "s.parley"
    script.write_text("\n".join(lines) + "\n")
    template = inbox_org(str(tmp_path / "template.db"), CONVERSATIONS)
    started = time.monotonic()
    kills = []
    for k in range(runs):
        db = copy_db(template, str(tmp_path / f"run{k}.db"))
        # Kill once this many results are out, plus whatever runs while the signal is sent.
        target = rng.randint(1, len(lines) - 1)
        p = subprocess.Popen([BIN, "--db", db, "--as", "cora@acme.example", "-f", str(script)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        seen = 0
        chunks = []
        while seen < target:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
            seen += chunk.count(b"\n")
        p.send_signal(signal.SIGKILL)
        rest, err = p.communicate(timeout=60)
        out = b"".join(chunks) + rest
        assert p.returncode == -signal.SIGKILL, f"run {k}: parley ended by itself ({p.returncode}) before the kill: {err!r}"
        assert err == b"", f"run {k}: {err[-2000:]!r}"
        done = out.count(b"\n")
        assert out.endswith(b"\n") or out == b"", f"run {k}: a result line was cut: {out[-200:]!r}"
        kills.append(done)

        assert integrity(db) == "ok", f"run {k} (seed {seed}, killed after {done} commands)"
        without, with_inflight = applied_sets(ops, done)
        state = actual_state(db)
        assert state in (expected_state(ops, without), expected_state(ops, with_inflight)), (
            f"run {k} (seed {seed}): killed after {done} commands done ({lines[done] if done < len(lines) else 'end'!r} "
            f"in flight); the database holds neither the state before nor after it: "
            + describe_difference(state, expected_state(ops, without)))
        # The database opens and works after the crash.
        again = run(db, "--as", "cora@acme.example", "-c", "conversation note 1 after-crash")
        assert again.returncode == 0, again.stderr
        assert integrity(db) == "ok"
    print(f"[crash_safety] {runs} kills after {sorted(kills)} commands; {time.monotonic() - started:.1f}s")


def describe_difference(state, expected):
    names = ("notes", "tags", "queues")
    parts = []
    for name, a, b in zip(names, state, expected):
        if a != b:
            if isinstance(a, set):
                parts.append(f"{name}: extra {sorted(a - b)[:5]}, missing {sorted(b - a)[:5]}")
            else:
                parts.append(f"{name}: {[(n, a[n], b[n]) for n in a if a[n] != b[n]][:5]}")
    return "; ".join(parts)
