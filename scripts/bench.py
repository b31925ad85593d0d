#!/usr/bin/env python3
"""parley's benchmark (run through scripts/bench, which builds in release first).

Generates a database, then times each case several times beside the raw `sqlite3` command doing
the equivalent SQL on the same file in the same run, and prints a table of medians with the ratio
parley / sqlite3. In-process cases use `parley-bench`; sqlite3's in-process figure is its own
`.timer` (the query alone, without process start). Peak memory is each process's maximum RSS.
"""

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# $PARLEY_BENCH_BINARIES names a folder holding other builds of parley and parley-bench (an
# earlier commit's, to compare before and after on the same machine); else the release build.
BINARIES = os.environ.get("PARLEY_BENCH_BINARIES") or os.path.join(ROOT, ".build", "release")
PARLEY = os.path.join(BINARIES, "parley")
BENCH = os.path.join(BINARIES, "parley-bench")
WORK = os.path.join(ROOT, ".build", "bench")
FAKE_X = os.path.join(ROOT, "Tests", "fakex", "fake_x.py")
ADMIN = "admin@bench.example"
AGENT = "u2@bench.example"  # in 50 teams of 4 channels: reaches 200 channels

SCALES = {
    "small": dict(users=1_000, extra_users=9_000, teams=50, channels=200, conversations=20_000, steps=[2_000, 5_000, 10_000, 20_000],
                  commands=10_000, sweep=5_000, mentions=10_000, runs=15),
    "large": dict(users=10_000, extra_users=90_000, teams=500, channels=2_000, conversations=1_000_000,
                  steps=[10_000, 30_000, 100_000, 300_000, 1_000_000], commands=100_000, sweep=100_000, mentions=100_000, runs=15),
}

PEAK_RSS = {}


# Peak memory is read by /usr/bin/time around the process: the rusage `wait4` gives counts the
# memory of the bench's own Python process, which the child is forked from, as the child's.
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_rss(argv, case, stdin_path=None, timed=False):
    """Runs a process and returns (stdout, wall ms); records its peak RSS against `case`.
    `timed`: a process whose wall time is the measure (a start): nothing runs around it, and its
    memory is not read."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    rss_file = None
    if case and TIME and not timed:
        rss_file = write_temp("")
        argv = [TIME, "-f", "%M", "-o", rss_file] + list(argv)
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    ms = (time.perf_counter() - start) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(argv[:6])}… failed ({p.returncode}): {err.decode()[:500]}")
    if rss_file:
        with open(rss_file) as f:
            kb = [int(line) for line in f.read().split() if line.isdigit()]
        if kb:
            PEAK_RSS[case] = max(PEAK_RSS.get(case, 0), kb[-1] / 1024)
    return out.decode(), ms


# The pragmas parley sets on each connection it writes with (ParleyDatabase.openWritable), so
# that the sqlite3 reference writes the way parley does: WAL synced at checkpoints only,
# statement journals in memory, a checkpoint every 10,000 pages of the -wal file.
PARLEY_PRAGMAS = ["PRAGMA synchronous=NORMAL", "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=10000"]


def sqlite_argv(db, *more):
    argv = ["sqlite3", "-cmd", ".output /dev/null"]  # a pragma that sets a value prints it
    for pragma in PARLEY_PRAGMAS:
        argv += ["-cmd", pragma]
    return argv + ["-cmd", ".output stdout"] + list(more) + [db]


def sqlite(db, sql, case=None):
    """Runs SQL in the sqlite3 command with parley's pragmas; returns (stdout, wall ms)."""
    return run_rss(sqlite_argv(db, "-cmd", ".timeout 10000"), case, stdin_path=write_temp(sql))


def sqlite_timer(db, query, runs):
    """In-process time of `query` (ms) in sqlite3 itself: one process runs it `runs` times after a
    warm-up run, and the wall time of that process minus the same process running it once is
    divided by runs - 1 (`.timer` has only millisecond resolution)."""
    once = write_temp(query + "\n")
    many = write_temp((query + "\n") * runs)
    t1 = min(run_rss(["sqlite3", db], "sqlite3", stdin_path=once, timed=True)[1] for _ in range(5))
    tn = min(run_rss(["sqlite3", db], "sqlite3", stdin_path=many, timed=True)[1] for _ in range(5))
    return max(tn - t1, 0.001) / (runs - 1)


_temps = []


def write_temp(text):
    f = tempfile.NamedTemporaryFile("w", delete=False, suffix=".sql", dir=WORK)
    f.write(text)
    f.close()
    _temps.append(f.name)
    return f.name


def bench_json(*args, case):
    out, _ = run_rss([BENCH, *args], case)
    return json.loads(out.strip().splitlines()[-1])


def median_of(fn, runs):
    return statistics.median(fn() for _ in range(runs))


# -- the database --------------------------------------------------------------------------------

def generate(db, s, measure_step):
    """Creates the database in steps of conversations, calling measure_step(n) after each."""
    if os.path.exists(db):
        os.remove(db)
    for ext in ("-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    run_rss([PARLEY, "--db", db, "-c", f'init {ADMIN} --name "Bench Admin"'], None)
    users, teams, channels = s["users"], s["teams"], s["channels"]
    now_ms = int(time.time() * 1000)
    sqlite(db, f"""
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i+1 FROM n WHERE i < {users + s['extra_users']})
INSERT INTO users(id, email, name, role, enabled, created_at) SELECT i, 'u' || i || '@bench.example', 'User ' || i, 'agent', 1, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < {channels})
INSERT INTO channels(id, kind, handle, account_id, display_name, auto_resolve_new, auto_resolve_pending, created_at)
SELECT i, 'twitter', 'ch' || i, 'sandbox:ch' || i, 'Channel ' || i, 2592000, 2592000, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < {teams})
INSERT INTO teams(id, name, created_at) SELECT i, 'Team ' || i, 0 FROM n;
INSERT INTO team_channels SELECT t.id, c.id FROM teams t JOIN channels c ON (c.id - 1) % {teams} = t.id - 1;
INSERT INTO team_members SELECT t.id, 2, 'contributor' FROM teams t WHERE t.id <= 50;
INSERT INTO team_members SELECT ((u.id * 7) % {teams}) + 1, u.id, 'contributor' FROM users u WHERE u.id BETWEEN 3 AND {users};
INSERT INTO channel_grants SELECT 1, id, 'supervisor' FROM users WHERE id = 1;
COMMIT;
""")
    done = 0
    span = 60 * 86_400_000  # messages spread over the last 60 days
    total = s["conversations"]
    for step in s["steps"]:
        lo, hi = done + 1, step
        # Skew: a third of all conversations on channel 1 (the busiest: 1,000,000 messages at
        # large), about a fifth on channels 2–6, the rest spread over every channel; the queue
        # (id % 3) is independent of the channel.
        sqlite(db, f"""
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i+1 FROM n WHERE i < {hi})
INSERT INTO contacts(id, channel_id, platform_id, handle)
SELECT i, CASE WHEN (i / 3) % 3 = 0 THEN 1 WHEN (i / 3) % 10 < 4 THEN 2 + (i % 5) ELSE 1 + (i * 7919) % {channels} END, 'p' || i, 'cust' || i FROM n;
INSERT INTO conversations(id, channel_id, contact_id, queue, owner_id, deadline, limit_seconds, created_at, updated_at)
SELECT id, channel_id, id, CASE id % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'pending' ELSE 'resolved' END,
       CASE WHEN id % 3 = 1 THEN 3 + id % {users - 2} END,
       CASE WHEN id % 3 = 2 THEN NULL ELSE {now_ms} + 86400000 + id END, CASE WHEN id % 3 = 2 THEN NULL ELSE 2592000 END,
       {now_ms - span} + id * ({span} / {total}), {now_ms - span} + id * ({span} / {total}) + 60000
FROM contacts WHERE id BETWEEN {lo} AND {hi};
INSERT INTO messages(conversation_id, channel_id, platform_id, direction, kind, author_user_id, author_label, text, at)
SELECT c.id, c.channel_id, 'm' || c.id || '-' || k.k, CASE k.k WHEN 2 THEN 'out' ELSE 'in' END, CASE WHEN c.id % 4 = 0 THEN 'dm' ELSE 'public' END,
       CASE k.k WHEN 2 THEN 3 + c.id % {users - 2} END, CASE k.k WHEN 2 THEN 'agent' ELSE '@cust' || c.id END,
       'message ' || k.k || ' of conversation ' || c.id, c.created_at + k.k * 600000
FROM conversations c, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k WHERE c.id BETWEEN {lo} AND {hi};
INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id)
SELECT id, channel_id, created_at, NULL, 'new', 'created', NULL FROM conversations WHERE id BETWEEN {lo} AND {hi};
INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id)
SELECT id, channel_id, created_at + 3600000, 'new', 'resolved', 'agent', 3 + id % {users - 2} FROM conversations WHERE id BETWEEN {lo} AND {hi} AND queue = 'resolved';
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
""")
        done = step
        measure_step(step)


# -- cases ---------------------------------------------------------------------------------------

def case_startup(db, runs):
    p = median_of(lambda: run_rss([PARLEY, "--db", db, "--as", ADMIN, "-c", "whoami"], "startup", timed=True)[1], runs)
    q = median_of(lambda: run_rss(["sqlite3", db, "select 1"], "sqlite3", timed=True)[1], runs)
    run_rss([PARLEY, "--db", db, "--as", ADMIN, "-c", "whoami"], "startup")  # its memory, apart
    return ("start, `whoami`, exit (process)", p, q, "under 40 ms; ≤ 5× sqlite3")


def case_script(db, n):
    rng = random.Random(7)
    pairs = [tuple(map(int, line.split("|"))) for line in
             sqlite(db, "SELECT id, channel_id FROM conversations WHERE queue != 'resolved' AND channel_id IN "
                        f"(SELECT channel_id FROM team_channels tc JOIN team_members tm USING (team_id) WHERE tm.user_id = 2) "
                        f"ORDER BY random() LIMIT {n};")[0].splitlines()]
    ids = [p[0] for p in pairs]
    chans = dict(pairs)
    script, sql = [], ["PRAGMA synchronous=NORMAL;"]
    now = int(time.time() * 1000)
    for k in range(n):
        cid = ids[k % len(ids)]
        ch = chans[cid]
        audit = lambda action, new: (f"INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value) "
                                     f"VALUES ({now}, '{AGENT}', NULL, '--as', '{action}', 'conversation {cid}', {ch}, NULL, '{new}');")
        kind = k % 3
        if kind == 0:
            tag = f"t{rng.randrange(50)}"
            script.append(f"conversation tag {cid} {tag}")
            sql.append(f"BEGIN; INSERT OR IGNORE INTO conversation_tags VALUES ({cid}, 's{tag}'); "
                       f"UPDATE conversations SET updated_at = {now} WHERE id = {cid}; {audit('conversation.tag', tag)} COMMIT;")
        elif kind == 1:
            q = "pending" if k % 2 else "new"
            script.append(f"conversation move {cid} {q}")
            sql.append(f"BEGIN; UPDATE conversations SET queue = '{q}', deadline = {now} + 2592000000, limit_seconds = 2592000, updated_at = {now} WHERE id = {cid}; "
                       f"INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id) VALUES ({cid}, {ch}, {now}, 'new', '{q}', 'agent', 2); "
                       f"{audit('conversation.move', q)} COMMIT;")
        else:
            script.append(f'conversation note {cid} "bench note {k}: customer called back"')
            sql.append(f"BEGIN; INSERT INTO notes(conversation_id, author_id, author_label, text, at) VALUES ({cid}, 2, '{AGENT}', 'bench note {k}: customer called back', {now}); "
                       f"UPDATE conversations SET updated_at = {now} WHERE id = {cid}; {audit('conversation.note', 'bench note')} COMMIT;")
    path = write_temp("\n".join(script) + "\n")
    _, p = run_rss([PARLEY, "--db", db, "--as", AGENT, "-f", path], "script")
    _, q = sqlite(db, "\n".join(sql) + "\n", "sqlite3")
    return (f"script of {n:,} commands (tag/move/note, one transaction each)", p, q, "≥ 20,000 commands/s; ≤ 2× sqlite3", n)


def case_queue_page(db, runs):
    r = bench_json("command", "--db", db, "--as", AGENT, "--line", "conversation list --queue new", "--runs", str(runs), case="queue page")
    chans = sqlite(db, "SELECT group_concat(channel_id) FROM team_channels tc JOIN team_members tm ON tm.team_id = tc.team_id WHERE tm.user_id = 2;")[0].strip()
    q = sqlite_timer(db, f"SELECT c.id, c.channel_id, c.queue, c.owner_id, c.updated_at, ct.handle FROM conversations c JOIN contacts ct ON ct.id = c.contact_id "
                             f"WHERE c.channel_id IN ({chans}) AND c.queue = 'new' ORDER BY c.id DESC LIMIT 50;", 200)
    return ("first page (50) of New, user reaching 200 channels via teams (in-process)", r["median_ms"], q, "under 5 ms")


def case_completion(db, runs):
    r = bench_json("complete", "--db", db, "--as", ADMIN, "--line", "user show u1234", "--runs", str(runs), case="completion")
    q = sqlite_timer(db, "SELECT email FROM users WHERE email >= 'u1234' AND email < 'u1235' ORDER BY email LIMIT 200;", 1000)
    return (f"tab completion of an email prefix, {count(db, 'users'):,} users (in-process)", r["median_ms"], q, "under 10 ms")


def case_report(db, runs):
    r = bench_json("command", "--db", db, "--as", ADMIN, "--line", "report @ch1 --since 90d", "--runs", str(runs), case="report")
    msgs = int(sqlite(db, "SELECT count(*) FROM messages WHERE channel_id = 1;")[0])
    # The rows the report reads: the kept figures of the channel's days.
    q = sqlite_timer(db, "SELECT day, inbound, outbound, new_conversations, reopened, resolved FROM report_days WHERE channel_id = 1; "
                             "SELECT day, kind, bucket, count, total_ms FROM report_times WHERE channel_id = 1;", runs)
    return (f"report on the busiest channel ({msgs:,} messages, in-process)", r["median_ms"], q, "under 100 ms")


def case_sweep(db, n):
    """parley's sweep in-process, then the same conversations made due again and sqlite3 doing
    the same writes (history rows, audit rows, the UPDATE) in one transaction."""
    due = f"SELECT id FROM conversations WHERE queue = 'new' AND deadline IS NOT NULL ORDER BY id LIMIT {n}"
    sqlite(db, f"UPDATE conversations SET deadline = 1000 WHERE id IN ({due});")
    r = bench_json("sweep", "--db", db, case="sweep")
    again = "SELECT conversation_id FROM queue_events WHERE cause = 'auto-resolve' AND at = 1000"
    sqlite(db, f"UPDATE conversations SET queue = 'new', deadline = 1000, limit_seconds = 2592000 WHERE id IN ({again}); "
               "DELETE FROM queue_events WHERE cause = 'auto-resolve' AND at = 1000; "
               "DELETE FROM audit WHERE action = 'conversation.auto-resolve' AND at = 1000;")
    q = sweep_sqlite_total(db)
    return (f"auto-resolve sweep: {r['detail']} (in-process)", r["median_ms"], q, "≤ 1.5× raw UPDATE + audit INSERT")


def count(db, table):
    return int(sqlite(db, f"SELECT count(*) FROM {table};")[0])


def sweep_sqlite_total(db):
    """The sqlite3 side of the sweep: its statements' times by `.timer`, summed (process start excluded)."""
    text = ".timer on\nBEGIN;\n" + """
INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id) SELECT id, channel_id, deadline, queue, 'resolved', 'auto-resolve', NULL FROM conversations WHERE deadline IS NOT NULL AND deadline <= 2000;
INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value) SELECT c.deadline, 'system', NULL, 'system', 'conversation.auto-resolve', 'conversation ' || c.id, c.channel_id, c.queue, 'resolved' FROM conversations c WHERE c.deadline IS NOT NULL AND c.deadline <= 2000;
UPDATE conversations SET queue = 'resolved', owner_id = NULL, updated_at = deadline, deadline = NULL, limit_seconds = NULL WHERE deadline IS NOT NULL AND deadline <= 2000;
COMMIT;
"""
    out, _ = run_rss(sqlite_argv(db), "sqlite3", stdin_path=write_temp(text))
    return sum(float(m) * 1000 for m in re.findall(r"Run Time: real ([0-9.]+)", out))


# -- X sync ----------------------------------------------------------------------------------------

def case_x_sync(n):
    """parley syncing n mentions from the fake X API, against curl fetching the same pages."""
    server = subprocess.Popen([sys.executable, FAKE_X, "--no-validate"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline().split()[1])
        base = f"http://127.0.0.1:{port}"

        def control(what, body):
            req = urllib.request.Request(f"{base}/_control/{what}", data=json.dumps(body).encode(), method="POST")
            return json.loads(urllib.request.urlopen(req, timeout=600).read())

        db = os.path.join(WORK, "xsync.db")
        for f in (db, db + "-wal", db + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        run_rss([PARLEY, "--db", db, "-c", f'init {ADMIN} --name "Bench Admin"'], None)
        tokens = control("seed", {"mentions": n, "authors": 1000, "token": True, "lifetime": 86400})
        sqlite(db, "INSERT INTO channels(kind, handle, account_id, display_name, auth_kind, access_token, refresh_token, created_at) "
                   f"VALUES ('twitter', 'acme_help', '100', 'Acme', 'oauth2', '{tokens['access_token']}', '{tokens['refresh_token']}', 0);")
        env = {**os.environ, "PARLEY_X_API_BASE": base, "PARLEY_X_CLIENT_ID": "parley-test-client", "XDG_CONFIG_HOME": "/nonexistent"}
        start = time.perf_counter()
        p = subprocess.run([PARLEY, "--db", db, "--as", ADMIN, "-c", "channel sync @acme_help"], capture_output=True, text=True, env=env)
        parley_ms = (time.perf_counter() - start) * 1000
        if p.returncode != 0:
            sys.exit("bench: sync failed: " + p.stderr[:300])
        # curl fetches exactly what parley asked for (the fake records every request it answers).
        asked = [r for r in control("state", {})["requests"] if r["method"] == "GET"]
        lines = [f'header = "Authorization: Bearer {tokens["access_token"]}"']
        for r in asked:
            lines += [f'url = "{base}{r["path"]}?{urllib.parse.urlencode(r["query"])}"', "output = /dev/null"]
        cfg = write_temp("\n".join(lines) + "\n")
        start = time.perf_counter()
        subprocess.run(["curl", "-s", "-K", cfg], check=True)
        curl_ms = (time.perf_counter() - start) * 1000
        stored = int(sqlite(db, "SELECT count(*) FROM messages;")[0])
        return (f"sync {n:,} mentions from the local fake X API ({stored:,} stored, {len(asked):,} requests)", parley_ms, curl_ms,
                "messages/s; ratio to curl fetching the same pages", n)
    finally:
        server.kill()


# -- main ----------------------------------------------------------------------------------------

def main():
    scale = "small"
    if "--scale" in sys.argv:
        scale = sys.argv[sys.argv.index("--scale") + 1]
    if scale not in SCALES:
        sys.exit("bench: --scale small|large")
    store = sys.argv[sys.argv.index("--store") + 1] if "--store" in sys.argv else "sqlite"
    if store not in ("sqlite", "postgres"):
        sys.exit("bench: --store sqlite|postgres")
    if store == "postgres":  # the PostgreSQL column: scripts/bench_postgres.py
        import bench_postgres
        return bench_postgres.main(sys.modules[__name__], scale)
    s = SCALES[scale]
    os.makedirs(WORK, exist_ok=True)
    db = os.path.join(WORK, f"bench-{scale}.db")
    runs = s["runs"]
    started = time.time()
    curve = []

    def measure_step(n):
        latest = int(sqlite(db, "SELECT max(id) FROM conversations WHERE channel_id = 1;")[0])
        page = bench_json("command", "--db", db, "--as", AGENT, "--line", "conversation list --queue new", "--runs", "10", case="queue page")
        show = bench_json("command", "--db", db, "--as", AGENT, "--line", f"conversation show {latest}", "--runs", "10", case="show")
        tag = bench_json("command", "--db", db, "--as", AGENT, "--line", f"conversation tag {latest} curve", "--runs", "10", case="tag")
        comp = bench_json("complete", "--db", db, "--as", ADMIN, "--line", "user show u1234", "--runs", "10", case="completion")
        curve.append({"conversations": n, "queue_page_ms": page["median_ms"], "show_ms": show["median_ms"],
                      "tag_ms": tag["median_ms"], "completion_ms": comp["median_ms"]})
        print(f"  {n:>9,} conversations: queue page {page['median_ms']:.2f} ms, show {show['median_ms']:.2f} ms, "
              f"tag {tag['median_ms']:.2f} ms, completion {comp['median_ms']:.2f} ms", file=sys.stderr, flush=True)

    print(f"== generating the {scale} database ({s['conversations']:,} conversations, {3 * s['conversations']:,} messages)", file=sys.stderr)
    generate(db, s, measure_step)
    # The rows went in by SQL, past parley's writes: count the report figures from them.
    _, rebuild_ms = run_rss([PARLEY, "--db", db, "--as", ADMIN, "-c", "doctor --rebuild-report-figures"], "rebuild")
    print(f"   report figures counted and checked in {rebuild_ms / 1000:.1f}s", file=sys.stderr)
    gen_s = time.time() - started
    print(f"   generated in {gen_s:.0f}s; {os.path.getsize(db) / 1e6:.0f} MB", file=sys.stderr)

    rows = []
    print("== cases", file=sys.stderr)
    rows.append(case_startup(db, runs))
    rows.append(case_queue_page(db, runs))
    rows.append(case_completion(db, runs))
    rows.append(case_report(db, 5))
    rows.append(case_sweep(db, s["sweep"]))
    rows.append(case_script(db, s["commands"]))
    rows.append(case_x_sync(s["mentions"]))

    print()
    print(f"parley bench, scale {scale}: {s['conversations']:,} conversations, {3 * s['conversations']:,} messages, "
          f"{s['users'] + s['extra_users']:,} users, {s['teams']} teams, {s['channels']:,} channels; medians")
    print()
    print("| case | parley | sqlite3 / curl | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        name, p, q, target = row[:4]
        extra = ""
        if len(row) > 4 and isinstance(row[4], int):
            extra = f" ({row[4] / (p / 1000):,.0f}/s)"
        ratio = f"{p / q:.2f}×" if q else "–"
        print(f"| {name} | {p:,.2f} ms{extra} | {q:,.2f} ms | {ratio} | {target} |" if q else f"| {name} | {p:,.2f} ms{extra} | – | – | {target} |")
    print()
    print("peak RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(PEAK_RSS.items())))
    print()
    print("latency as the database grows (in-process medians, ms):")
    print()
    print("| conversations | queue page | conversation show | conversation tag | completion |")
    print("|---:|---:|---:|---:|---:|")
    for c in curve:
        print(f"| {c['conversations']:,} | {c['queue_page_ms']:.2f} | {c['show_ms']:.2f} | {c['tag_ms']:.2f} | {c['completion_ms']:.2f} |")
    print(f"\ntotal {time.time() - started:.0f}s (generation {gen_s:.0f}s)")
    with open(os.path.join(WORK, f"results-{scale}.json"), "w") as f:
        json.dump({"scale": scale, "rows": [list(r) for r in rows], "curve": curve, "peak_rss_mb": PEAK_RSS}, f, indent=1)
    if "--plot" in sys.argv:
        plot(curve, os.path.join(ROOT, "docs", "bench-latency.png"), scale)
    for t in _temps:
        os.remove(t)


def plot(curve, path, scale):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is missing (python3 -m pip install matplotlib): no plot", file=sys.stderr)
        return
    xs = [c["conversations"] for c in curve]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for key, label in (("queue_page_ms", "queue page (50)"), ("show_ms", "conversation show"),
                       ("tag_ms", "conversation tag (write)"), ("completion_ms", "email completion")):
        ax.plot(xs, [c[key] for c in curve], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("conversations in the database")
    ax.set_ylabel("median latency, ms (in-process)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"parley command latency as the database grows ({scale})")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
