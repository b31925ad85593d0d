"""Two `parley sync` runs on the same channel at once, against the fake X API: every message stored
once, the channel's cursors only ever move forward, and each run reports what it stored itself."""

import re
import threading
import time

from .conftest import Org

ADA = "ada@acme.example"


def connected(pg, fakex):
    pg.ok(stdin=Org(sandbox=False).script, env=fakex.env())
    fakex.connect(pg, ADA)


def cursor(pg):
    row = pg.value("SELECT coalesce(mentions_since_id, ''), coalesce(dm_newest_id, '') FROM parley.channels")
    return tuple(int(v) if v else 0 for v in row.split("|"))


class CursorWatch(threading.Thread):
    """Reads the channel's cursors over and over while syncs run."""

    def __init__(self, pg):
        super().__init__(daemon=True)
        self.pg = pg
        self.seen = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.seen.append(cursor(self.pg))
            time.sleep(0.02)

    def stop(self):
        self.done.set()
        self.join()
        self.seen.append(cursor(self.pg))
        return self.seen


def new_messages(out):
    return sum(int(n) for n in re.findall(r"@acme_help: (\d+) new messages?", out))


def requests(fakex, part):
    return [r for r in fakex.control("state")["requests"] if part in r["path"]]


def stored_ids(pg):
    rows = pg.sql("SELECT platform_id FROM parley.messages")
    assert len(rows) == len(set(rows)), "a message was stored twice"
    return set(rows)


def test_two_syncs_at_once_store_every_message_once_and_never_move_the_cursor_back(pg, fakex):
    connected(pg, fakex)
    fakex.control("seed", {"mentions": 1500, "authors": 40, "dms": 250, "dm_senders": 10})
    # The first sync's last page of mentions (the 15th) takes 3 s: meanwhile a customer writes, and a
    # second sync starts, sees the newer mention, and finishes first.
    fakex.fault("delay", path="/2/users/100/mentions", after=14, seconds=3)
    watch = CursorWatch(pg)
    watch.start()
    try:
        first = pg.popen("sync", env=fakex.env())
        deadline = time.time() + 60
        while len(requests(fakex, "/mentions")) < 15:
            assert time.time() < deadline and first.poll() is None, first.communicate()
            time.sleep(0.02)
        newest = fakex.control("mention", {"author": "901", "username": "latecomer", "text": "@acme_help still there?"})
        fakex.control("dm", {"sender": "902", "username": "dmlate", "text": "hello?"})
        second = pg.popen("sync", env=fakex.env())
        out2, err2 = second.communicate(timeout=120)
        out1, err1 = first.communicate(timeout=120)
    finally:
        seen = watch.stop()
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)

    expected = 1500 + 250 + 2
    ids = stored_ids(pg)
    assert len(ids) == expected, len(ids)
    # Each run reports the messages it stored, so together they say how many there are.
    assert new_messages(out1) + new_messages(out2) == expected, (out1, out2)
    # The cursors never went back, and they end at the newest message of each kind.
    for a, b in zip(seen, seen[1:]):
        assert b[0] >= a[0] and b[1] >= a[1], f"a cursor went back: {a} → {b}"
    assert seen[-1][0] == int(newest["id"]), (seen[-1], newest)
    # A third sync asks only for what is newer than the newest mention, and stores nothing.
    third = pg.ok("sync", env=fakex.env())
    assert new_messages(third.stdout) == 0, third.stdout
    assert requests(fakex, "/mentions")[-1]["query"].get("since_id") == newest["id"]


def test_two_syncs_started_together_store_each_page_once(pg, fakex):
    connected(pg, fakex)
    fakex.control("seed", {"mentions": 800, "authors": 30, "dms": 200, "dm_senders": 8})
    procs = [pg.popen("sync", env=fakex.env()) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    assert len(stored_ids(pg)) == 1000
    assert sum(new_messages(out) for out, _ in outs) == 1000, outs
    contacts = pg.count("SELECT count(*) FROM parley.contacts")
    assert contacts == 38 == pg.count("SELECT count(*) FROM parley.conversations")
