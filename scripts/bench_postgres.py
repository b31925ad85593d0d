"""The PostgreSQL column of parley's benchmark: `scripts/bench --store postgres [--scale small|large]`.

Generates the same organisation as the SQLite bench (a SQLite file made by bench.generate), copies
it into a fresh PostgreSQL database with `parley db copy` (timed), and times each case beside
`psql` doing the equivalent SQL on the same server in the same run. Then it runs 1, 2, 4 and 8
concurrent writer processes on PostgreSQL and on the SQLite file and prints their total throughput.

The server is a throwaway cluster made by `scripts/pg-cluster` (always stopped at exit), unless
PARLEY_BENCH_PG names one: the bench then creates and drops the database `parley_bench` there. The
throwaway cluster runs without durability (fsync, synchronous_commit and full_page_writes off):
a commit never waits for the disk, for parley and psql alike.

On the throwaway cluster the bench also reads the server's log (log_min_duration_statement=0, set
for the counting runs only through PGOPTIONS) to count the round trips of a queue page and of a
command, and reads the server processes' CPU time in /proc to say where the writers' time goes.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

WRITERS = (1, 2, 4, 8)
PER_WRITER = {"small": 2_000, "large": 5_000}  # commands in each concurrent writer's script
PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]


class Server:
    """The PostgreSQL server: a throwaway cluster, or the one PARLEY_BENCH_PG names."""

    def __init__(self, b):
        self.b = b
        self.dir = None
        self.conn = None

    def start(self):
        given = os.environ.get("PARLEY_BENCH_PG")
        if given:
            self.conn = fresh_database(given, "parley_bench")
            return
        # A short path in /tmp: the socket path must fit in 107 bytes.
        self.dir = tempfile.mkdtemp(prefix="parley-bench-pg-", dir="/tmp")
        out = subprocess.run([os.path.join(self.b.ROOT, "scripts", "pg-cluster"), "start", self.dir],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("bench: scripts/pg-cluster start failed: " + out.stderr[:500])
        self.conn = out.stdout.strip().splitlines()[-1]

    def stop(self):
        if self.dir:
            subprocess.run([os.path.join(self.b.ROOT, "scripts", "pg-cluster"), "stop", self.dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.dir = None

    @property
    def owned(self):
        return self.dir is not None

    def log_path(self):
        return os.path.join(self.dir, "server.log")

    def postmaster_pid(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            return int(f.readline())


def fresh_database(conninfo, name):
    """Drops and creates database `name` on the server `conninfo` reaches; returns its conninfo."""
    subprocess.run(PSQL + [conninfo, "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                   check=True, stdout=subprocess.DEVNULL)
    if re.match(r"^postgres(ql)?://", conninfo):
        u = urllib.parse.urlsplit(conninfo)
        return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))
    return f"{conninfo} dbname={name}"  # libpq: the last value of a keyword wins


# -- psql ------------------------------------------------------------------------------------------

def psql(b, conn, sql, case="psql"):
    """Runs SQL in psql (search_path set to parley's schema); returns (stdout, wall ms)."""
    return b.run_rss(PSQL + ["-At", conn], case, stdin_path=b.write_temp("SET search_path TO parley;\n" + sql))


def psql_times(b, conn, sql):
    """psql's `\\timing` of every statement in `sql`, in ms, in order (the client's clock: the
    round trip and reading the rows, not the process start or the connection)."""
    out, _ = psql(b, conn, "\\timing on\n" + sql)
    return [float(m.replace(",", "")) for m in re.findall(r"^Time: ([0-9.,]+) ms", out, re.M)]


def psql_timer(b, conn, statements, runs):
    """Median over `runs` of the summed `\\timing` of `statements` (a list), after a warm-up run."""
    text = "".join(s + "\n" for s in statements)
    times = psql_times(b, conn, text * (runs + 1))
    k = len(statements)
    sums = [sum(times[i:i + k]) for i in range(k, len(times), k)]
    return statistics.median(sums)


def rows(b, conn, sql):
    return [line.split("|") for line in psql(b, conn, sql)[0].splitlines() if line]


# -- what the server saw ---------------------------------------------------------------------------

def server_statements(server, argv, env_extra=None):
    """Runs argv with every statement logged by the server; returns the log's statements as
    [(kind, text, ms)], where ms sums the statement's parse, bind and execute."""
    log = server.log_path()
    start = os.path.getsize(log)
    env = {**os.environ, "PGOPTIONS": "-c log_min_duration_statement=0", **(env_extra or {})}
    p = subprocess.run(argv, capture_output=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(argv[:6])}… failed: {p.stderr.decode()[:500]}")
    time.sleep(0.2)
    with open(log, errors="replace") as f:
        f.seek(start)
        text = f.read()
    out, pending = [], 0.0
    for m in re.finditer(r"LOG:  duration: ([0-9.]+) ms  (parse|bind|execute|statement)(?: [^:]*)?: (.*)", text):
        ms, kind, sql = float(m.group(1)), m.group(2), m.group(3)
        pending += ms
        if kind in ("execute", "statement"):  # one round trip each
            out.append((kind, sql, pending))
            pending = 0.0
    return out


def shape(sql):
    return re.sub(r"\s+", " ", re.sub(r"\b\d+\b", "N", sql)).strip()[:90]


def per_unit(b, server, make_argv, n1, n2):
    """Round trips and server ms per unit (page, command): runs of n1 and n2 units, differenced."""
    s1 = server_statements(server, make_argv(n1))
    s2 = server_statements(server, make_argv(n2))
    d = n2 - n1
    counts = {}
    for sign, stmts in ((1, s2), (-1, s1)):
        for _, sql, ms in stmts:
            c = counts.setdefault(shape(sql), [0, 0.0])
            c[0] += sign
            c[1] += sign * ms
    top = sorted(((c / d, ms / d, s) for s, (c, ms) in counts.items() if c > 0), key=lambda x: (-x[0], -x[1]))[:5]
    return dict(round_trips=(len(s2) - len(s1)) / d,
                server_ms=(sum(x[2] for x in s2) - sum(x[2] for x in s1)) / d,
                top=[{"per_unit": round(c, 2), "server_ms": round(ms, 3), "statement": s} for c, ms, s in top])


def serialization_failures(server, since):
    """The statements the server cancelled as serialization failures since byte `since` of its log."""
    with open(server.log_path(), errors="replace") as f:
        f.seek(since)
        text = f.read()
    counts, failed = {}, set()
    for line in text.splitlines():
        m = re.search(r"\[(\d+)\] (ERROR|STATEMENT):  (.*)", line)
        if not m:
            continue
        if m.group(2) == "ERROR":
            (failed.add if "could not serialize" in m.group(3) else failed.discard)(m.group(1))
        elif m.group(1) in failed:
            failed.discard(m.group(1))
            counts[shape(m.group(3))] = counts.get(shape(m.group(3)), 0) + 1
    return sorted(((n, s) for s, n in counts.items()), reverse=True)


def cpu_seconds_of_server(server):
    """CPU seconds of the cluster so far: the postmaster, its live children and the ones it reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    pm = server.postmaster_pid()
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        if int(pid) == pm:
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        elif ppid == pm:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (every core), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# -- cases -----------------------------------------------------------------------------------------

def case_startup(b, conn, runs):
    p = b.median_of(lambda: b.run_rss([b.PARLEY, "--db", conn, "--as", b.ADMIN, "-c", "whoami"], "startup", timed=True)[1], runs)
    q = b.median_of(lambda: b.run_rss(PSQL + [conn, "-c", "select 1"], "psql", timed=True)[1], runs)
    return ("start, connect, `whoami`, exit (process)", p, q, "under 40 ms")


def agent_channels(b, conn):
    return rows(b, conn, "SELECT string_agg(channel_id::text, ',') FROM team_channels tc "
                         "JOIN team_members tm ON tm.team_id = tc.team_id WHERE tm.user_id = 2;")[0][0]


def case_queue_page(b, conn, runs):
    r = b.bench_json("command", "--db", conn, "--as", b.AGENT, "--line", "conversation list --queue new",
                     "--runs", str(runs), case="queue page")
    # The page parley shows: the first 50 ids of New on the user's channels, in id order.
    q = psql_timer(b, conn, [f"SELECT c.id, c.channel_id, c.queue, c.owner_id, c.updated_at, ct.handle FROM conversations c "
                             f"JOIN contacts ct ON ct.id = c.contact_id WHERE c.channel_id IN ({agent_channels(b, conn)}) "
                             f"AND c.queue = 'new' ORDER BY c.id LIMIT 50;"], 200)
    return ("first page (50) of New, user reaching 200 channels via teams (in-process)", r["median_ms"], q, "under 10 ms")


def case_report(b, conn, runs):
    r = b.bench_json("command", "--db", conn, "--as", b.ADMIN, "--line", "report @ch1 --since 90d", "--runs", str(runs),
                     case="report")
    msgs = int(rows(b, conn, "SELECT count(*) FROM messages WHERE channel_id = 1;")[0][0])
    q = psql_timer(b, conn, ["SELECT at / 86400000, direction, count(*) FROM messages WHERE channel_id = 1 GROUP BY 1, 2;",
                             "SELECT direction, author_user_id, count(*) FROM messages WHERE channel_id = 1 GROUP BY 1, 2;",
                             "SELECT count(*) FROM queue_events WHERE channel_id = 1;"], runs)
    return (f"report on the busiest channel ({msgs:,} messages, in-process)", r["median_ms"], q, "under 1 s")


def case_sweep(b, conn, n):
    """parley's sweep in-process, then the same conversations made due again and psql doing the
    same writes (history rows, audit rows, the UPDATE) in one transaction."""
    due = f"SELECT id FROM conversations WHERE queue = 'new' AND deadline IS NOT NULL ORDER BY id LIMIT {n}"
    psql(b, conn, f"UPDATE conversations SET deadline = 1000 WHERE id IN ({due});")
    r = b.bench_json("sweep", "--db", conn, case="sweep")
    again = "SELECT conversation_id FROM queue_events WHERE cause = 'auto-resolve' AND at = 1000"
    psql(b, conn, f"UPDATE conversations SET queue = 'new', deadline = 1000, limit_seconds = 2592000 WHERE id IN ({again}); "
                  "DELETE FROM queue_events WHERE cause = 'auto-resolve' AND at = 1000; "
                  "DELETE FROM audit WHERE action = 'conversation.auto-resolve' AND at = 1000; VACUUM ANALYZE conversations;")
    q = sum(psql_times(b, conn, """
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id) SELECT id, channel_id, deadline, queue, 'resolved', 'auto-resolve', NULL FROM conversations WHERE deadline IS NOT NULL AND deadline <= 2000;
INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value) SELECT c.deadline, 'system', NULL, 'system', 'conversation.auto-resolve', 'conversation ' || c.id, c.channel_id, c.queue, 'resolved' FROM conversations c WHERE c.deadline IS NOT NULL AND c.deadline <= 2000;
UPDATE conversations SET queue = 'resolved', owner_id = NULL, updated_at = deadline, deadline = NULL, limit_seconds = NULL WHERE deadline IS NOT NULL AND deadline <= 2000;
COMMIT;
"""))
    return (f"auto-resolve sweep: {r['detail']} (in-process)", r["median_ms"], q, "≤ 1.5× psql")


def open_conversations(b, conn, limit_per_channel=None):
    """{channel: [conversation ids not resolved]} on the channels the bench's agent reaches."""
    out = {}
    for cid, ch in rows(b, conn, f"SELECT id, channel_id FROM conversations WHERE queue != 'resolved' "
                                 f"AND channel_id IN ({agent_channels(b, conn)}) ORDER BY id;"):
        out.setdefault(int(ch), []).append(int(cid))
    if limit_per_channel:
        out = {ch: ids[:limit_per_channel] for ch, ids in out.items()}
    return out


def commands(ids_by_channel, n, seed, sql=True):
    """n commands (tag/move/note in turn) on these conversations, and the equivalent SQL for psql:
    the same writes and audit row, one serializable transaction each."""
    import random
    rng = random.Random(seed)
    pairs = [(cid, ch) for ch, ids in ids_by_channel.items() for cid in ids]
    rng.shuffle(pairs)
    script, stmts = [], []
    now = int(time.time() * 1000)
    agent = "u2@bench.example"
    for k in range(n):
        cid, ch = pairs[k % len(pairs)]

        def audit(action, new):
            return (f"INSERT INTO audit(at, actor, as_user, session, action, target, channel_id, old_value, new_value) "
                    f"VALUES ({now}, '{agent}', NULL, '--as', '{action}', 'conversation {cid}', {ch}, NULL, '{new}');")
        kind = k % 3
        if kind == 0:
            tag = f"t{rng.randrange(50)}"
            script.append(f"conversation tag {cid} {tag}")
            body = (f"INSERT INTO conversation_tags VALUES ({cid}, 's{tag}') ON CONFLICT DO NOTHING; "
                    f"UPDATE conversations SET updated_at = {now} WHERE id = {cid}; {audit('conversation.tag', tag)}")
        elif kind == 1:
            q = "pending" if k % 2 else "new"
            script.append(f"conversation move {cid} {q}")
            body = (f"UPDATE conversations SET queue = '{q}', deadline = {now} + 2592000000, limit_seconds = 2592000, "
                    f"updated_at = {now} WHERE id = {cid}; "
                    f"INSERT INTO queue_events(conversation_id, channel_id, at, from_queue, to_queue, cause, user_id) "
                    f"VALUES ({cid}, {ch}, {now}, 'new', '{q}', 'agent', 2); {audit('conversation.move', q)}")
        else:
            script.append(f'conversation note {cid} "bench note {k}: customer called back"')
            body = (f"INSERT INTO notes(conversation_id, author_id, author_label, text, at) "
                    f"VALUES ({cid}, 2, '{agent}', 'bench note {k}: customer called back', {now}); "
                    f"UPDATE conversations SET updated_at = {now} WHERE id = {cid}; {audit('conversation.note', 'bench note')}")
        if sql:
            stmts.append(f"BEGIN ISOLATION LEVEL SERIALIZABLE; {body} COMMIT;")
    return script, stmts


def case_script(b, server, conn, n):
    """The script in parley and its SQL in psql, with the CPU time each spent, client and server."""
    script, stmts = commands(open_conversations(b, conn), n, 7)
    path = b.write_temp("\n".join(script) + "\n")
    p = run_procs([([b.PARLEY, "--db", conn, "--as", b.AGENT, "-f", path], None)], server)
    q = run_procs([(PSQL + [conn], b.write_temp("SET search_path TO parley;\n" + "\n".join(stmts) + "\n"))], server)
    cpu = {"parley": p, "psql": q}
    return (f"script of {n:,} commands (tag/move/note, one transaction each)", p["wall"] * 1000, q["wall"] * 1000,
            "≤ 1.5× psql", n), cpu


# -- concurrent writers ----------------------------------------------------------------------------

def run_procs(procs, server=None, conn=None):
    """Runs processes at once, each (argv, stdin path or None); returns wall s, their CPU s, the
    server's CPU s (own cluster only), the machine's busy CPU s, and the server's rollbacks
    (transactions run again)."""
    cpu0 = cpu_seconds_of_server(server) if server and server.owned else None
    busy0 = machine_busy_seconds()
    x0 = xact_counts_quiet(conn) if conn else None
    start = time.perf_counter()
    running = []
    for argv, stdin_path in procs:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        running.append((argv, subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=stdin)))
    client = 0.0
    for argv, p in running:
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {' '.join(argv[:6])}… failed: {err.decode()[:500]}")
        client += usage.ru_utime + usage.ru_stime
    wall = time.perf_counter() - start
    busy = machine_busy_seconds() - busy0
    srv = cpu_seconds_of_server(server) - cpu0 if cpu0 is not None else None
    rollbacks = xact_counts_quiet(conn)[1] - x0[1] if conn else None
    return dict(wall=wall, client_cpu=client, server_cpu=srv, machine_busy=busy, rollbacks=rollbacks)


def xact_counts_quiet(conn):
    """(commits, rollbacks) of the database so far, after the statistics collector caught up."""
    out = subprocess.run(PSQL + ["-At", conn, "-c", "SELECT pg_stat_clear_snapshot()", "-c",
                                 "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()"],
                         capture_output=True, text=True, check=True).stdout.split()[-1].split("|")
    return int(out[0]), int(out[1])


def writers_run(b, db, scripts, server=None, conn=None):
    return run_procs([([b.PARLEY, "--db", db, "--as", b.AGENT, "-f", s], None) for s in scripts], server, conn)


def case_concurrency(b, server, conn, sqlite_db, per_writer, reps):
    """1, 2, 4 and 8 writers, each a script of `per_writer` commands on the conversations of a
    channel of its own, on PostgreSQL and on the SQLite file."""
    by_channel = open_conversations(b, conn, limit_per_channel=2000)
    busiest = sorted(by_channel, key=lambda ch: -len(by_channel[ch]))[:max(WRITERS)]
    scripts = []
    for i, ch in enumerate(busiest):
        script, _ = commands({ch: by_channel[ch]}, per_writer, 100 + i, sql=False)
        scripts.append(b.write_temp("\n".join(script) + "\n"))
    curve = []
    for k in WRITERS:
        point = {"writers": k}
        for store, db in (("postgres", conn), ("sqlite", sqlite_db)):
            runs = [writers_run(b, db, scripts[:k], server if store == "postgres" else None,
                                conn if store == "postgres" else None) for _ in range(reps)]
            mid = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
            mid["per_s"] = k * per_writer / mid["wall"]
            point[store] = mid
        curve.append(point)
        pg, sq = point["postgres"], point["sqlite"]
        print(f"  {k} writer(s): PostgreSQL {pg['per_s']:,.0f}/s, SQLite {sq['per_s']:,.0f}/s", file=sys.stderr, flush=True)
    return curve, [by_channel[ch].__len__() for ch in busiest]


# -- main ------------------------------------------------------------------------------------------

def main(b, scale):
    s = b.SCALES[scale]
    os.makedirs(b.WORK, exist_ok=True)
    sqlite_db = os.path.join(b.WORK, f"bench-{scale}-pg.db")
    runs = s["runs"]
    started = time.time()
    server = Server(b)
    owned = not os.environ.get("PARLEY_BENCH_PG")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print(f"== generating the {scale} organisation in SQLite ({s['conversations']:,} conversations)", file=sys.stderr)
        b.generate(sqlite_db, s, lambda n: None)
        # The rows went in by SQL, past parley's writes: count the report figures from them.
        b.run_rss([b.PARLEY, "--db", sqlite_db, "--as", b.ADMIN, "-c", "doctor --rebuild-report-figures"], "rebuild")
        gen_s = time.time() - started
        print("== PostgreSQL server", file=sys.stderr)
        server.start()
        conn = server.conn
        settings = dict(rows(b, conn, "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
                                      "('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem', "
                                      "'max_connections', 'server_version');"))
        print(f"== copying it into PostgreSQL ({'throwaway cluster' if server.owned else 'PARLEY_BENCH_PG'})", file=sys.stderr)
        t = time.perf_counter()
        copy_out, _ = b.run_rss([b.PARLEY, "db", "copy", sqlite_db, conn], "db copy")
        copy_s = time.perf_counter() - t
        t = time.perf_counter()
        psql(b, conn, "VACUUM ANALYZE;")
        vacuum_s = time.perf_counter() - t
        print(f"   copied in {copy_s:.1f}s ({copy_out.strip().splitlines()[-1] if copy_out.strip() else ''}); "
              f"VACUUM ANALYZE {vacuum_s:.1f}s", file=sys.stderr)

        trips = {}
        if server.owned:
            print("== round trips (server log)", file=sys.stderr)
            trips["queue page"] = per_unit(b, server, lambda n: [b.BENCH, "command", "--db", conn, "--as", b.AGENT, "--line",
                                                               "conversation list --queue new", "--runs", str(n)], 1, 3)
            cmds, _ = commands(open_conversations(b, conn, 50), 60, 3, sql=False)

            def script_argv(n):
                return [b.PARLEY, "--db", conn, "--as", b.AGENT, "-f", b.write_temp("\n".join(cmds[:n]) + "\n")]
            trips["command (tag/move/note)"] = per_unit(b, server, script_argv, 30, 60)
            if scale == "small":  # at large its log would hold millions of statements
                trips["report on the busiest channel"] = per_unit(
                    b, server, lambda n: [b.BENCH, "command", "--db", conn, "--as", b.ADMIN, "--line", "report @ch1 --since 90d",
                                          "--runs", str(n)], 1, 2)
            for k, v in trips.items():
                print(f"   {k}: {v['round_trips']:.1f} round trips, {v['server_ms']:.2f} ms in the server", file=sys.stderr)

        print("== cases", file=sys.stderr)
        table = [case_startup(b, conn, runs), case_queue_page(b, conn, runs), case_report(b, conn, 5),
                 case_sweep(b, conn, s["sweep"])]
        row, script_cpu = case_script(b, server, conn, s["commands"])
        table.append(row)
        print("== concurrent writers", file=sys.stderr)
        per_writer = PER_WRITER.get(scale, 200)
        log_at = os.path.getsize(server.log_path()) if server.owned else None
        curve, _ = case_concurrency(b, server, conn, sqlite_db, per_writer, 3 if scale == "small" else 1)
        failures = serialization_failures(server, log_at) if server.owned else []
    finally:
        server.stop()

    cores = os.cpu_count()
    print()
    print(f"parley bench on PostgreSQL {settings.get('server_version', '?')}, scale {scale}: {s['conversations']:,} conversations, "
          f"{3 * s['conversations']:,} messages, {s['users'] + s['extra_users']:,} users, {s['teams']} teams, "
          f"{s['channels']:,} channels; medians; {cores} cores")
    print()
    print(f"server: {'throwaway cluster (scripts/pg-cluster), Unix socket' if owned else 'PARLEY_BENCH_PG'}; "
          + ", ".join(f"{k}={v}" for k, v in sorted(settings.items()) if k != "server_version")
          + " (no durability: commits never wait for the disk, for parley and psql alike)")
    print(f"setup: SQLite generated in {gen_s:.0f}s; `parley db copy` into PostgreSQL {copy_s:.1f}s "
          f"(rows compared after the copy); VACUUM ANALYZE {vacuum_s:.1f}s")
    print()
    print("| case | parley | psql | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for row in table:
        name, p, q, target = row[:4]
        extra = f" ({row[4] / (p / 1000):,.0f}/s)" if len(row) > 4 else ""
        extra_q = f" ({row[4] / (q / 1000):,.0f}/s)" if len(row) > 4 else ""
        print(f"| {name} | {p:,.2f} ms{extra} | {q:,.2f} ms{extra_q} | {p / q:.2f}× | {target} |")
    print()
    n = s["commands"]
    parts = []
    for k, v in script_cpu.items():
        srv = "–" if v["server_cpu"] is None else f"{1000 * v['server_cpu'] / n:.3f}"
        parts.append(f"{k} {1000 * v['client_cpu'] / n:.3f} + {srv}")
    print("CPU per command of the script (ms; client process + server): " + "; ".join(parts))
    print()
    if trips:
        print("round trips (server log, log_min_duration_statement=0; per unit, runs differenced):")
        print()
        for k, v in trips.items():
            print(f"- {k}: {v['round_trips']:.1f} round trips, {v['server_ms']:.2f} ms of server time; most sent:")
            for t in v["top"]:
                print(f"    {t['per_unit']:g} × ({t['server_ms']:.3f} ms) {t['statement']}")
        print()
    print(f"concurrent writers: each a `parley -f` script of {per_writer:,} commands (tag/move/note) on a channel of its own; "
          "total commands/s (growth over one writer)")
    print()
    print("| writers | PostgreSQL | growth | SQLite | growth |")
    print("|---:|---:|---:|---:|---:|")
    pg1, sq1 = curve[0]["postgres"]["per_s"], curve[0]["sqlite"]["per_s"]
    for c in curve:
        pg, sq = c["postgres"]["per_s"], c["sqlite"]["per_s"]
        print(f"| {c['writers']} | {pg:,.0f}/s | {pg / pg1:.2f}× | {sq:,.0f}/s | {sq / sq1:.2f}× |")
    print()
    print(f"where the PostgreSQL writers' time goes (CPU seconds; {cores} cores give {cores} CPU s per wall s):")
    print()
    print("| writers | wall s | parley CPU s | server CPU s | other processes CPU s | idle CPU s | CPU ms / command | "
          "ceiling on idle cores | transactions run again |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in curve:
        r = c["postgres"]
        srv = r["server_cpu"]
        other = r["machine_busy"] - r["client_cpu"] - (srv or 0)
        idle = cores * r["wall"] - r["machine_busy"]
        per_cmd = (r["client_cpu"] + (srv or 0)) / (c["writers"] * per_writer) * 1000
        ceiling = min(c["writers"], cores) / per_cmd * 1000 if srv is not None else None
        print(f"| {c['writers']} | {r['wall']:.2f} | {r['client_cpu']:.2f} | {'–' if srv is None else f'{srv:.2f}'} | "
              f"{max(other, 0):.2f} | {max(idle, 0):.2f} | {per_cmd:.3f} | "
              f"{'–' if ceiling is None else f'{ceiling:,.0f}/s'} | {r['rollbacks']} |")
    print()
    print("ceiling on idle cores: min(writers, cores) / (parley + server CPU per command): what the writers would reach "
          "if nothing else ran and they never waited on each other")
    if failures:
        print()
        print("statements cancelled as serialization failures (then run again), all runs of the writers:")
        print()
        for n, sql in failures[:5]:
            print(f"- {n} × {sql}")
    print()
    print("peak RSS (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(b.PEAK_RSS.items())))
    print(f"\ntotal {time.time() - started:.0f}s")
    with open(os.path.join(b.WORK, f"results-postgres-{scale}.json"), "w") as f:
        json.dump({"scale": scale, "settings": settings, "script_cpu": script_cpu, "copy_s": copy_s, "vacuum_s": vacuum_s, "rows": [list(r) for r in table],
                   "round_trips": trips, "writers": curve, "peak_rss_mb": b.PEAK_RSS}, f, indent=1)
    for t in b._temps:
        if os.path.exists(t):
            os.remove(t)
