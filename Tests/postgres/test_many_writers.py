"""Several parleys writing one PostgreSQL database at once: the rules that read before they write hold
as if the commands had run one after the other, and a transaction that loses to a concurrent one is
run again without the user seeing it."""

import time

from .conftest import Org, race

ADA = "ada@acme.example"


def org(pg, *extra):
    """A sandbox organisation on `pg`: ada (admin, supervisor of @acme_help), cora and dora
    (contributors), auto-ownership on (the default)."""
    o = (Org()
         .user("cora@acme.example", "Cora")
         .user("dora@acme.example", "Dora")
         .channel("@acme_help", "Acme Help")
         .grant("@acme_help", ADA, "supervisor")
         .grant("@acme_help", "cora@acme.example", "contributor")
         .grant("@acme_help", "dora@acme.example", "contributor"))
    for line in extra:
        o.line(line)
    pg.ok(stdin=o.script)
    return pg


def inbound(n, prefix="cust"):
    return "".join(f"conversation inbound @acme_help --from @{prefix}{i} \"hello {i}\"\n" for i in range(1, n + 1))


def test_two_first_replies_at_once_make_one_owner_the_first_replier(pg):
    rounds = 20
    org(pg)
    pg.ok("--as", ADA, stdin=inbound(rounds))
    won = {"cora@acme.example": 0, "dora@acme.example": 0}
    for n in range(1, rounds + 1):
        results = race([(pg, ["--as", who], f"conversation reply {n} reply from {who}\n")
                        for who in ("cora@acme.example", "dora@acme.example")])
        for code, out, err in results:
            assert code == 0, err
        # Exactly one of the two was told it owns the conversation now.
        told = [who for who, (_, out, _) in zip(("cora@acme.example", "dora@acme.example"), results)
                if "you own it now" in out]
        assert len(told) == 1, (n, results)
        rows = pg.sql(f"SELECT author_label FROM parley.messages WHERE conversation_id = {n} AND direction = 'out' "
                      f"ORDER BY id")
        # Both replies are stored, once each.
        assert sorted(rows) == ["cora@acme.example", "dora@acme.example"], (n, rows)
        owner = pg.value(f"SELECT u.email FROM parley.conversations c JOIN parley.users u ON u.id = c.owner_id "
                         f"WHERE c.id = {n}")
        # The owner wrote the reply committed first: both write the conversation's row, so the one
        # that committed second started after the first had committed, and its rows come later.
        assert owner == rows[0] == told[0], (n, owner, rows, told)
        won[owner] += 1
        owned = pg.count(f"SELECT count(*) FROM parley.audit WHERE action = 'conversation.owner' "
                         f"AND target = 'conversation {n}'")
        assert owned == 1, (n, owned)
    assert sum(won.values()) == rounds


def test_two_admins_disabling_each_other_at_once_leave_one_enabled_admin(pg):
    rounds = 20
    org(pg, "user add bob@acme.example --name Bob --role admin")
    outcomes = set()
    for n in range(rounds):
        results = race([(pg, ["--as", ADA, "--on-error", "continue"], "user disable bob@acme.example\n"),
                        (pg, ["--as", "bob@acme.example", "--on-error", "continue"], f"user disable {ADA}\n")])
        enabled = pg.sql("SELECT email FROM parley.users WHERE role = 'admin' AND enabled = 1 ORDER BY email")
        assert len(enabled) == 1, (n, enabled, results)
        codes = [code for code, _, _ in results]
        assert sorted(codes) == [0, 1], (n, results)
        loser = results[codes.index(1)][2]
        # The loser was refused by the rule, or found itself disabled: never a database error.
        assert "last enabled admin" in loser or "disabled" in loser, loser
        assert "SQLSTATE" not in loser and "database error" not in loser, loser
        outcomes.add(enabled[0])
        pg.ok("--as", enabled[0], "-c", f"user enable {'bob@acme.example' if enabled[0] == ADA else ADA}")
    # Log of the runs: who kept the organisation (either may win a round).
    assert outcomes <= {ADA, "bob@acme.example"}


def queue_history(pg, n):
    return [tuple(r.split("|")) for r in pg.sql(
        f"SELECT coalesce(from_queue, ''), to_queue, cause FROM parley.queue_events WHERE conversation_id = {n} ORDER BY id")]


def test_an_inbound_message_and_a_resolve_at_once_end_where_the_queue_rules_say(pg):
    rounds = 20
    org(pg)
    script = inbound(rounds) + "".join(f"conversation assign {i} cora@acme.example; conversation move {i} pending\n"
                                       for i in range(1, rounds + 1))
    pg.ok("--as", ADA, stdin=script)
    orders = set()
    for n in range(1, rounds + 1):
        before = len(queue_history(pg, n))
        results = race([(pg, ["--as", ADA], f"conversation inbound @acme_help --from @cust{n} \"again {n}\"\n"),
                        (pg, ["--as", "cora@acme.example"], f"conversation move {n} resolved\n")])
        for code, out, err in results:
            assert code == 0, err
        history = queue_history(pg, n)
        new = history[before:]
        assert len(new) == 2, (n, history)
        # Each event starts where the one before it left the conversation: neither command worked
        # from a state the other had already changed.
        for a, b in zip(history, history[1:]):
            assert b[0] == a[1], (n, history)
        queue, owner, deadline = pg.value(
            f"SELECT queue, coalesce(owner_id::text, ''), coalesce(deadline::text, '') FROM parley.conversations "
            f"WHERE id = {n}").split("|")
        if [e[2] for e in new] == ["returned", "agent"]:
            # The message came first (Pending → New, owner kept), then the resolve: Resolved, no owner.
            assert new == [("pending", "new", "returned"), ("new", "resolved", "agent")], new
            assert (queue, owner, deadline) == ("resolved", "", ""), (n, queue, owner, deadline)
        else:
            # The resolve came first, then the message reopened it: New, no owner.
            assert new == [("pending", "resolved", "agent"), ("resolved", "new", "reopened")], (n, new)
            assert queue == "new" and owner == "", (n, queue, owner)
        orders.add(new[0][2])
        assert pg.count(f"SELECT count(*) FROM parley.messages WHERE conversation_id = {n} AND text = 'again {n}'") == 1


def test_many_writers_on_the_same_rows_see_no_conflict(pg):
    """Every command of six parleys writes the same rows (the sandbox's message counter, one
    conversation, its tags): PostgreSQL aborts many of their transactions, parley runs them again,
    and no user sees an error."""
    org(pg)
    pg.ok("--as", ADA, "-c", "conversation inbound @acme_help --from @carol first")
    writers, each = 6, 60
    scripts = []
    for w in range(writers):
        lines = []
        for k in range(each):
            lines.append(f"conversation inbound @acme_help --from @carol \"w{w} m{k}\"")
            lines.append(f"conversation tag 1 w{w}k{k}")
        scripts.append((pg, ["--as", ADA], "\n".join(lines) + "\n"))
    started = time.time()
    results = race(scripts)
    for code, out, err in results:
        assert code == 0 and err == "", err[-2000:]
    assert pg.count("SELECT count(*) FROM parley.messages WHERE conversation_id = 1") == 1 + writers * each
    assert pg.count("SELECT count(DISTINCT platform_id) FROM parley.messages") == 1 + writers * each
    assert pg.count("SELECT count(*) FROM parley.conversation_tags WHERE conversation_id = 1") == writers * each
    assert pg.value("SELECT value FROM parley.meta WHERE key = 'sandbox_seq'") == str(1 + writers * each)
    assert time.time() - started < 120
