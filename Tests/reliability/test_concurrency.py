"""Several parley processes writing one database at once, and a reader meanwhile.

Each writer is its own user running a script of notes, tags, moves and `begin` … `commit`
blocks; afterwards every note, every tag and every audit row of every writer is there (no lost
update), no process failed or printed "database is locked", and every snapshot the reader printed
held each block whole or not at all."""

import json
import random
import subprocess
import time

import pytest

from .conftest import BIN, ENV, inbox_org, integrity, seed_for, sized, sql

COMMANDS = sized(1_500, 10_000)


def writer_script(rng, w, n):
    lines = []
    counts = {"note": 0, "tag": 0, "tags": 0, "move": 0, "blocks": 0}
    i = 0
    while len(lines) < n:
        i += 1
        r = rng.random()
        if r < 0.06 and n - len(lines) >= 5:
            k = counts["blocks"] = counts["blocks"] + 1
            lines += ["begin",
                      f"conversation note 2 blk-{w}-{k}-a",
                      f"conversation tag 2 blk-{w}-{k}",
                      f"conversation note 2 blk-{w}-{k}-b",
                      "commit"]
            counts["note"] += 2
            counts["tag"] += 1
            counts["tags"] += 1
        elif r < 0.55:
            lines.append(f"conversation note {rng.choice([1, 3, 4, 5])} w{w}-{i}")
            counts["note"] += 1
        elif r < 0.85:
            lines.append(f"conversation tag 1 w{w}t{i} w{w}u{i}")
            counts["tag"] += 1
            counts["tags"] += 2
        else:
            lines.append(f"conversation move {rng.choice([3, 4, 5])} {rng.choice(['new', 'pending', 'resolved'])}")
            counts["move"] += 1
    return lines, counts


def check_snapshot(doc):
    """A `conversation show 2` document: each block's two notes and its tag, all or none."""
    notes = {n["text"] for n in doc["notes"]}
    tags = set(doc["tags"])
    blocks = {t for t in tags if t.startswith("blk-")}
    blocks |= {n.rsplit("-", 1)[0] for n in notes if n.startswith("blk-")}
    for b in blocks:
        parts = (f"{b}-a" in notes, f"{b}-b" in notes, b in tags)
        assert all(parts) or not any(parts), f"reader saw block {b} half done: notes a/b, tag = {parts}"
    return len(blocks)


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_lose_nothing_and_reader_sees_committed_states(tmp_path, writers):
    seed = seed_for(f"concurrency-{writers}")
    rng = random.Random(seed)
    agents = [f"w{w}@acme.example" for w in range(writers)] + ["reader@acme.example"]
    db = inbox_org(str(tmp_path / "c.db"), conversations=5, agents=agents)
    notes0 = int(sql(db, "SELECT count(*) FROM notes"))
    audit0 = dict(tuple(l.split("|")) for l in sql(db, "SELECT action, count(*) FROM audit GROUP BY action").splitlines())

    totals = {"note": 0, "tag": 0, "tags": 0, "move": 0, "blocks": 0}
    procs = []
    for w in range(writers):
        lines, counts = writer_script(rng, w, COMMANDS)
        for k in totals:
            totals[k] += counts[k]
        script = tmp_path / f"w{w}.parley"
        script.write_text("\n".join(lines) + "\n")
        procs.append(subprocess.Popen([BIN, "--db", db, "--as", f"w{w}@acme.example", "-f", str(script)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV))
    started = time.monotonic()

    # The reader: one parley in lock-step, a command in, a JSON document out, while writers run.
    reader = subprocess.Popen([BIN, "--db", db, "--as", "reader@acme.example", "--json"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    snapshots = lists = max_blocks = 0
    deadline = time.monotonic() + 600
    while any(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "writers still running after 600s"
        time.sleep(0.02)   # the reader samples; it must not take a core from the writers
        for command in ("conversation show 2", "conversation list"):
            reader.stdin.write((command + "\n").encode())
            reader.stdin.flush()
            line = reader.stdout.readline()
            assert line, f"reader ended: {reader.stderr.read()!r}"
            doc = json.loads(line)
            if command == "conversation show 2":
                max_blocks = max(max_blocks, check_snapshot(doc))
                snapshots += 1
            else:
                assert {c["id"] for c in doc} == {1, 2, 3, 4, 5}
                lists += 1
    reader.stdin.close()
    assert reader.wait(timeout=60) == 0
    reader_err = reader.stderr.read().decode()
    assert reader_err == "", reader_err

    for w, p in enumerate(procs):
        err = p.stderr.read().decode()
        p.wait()
        assert "locked" not in err and "busy" not in err, f"writer {w}: {err[-2000:]}"
        assert p.returncode == 0 and err == "", f"writer {w} exit {p.returncode}: {err[-2000:]}"
    elapsed = time.monotonic() - started

    assert integrity(db) == "ok"
    assert int(sql(db, "SELECT count(*) FROM notes")) - notes0 == totals["note"]
    assert int(sql(db, "SELECT count(*) FROM conversation_tags")) == totals["tags"]
    audit = dict(tuple(l.split("|")) for l in sql(db, "SELECT action, count(*) FROM audit GROUP BY action").splitlines())
    assert int(audit.get("conversation.note", 0)) - int(audit0.get("conversation.note", 0)) == totals["note"]
    assert int(audit.get("conversation.tag", 0)) - int(audit0.get("conversation.tag", 0)) == totals["tag"]
    for w in range(writers):
        n = int(sql(db, f"SELECT count(*) FROM audit WHERE actor = 'w{w}@acme.example' AND action IN ('conversation.note', 'conversation.tag')"))
        assert n > 0
    # The final state, read through parley, holds every block whole too.
    final = subprocess.run([BIN, "--db", db, "--as", "reader@acme.example", "--json", "-c", "conversation show 2"],
                           capture_output=True, env=ENV, timeout=60)
    assert check_snapshot(json.loads(final.stdout)) == totals["blocks"]
    print(f"[concurrency-{writers}] {writers}×{COMMANDS} commands in {elapsed:.1f}s; "
          f"reader: {snapshots} snapshots, {lists} lists, up to {max_blocks} blocks seen")
