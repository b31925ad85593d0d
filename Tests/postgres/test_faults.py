"""parley on PostgreSQL when things go wrong: the server restarts under a running script, is not there
at all, refuses the password, or a transaction keeps losing to others."""

import os
import re
import socket
import subprocess
import time

from .conftest import BIN, ENV, PG_BIN, Org

ADA = "ada@acme.example"


def org(pg):
    pg.ok(stdin=Org().channel("@acme_help", "Acme Help").grant("@acme_help", ADA, "supervisor")
          .inbound("@acme_help", "@carol", "hello").script)


# -- the server restarts under a script -----------------------------------------------------------

def numbered_script(tmp_path, count):
    lines = []
    for k in range(1, count + 1):
        lines.append(f"conversation note 1 n{k}" if k % 2 else f"conversation tag 1 t{k}")
    path = tmp_path / "numbered.parley"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def failed_lines(stderr, script):
    return {int(n) for n in re.findall(re.escape(script) + r":(\d+):", stderr)}


def run_through_restarts(pg, tmp_path, on_error, restarts=2, count=600):
    org(pg)
    script = numbered_script(tmp_path, count)
    p = pg.spawn("--as", ADA, "--on-error", on_error, "-f", script)
    try:
        for r in range(restarts):
            target = (r + 1) * count // (restarts + 2)
            deadline = time.time() + 120
            while pg.count("SELECT count(*) FROM parley.audit "
                           "WHERE action IN ('conversation.note', 'conversation.tag')") < target:
                assert p.poll() is None, pg.finish(p)
                assert time.time() < deadline, "the script made no progress"
                time.sleep(0.05)
            pg.cluster.pg_ctl("restart", "-m", "fast")
    finally:
        out, err = pg.finish(p)
    notes = pg.sql("SELECT text FROM parley.notes")
    tags = pg.sql("SELECT tag FROM parley.conversation_tags")
    audited = pg.sql("SELECT new_value FROM parley.audit WHERE action = 'conversation.note'")
    return p.returncode, out, err, script, notes, tags, audited


def check_each_once(count, err, script, notes, tags, audited, stopped_after=None):
    # A note or a tag is there once, or not at all; every command not reported failed is there.
    assert len(notes) == len(set(notes)) and len(audited) == len(set(audited)), "a command was applied twice"
    failed = failed_lines(err, script)
    last = stopped_after or count
    expected_notes = {f"n{k}" for k in range(1, last + 1, 2) if k not in failed}
    expected_tags = {f"t{k}" for k in range(2, last + 1, 2) if k not in failed}
    assert set(notes) == expected_notes, (sorted(set(notes) ^ expected_notes), err)
    assert set(tags) == expected_tags, (sorted(set(tags) ^ expected_tags), err)
    return failed


def test_a_script_rides_out_server_restarts_with_on_error_continue(own_pg, tmp_path):
    code, out, err, script, notes, tags, audited = run_through_restarts(own_pg, tmp_path, "continue")
    failed = check_each_once(600, err, script, notes, tags, audited)
    # The command in flight when the server went away was run again on a new connection, silently.
    assert failed == set() and code == 0 and err == "", err
    assert out.count("note added to conversation 1") == 300


def test_a_script_rides_out_server_restarts_with_on_error_stop(own_pg, tmp_path):
    code, out, err, script, notes, tags, audited = run_through_restarts(own_pg, tmp_path, "stop")
    failed = check_each_once(600, err, script, notes, tags, audited,
                             stopped_after=min(failed_lines(err, script) or {600}))
    assert failed == set() and code == 0 and err == "", err


def test_a_server_that_stays_away_fails_the_command_and_the_script_stops(own_pg, tmp_path):
    """The server stops for longer than parley waits: the command in flight fails with one line
    naming the server, nothing half done, and `--on-error stop` ends the script there."""
    org(own_pg)
    script = numbered_script(tmp_path, 400)
    p = own_pg.spawn("--as", ADA, "-f", script, env={"PARLEY_PG_RETRY_SECONDS": "2"})
    deadline = time.time() + 120
    while own_pg.count("SELECT count(*) FROM parley.notes") < 50:
        assert p.poll() is None and time.time() < deadline, own_pg.finish(p, timeout=0)
        time.sleep(0.05)
    own_pg.cluster.pg_ctl("stop", "-m", "fast")
    try:
        out, err = own_pg.finish(p, timeout=60)
    finally:
        own_pg.cluster.pg_ctl("start")
    assert p.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "PostgreSQL" in lines[0] and own_pg.cluster.host in lines[0] and "5432" in lines[0], lines[0]
    (stopped,) = failed_lines(err, script)
    notes = own_pg.sql("SELECT text FROM parley.notes")
    tags = own_pg.sql("SELECT tag FROM parley.conversation_tags")
    audited = own_pg.sql("SELECT new_value FROM parley.audit WHERE action = 'conversation.note'")
    check_each_once(400, err, script, notes, tags, audited, stopped_after=stopped - 1)


def test_a_transaction_open_across_a_restart_is_lost_whole_and_said_so(own_pg):
    """`begin` … `commit` across a restart: the server dropped what the transaction held, so every
    command until `commit` fails, `commit` fails, nothing of it is kept, and the script goes on
    after it on a new connection."""
    org(own_pg)
    p = own_pg.spawn("--as", ADA, "--on-error", "continue", stdin=subprocess.PIPE)
    p.stdin.write("begin\nconversation note 1 inside-1\nconversation note 1 inside-2\n")
    p.stdin.flush()
    out_file = p.outputs[0]
    deadline = time.time() + 30
    while True:
        out_file.seek(0)
        if out_file.read().count("note added") == 2:
            break
        assert time.time() < deadline and p.poll() is None, own_pg.finish(p, timeout=0)
        time.sleep(0.05)
    assert own_pg.count("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                        "AND backend_xid IS NOT NULL") == 1
    own_pg.cluster.pg_ctl("restart", "-m", "fast")
    p.stdin.write("conversation note 1 inside-3\ncommit\nconversation note 1 after\n")
    p.stdin.close()
    out, err = own_pg.finish(p, timeout=120)
    assert p.returncode == 1, (out, err)
    assert own_pg.sql("SELECT text FROM parley.notes ORDER BY id") == ["after"], (out, err)
    assert "committed" not in out.splitlines(), out
    errors = err.strip().splitlines()
    assert len(errors) == 2, err
    assert errors[0].startswith("<stdin>:4: error: lost the connection to PostgreSQL"), errors
    assert "nothing of it will be kept" in errors[0] and own_pg.cluster.host in errors[0], errors
    assert errors[1].startswith("<stdin>:5: error: lost the connection"), errors
    assert out.count("note added") == 3, out  # two inside `begin` (lost), and the one after


# -- the server is not there, or refuses the password ---------------------------------------------

def one_line_exit_2(r):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and r.stdout == "", (r.stdout, r.stderr)
    return lines[0]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_parley(db, *args, env=None):
    return subprocess.run([BIN, "--db", db, *args], capture_output=True, text=True, timeout=60,
                          env={**ENV, **(env or {})})


def test_a_server_that_is_not_there_is_one_line_naming_host_and_port_and_exit_2(tmp_path):
    port = free_port()
    line = one_line_exit_2(run_parley(f"host=127.0.0.1 port={port} dbname=parley connect_timeout=5", "-c", "whoami"))
    assert "cannot connect to PostgreSQL" in line and "127.0.0.1" in line and str(port) in line, line
    folder = str(tmp_path)
    line = one_line_exit_2(run_parley(f"postgresql:///parley?host={folder}", "-c", "whoami"))
    assert "cannot connect to PostgreSQL" in line and folder in line and "5432" in line, line
    # In sync mode too.
    line = one_line_exit_2(run_parley(f"host={folder} dbname=parley", "sync"))
    assert folder in line


SECRET = "Wr0ng-S3cret-xyzzy"
RIGHT = "R1ght-Pa55-plugh"


def password_role(pg):
    """Role alice, with a password the server asks for on its socket (pg_hba.conf: scram-sha-256
    for alice, before the suite's trust lines)."""
    cluster = pg.cluster
    if not cluster.psql("SELECT 1 FROM pg_roles WHERE rolname = 'alice'"):
        cluster.psql(f"CREATE ROLE alice LOGIN PASSWORD '{RIGHT}'")
        hba = os.path.join(cluster.folder, "data", "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("local all alice scram-sha-256\n" + rules)
        cluster.psql("SELECT pg_reload_conf()")
        time.sleep(0.3)
    cluster.psql(f"ALTER DATABASE {pg.name} OWNER TO alice")
    return cluster.host


def test_a_wrong_password_is_one_line_exit_2_and_never_shown(own_pg):
    host = password_role(own_pg)
    attempts = [
        (f"host={host} dbname={own_pg.name} user=alice password={SECRET}", {}),
        (f"postgresql://alice:{SECRET}@/{own_pg.name}?host={host}", {}),
        (f"host={host} dbname={own_pg.name} user=alice", {"PGPASSWORD": SECRET}),
    ]
    for db, env in attempts:
        for args in (["-c", "whoami"], ["sync"]):
            r = run_parley(db, *args, env=env)
            line = one_line_exit_2(r)
            assert "password authentication failed" in line and "alice" in line, line
            assert SECRET not in r.stdout + r.stderr, line
    # The right password works, and is kept nowhere: not in the output, not in the database.
    right = f"postgresql://alice:{RIGHT}@/{own_pg.name}?host={host}"
    r = run_parley(right, "-c", f"init {ADA} --name Ada --sandbox")
    assert r.returncode == 0, r.stderr
    r = run_parley(right, "--as", ADA, "-c", "audit; whoami; conversation note 999 x")
    assert RIGHT not in r.stdout + r.stderr
    dump = own_pg.cluster.as_owner(os.path.join(PG_BIN, "pg_dump"), "-h", host, "-U", "postgres", own_pg.name)
    assert dump.returncode == 0, dump.stderr
    assert RIGHT not in dump.stdout and "audit" in dump.stdout


# -- a transaction that can never win -------------------------------------------------------------

def force_conflicts(pg, code, times=None):
    """Every insert of a note fails with SQLSTATE `code` (`times` times, else always)."""
    limit = "true" if times is None else f"nextval('public.conflicts') <= {times}"
    pg.sql(f"""
        CREATE SEQUENCE public.conflicts;
        CREATE FUNCTION public.conflict() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {limit} THEN RAISE EXCEPTION 'forced by the test' USING ERRCODE = '{code}'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER conflict BEFORE INSERT ON parley.notes FOR EACH ROW EXECUTE FUNCTION public.conflict();
    """)


def test_a_conflict_that_passes_is_retried_without_a_word(pg):
    org(pg)
    force_conflicts(pg, "40001", times=5)
    r = pg.run("--as", ADA, "-c", "conversation note 1 once")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert pg.sql("SELECT text FROM parley.notes") == ["once"]
    assert pg.count("SELECT count(*) FROM parley.audit WHERE action = 'conversation.note'") == 1


def test_a_conflict_while_a_sweep_is_due_runs_sweep_and_command_again_together(pg):
    # The sweep runs first in the command's transaction and the command in a savepoint: a lost
    # conflict inside the command runs both again, so the sweep is neither lost nor done twice.
    pg.ok(stdin=Org().channel("@acme_help", "Acme Help").grant("@acme_help", ADA, "supervisor")
          .inbound("@acme_help", "@carol", "hello").inbound("@acme_help", "@dave", "hi").script)
    pg.sql("UPDATE parley.conversations SET deadline = 1 WHERE id = 2")
    force_conflicts(pg, "40001", times=3)
    r = pg.run("--as", ADA, "-c", "conversation note 1 once")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert pg.sql("SELECT text FROM parley.notes") == ["once"]
    assert pg.sql("SELECT queue FROM parley.conversations ORDER BY id") == ["new", "resolved"]
    assert pg.count("SELECT count(*) FROM parley.audit WHERE action = 'conversation.auto-resolve'") == 1
    assert pg.count("SELECT count(*) FROM parley.queue_events WHERE cause = 'auto-resolve'") == 1


def test_a_conflict_that_never_passes_fails_after_the_retry_window_with_a_clear_line(pg):
    org(pg)
    force_conflicts(pg, "40001")
    started = time.time()
    r = pg.run("--as", ADA, "-c", "conversation note 1 never", env={"PARLEY_PG_RETRY_SECONDS": "1.5"})
    elapsed = time.time() - started
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "-c:1: error:" in lines[0] and "concurrent" in lines[0] and "1.5" in lines[0] and "SQLSTATE 40001" in lines[0]
    assert "nothing was changed" in lines[0], lines[0]
    assert 1.5 <= elapsed < 10, elapsed
    assert pg.count("SELECT count(*) FROM parley.notes") == 0
    assert pg.count("SELECT count(*) FROM parley.audit WHERE action = 'conversation.note'") == 0
    # A deadlock is retried and reported the same way.
    pg.sql("DROP TRIGGER conflict ON parley.notes; DROP FUNCTION public.conflict(); DROP SEQUENCE public.conflicts")
    force_conflicts(pg, "40P01")
    r = pg.run("--as", ADA, "-c", "conversation note 1 never", env={"PARLEY_PG_RETRY_SECONDS": "1"})
    assert r.returncode == 1 and "SQLSTATE 40P01" in r.stderr and "concurrent" in r.stderr, r.stderr


def test_the_retry_window_must_be_a_number_of_seconds(pg):
    org(pg)
    for bad in ("soon", "-1", "1e9"):
        line = one_line_exit_2(pg.run("--as", ADA, "-c", "whoami", env={"PARLEY_PG_RETRY_SECONDS": bad}))
        assert "PARLEY_PG_RETRY_SECONDS" in line and repr(bad)[1:-1] in line, line
