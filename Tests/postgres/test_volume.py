"""Eight parleys, each running a script of 2,000 commands, on one PostgreSQL database: nothing lost,
nothing twice, no error, and one audit row per command."""

import os
import time

from .conftest import Org

ADA = "ada@acme.example"
WRITERS = 8
COMMANDS = 2000


def test_eight_scripts_of_2000_commands_at_once_lose_nothing(pg, tmp_path):
    o = Org().channel("@acme_help", "Acme Help").grant("@acme_help", ADA, "supervisor")
    for i in range(1, 5):
        o.inbound("@acme_help", f"@cust{i}", f"hello {i}")
    pg.ok(stdin=o.script)
    audit_before = pg.count("SELECT count(*) FROM parley.audit")
    scripts = []
    for w in range(WRITERS):
        lines = []
        for k in range(COMMANDS):
            conversation = 1 + (w + k) % 4  # every writer works on every conversation
            if k % 2 == 0:
                lines.append(f"conversation note {conversation} w{w} n{k}")
            else:
                # Each bumps the sandbox's message counter: a read, then a write, of one row.
                lines.append(f"conversation inbound @acme_help --from @cust{conversation} w{w} m{k}")
        path = tmp_path / f"w{w}.parley"
        path.write_text("\n".join(lines) + "\n")
        scripts.append(str(path))
    started = time.time()
    procs = [pg.spawn("--as", ADA, "-f", path) for path in scripts]
    results = [pg.finish(p, timeout=600) for p in procs]
    elapsed = time.time() - started
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and err == "", err[-2000:]
    notes = pg.sql("SELECT text FROM parley.notes")
    assert len(notes) == len(set(notes)) == WRITERS * COMMANDS // 2
    assert set(notes) == {f"w{w} n{k}" for w in range(WRITERS) for k in range(0, COMMANDS, 2)}
    inbound = pg.sql("SELECT platform_id FROM parley.messages WHERE text LIKE 'w%'")
    assert len(inbound) == len(set(inbound)) == WRITERS * COMMANDS // 2
    assert pg.value("SELECT value FROM parley.meta WHERE key = 'sandbox_seq'") == str(4 + WRITERS * COMMANDS // 2)
    assert pg.count("SELECT count(*) FROM parley.audit") - audit_before == WRITERS * COMMANDS
    with open(os.environ.get("PARLEY_TEST_TIMINGS", os.devnull), "a") as log:
        log.write(f"{WRITERS} x {COMMANDS} commands: {elapsed:.1f}s\n")
    # The time goes to PARLEY_TEST_TIMINGS when set; the bound catches a run gone wrong (a stall,
    # retries without end), with room for a machine busy with other work.
    assert elapsed < 180, f"{WRITERS} scripts of {COMMANDS} commands took {elapsed:.1f}s"
