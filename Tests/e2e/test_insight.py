"""Insight commands on sandbox stories with known answers: report, can, who-can, channel access,
audit, autoresolve preview/run, doctor, demo and its scripts."""

import json
import os

import pytest

from conftest import ROOT, Org, new_database, run, sql


def parley(db, *args, stdin=None):
    return run(db, *args, stdin=stdin, timeout=60)


def ok(db, *args, stdin=None):
    r = parley(db, *args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    return r.stdout


def js(db, *args):
    return json.loads(ok(db, "--json", *args))


def insight_org():
    """Ada; on @help, sam a supervisor, cora and kim contributors, vic a viewer; nobody without a role."""
    return (Org(name="Ada")
            .user("sam@acme.example", "Sam").user("cora@acme.example", "Cora").user("kim@acme.example", "Kim")
            .user("vic@acme.example", "Vic").user("nobody@acme.example", "Nobody")
            .channel("@help")
            .grant("@help", "sam@acme.example", "supervisor")
            .grant("@help", "cora@acme.example", "contributor")
            .grant("@help", "kim@acme.example", "contributor")
            .grant("@help", "vic@acme.example", "viewer"))


@pytest.fixture
def db(tmp_path):
    return insight_org().build(str(tmp_path / "org.db"))


def story(db):
    """A day on @help whose figures are counted by hand below."""
    ok(db, "--as", "ada@acme.example", "-c", 'conversation inbound @help --from @anna "one"')     # t0: #1 created
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 10m")
    ok(db, "--as", "cora@acme.example", "-c", 'conversation reply 1 "hi anna"')                   # FRT 600 s (cora)
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 1h")
    ok(db, "--as", "cora@acme.example", "-c", "conversation move 1 resolved")                     # resolution 4200 s
    ok(db, "--as", "ada@acme.example", "-c", 'conversation inbound @help --from @bert "two"')     # t0+70m: #2 created
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 30m")
    ok(db, "--as", "kim@acme.example", "-c", 'conversation reply 2 "hi bert"')                    # FRT 1800 s (kim)
    ok(db, "--as", "ada@acme.example", "-c", 'conversation inbound @help --from @anna "again"')   # t0+100m: #1 reopened
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 20m")
    ok(db, "--as", "cora@acme.example", "-c", 'conversation reply 1 "back again"')                # FRT 1200 s (cora)
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 40m")
    ok(db, "--as", "kim@acme.example", "-c", "conversation move 2 resolved")                      # resolution 5400 s


def test_report_matches_a_hand_count(db):
    story(db)
    r = js(db, "--as", "sam@acme.example", "-c", "report @help --since 1d")
    assert r["inbound"] == 3
    assert r["outbound"] == 3
    assert r["new"] == 2
    assert r["reopened"] == 1
    assert r["resolved"] == 2
    # First responses 600, 1800, 1200 s: nearest-rank median 1200, p90 1800.
    assert r["first_response_median_seconds"] == 1200
    assert r["first_response_p90_seconds"] == 1800
    # Resolutions 4200 and 5400 s.
    assert r["resolution_median_seconds"] == 4200
    assert r["resolution_p90_seconds"] == 5400


def test_report_by_agent_and_csv_and_chart(db):
    story(db)
    r = js(db, "--as", "sam@acme.example", "-c", "report @help --since 1d --by agent")
    rows = {row["agent"]: row for row in r["rows"]}
    assert rows["cora@acme.example"]["outbound"] == 2
    assert rows["kim@acme.example"]["outbound"] == 1
    assert rows["cora@acme.example"]["resolved"] == 1
    assert rows["kim@acme.example"]["resolved"] == 1
    assert rows["cora@acme.example"]["first_response_median_seconds"] == 600
    csv_out = ok(db, "--as", "sam@acme.example", "-c", "report @help --since 1d --format csv")
    lines = csv_out.strip().splitlines()
    assert lines[0].startswith("day,inbound,outbound,new,reopened,resolved")
    assert lines[-1].startswith("total,3,3,2,1,2,")
    table = ok(db, "--as", "sam@acme.example", "-c", "report @help --since 1d")
    assert "█" in table and "3 in, 3 out" in table


def test_report_needs_a_supervisor(db):
    story(db)
    for who in ("cora@acme.example", "vic@acme.example", "ada@acme.example"):
        r = parley(db, "--as", who, "-c", "report @help")
        assert r.returncode == 1
        assert "refused" in r.stderr and "report needs supervisor" in r.stderr
    # An agent with no role on @help: for them it does not exist.
    r = parley(db, "--as", "nobody@acme.example", "-c", "report @help")
    assert r.returncode == 1 and r.stderr.strip().endswith("no channel '@help' that you can see")


def test_can_names_every_path(db):
    ok(db, "--as", "ada@acme.example", stdin="""
team add Support
team member add Support vic@acme.example contributor
channel edit @help --all-users on --all-users-role viewer
""")
    ok(db, "--as", "ada@acme.example", "-c", 'conversation inbound @help --from @anna "one"')
    # Direct viewer grant + team without the channel (All Teams off) + All Users viewer.
    r = js(db, "--as", "ada@acme.example", "-c", "can vic@acme.example reply 1")
    assert r["allowed"] is False and r["role"] == "viewer"
    assert "needs contributor" in r["message"] and "direct grant" in r["message"]
    # The team gets the channel: contributor via team wins.
    ok(db, "--as", "ada@acme.example", "-c", "team channel add Support @help")
    r = js(db, "--as", "ada@acme.example", "-c", "can vic@acme.example reply 1")
    assert r["allowed"] is True and "via team Support" in r["message"]
    # All Teams instead of the team's own list.
    ok(db, "--as", "ada@acme.example", "-c", "team channel remove Support @help", "-c", "channel edit @help --all-teams on")
    r = js(db, "--as", "ada@acme.example", "-c", "can vic@acme.example reply @help")
    assert r["allowed"] is True and "All Teams (team Support)" in r["message"]
    # All Users only.
    r = js(db, "--as", "ada@acme.example", "-c", "can nobody@acme.example move 1")
    assert r["allowed"] is True and "All Users" in r["message"]
    r = js(db, "--as", "ada@acme.example", "-c", "can nobody@acme.example assign 1")
    assert r["allowed"] is False and "assign needs contributor" in r["message"]
    # Disabled.
    ok(db, "--as", "ada@acme.example", "-c", "user disable nobody@acme.example")
    r = js(db, "--as", "ada@acme.example", "-c", "can nobody@acme.example view 1")
    assert r["allowed"] is False and "disabled" in r["message"]
    # Settings.
    assert js(db, "--as", "ada@acme.example", "-c", "can ada@acme.example manage-settings")["allowed"] is True
    assert js(db, "--as", "ada@acme.example", "-c", "can sam@acme.example manage-settings")["allowed"] is False
    # Agents may ask about themselves only.
    r = parley(db, "--as", "sam@acme.example", "-c", "can vic@acme.example reply 1")
    assert r.returncode == 1 and "refused" in r.stderr
    assert js(db, "--as", "sam@acme.example", "-c", "can me report @help")["allowed"] is True


def test_channel_access_and_who_can(db):
    ok(db, "--as", "ada@acme.example", stdin="""
team add Support
team member add Support vic@acme.example supervisor
team channel add Support @help
""")
    rows = {r["email"]: r for r in js(db, "--as", "ada@acme.example", "-c", "channel access @help")}
    assert rows["vic@acme.example"]["role"] == "supervisor"
    assert rows["vic@acme.example"]["paths"] == ["supervisor via team Support", "viewer via direct grant"]
    assert "nobody@acme.example" not in rows
    who = {r["email"] for r in js(db, "--as", "ada@acme.example", "-c", "who-can reply @help")}
    assert who == {"sam@acme.example", "cora@acme.example", "kim@acme.example", "vic@acme.example"}


def test_audit_records_impersonation_and_is_for_admins(db):
    ok(db, "--as", "ada@acme.example", "-c", 'conversation inbound @help --from @anna "one"')
    out = parley(db, "--as", "ada@acme.example", "--on-error", "continue",
                 stdin="login vic@acme.example\nconversation tag 1 urgent\nconversation reply 1 nope\nlogout\n")
    assert out.returncode == 1  # the viewer's reply was refused
    entries = js(db, "--as", "ada@acme.example", "-c", "audit --limit 10")
    tag = next(e for e in entries if e["action"] == "conversation.tag")
    assert tag["actor"] == "ada@acme.example" and tag["as_user"] == "vic@acme.example" and tag["session"] == "impersonation"
    assert any(e["action"] == "session.impersonate" for e in entries)
    assert not any(e["action"] == "conversation.reply" for e in entries)
    mine = js(db, "--as", "ada@acme.example", "-c", "audit --user vic@acme.example")
    assert all("vic@acme.example" in (e["actor"], e["as_user"]) for e in mine)
    r = parley(db, "--as", "sam@acme.example", "-c", "audit")
    assert r.returncode == 1 and "audit refused" in r.stderr


def test_autoresolve_preview_equals_what_run_resolves(db):
    ok(db, "--as", "ada@acme.example", stdin="""
channel edit @help --auto-resolve-new 2h --auto-resolve-pending 1d --resolve-reason "Quiet"
conversation inbound @help --from @a "1"
conversation inbound @help --from @b "2"
clock advance 1h
conversation inbound @help --from @c "3"
""")
    ok(db, "--as", "cora@acme.example", "-c", "conversation move 2 pending")
    preview = js(db, "--as", "cora@acme.example", "-c", "autoresolve preview --within 90m")
    assert [p["id"] for p in preview] == [1]
    assert preview[0]["reason"] == "Quiet" and preview[0]["queue"] == "new"
    later = js(db, "--as", "cora@acme.example", "-c", "autoresolve preview --within 2h")
    assert sorted(p["id"] for p in later) == [1, 3]
    # Moving the clock by hand does the sweep; preview then run agree.
    ok(db, "--as", "ada@acme.example", "-c", "clock advance 61m")
    r = js(db, "--as", "cora@acme.example", "-c", "autoresolve run")
    assert r["resolved"] == []  # the clock's own sweep resolved #1 already
    show = js(db, "--as", "cora@acme.example", "-c", "conversation show 1")
    assert show["queue"] == "resolved"
    assert js(db, "--as", "cora@acme.example", "-c", "conversation show 3")["queue"] == "new"
    entries = js(db, "--as", "ada@acme.example", "-c", "audit --limit 50")
    resolved = [e for e in entries if e["action"] == "conversation.auto-resolve"]
    assert [e["target"] for e in resolved] == ["conversation 1"] and "Quiet" in resolved[0]["new_value"]


def test_doctor_lists_problems_with_fixes(db):
    ok(db, "--as", "ada@acme.example", "-c", "team add Empty", "-c", "channel add twitter --handle @orphan")
    out = js(db, "--as", "ada@acme.example", "-c", "doctor")
    problems = " | ".join(p["problem"] for p in out)
    assert "nobody@acme.example has no role on any channel" in problems
    assert "no one has a role on @orphan" in problems
    assert "team Empty has no members" in problems
    assert "only enabled admin" in problems
    assert all(p["fix"] for p in out)
    r = parley(db, "--as", "cora@acme.example", "-c", "doctor")
    assert r.returncode == 1


def test_doctor_finds_report_figures_that_differ_and_counts_them_again(db):
    story(db)
    before = js(db, "--as", "sam@acme.example", "-c", "report @help --since 1d --by agent")
    assert not any("report figures" in p["problem"] for p in js(db, "--as", "ada@acme.example", "-c", "doctor"))
    sql(db, "UPDATE report_days SET inbound = inbound + 7; DELETE FROM report_agent_times")
    wrong = [p for p in js(db, "--as", "ada@acme.example", "-c", "doctor") if "report figures" in p["problem"]]
    assert [p["problem"] for p in wrong] == [
        "the report figures of @help differ from a recount of its messages: its reports are wrong"]
    assert wrong[0]["fix"] == "doctor --rebuild-report-figures"
    assert js(db, "--as", "sam@acme.example", "-c", "report @help --since 1d --by agent")["inbound"] == 10
    # Admins only; the rebuild is audited.
    r = parley(db, "--as", "sam@acme.example", "-c", "doctor --rebuild-report-figures")
    assert r.returncode == 1 and "refused" in r.stderr
    assert "report figures rebuilt" in ok(db, "--as", "ada@acme.example", "-c", "doctor --rebuild-report-figures")
    assert not any("report figures" in p["problem"] for p in js(db, "--as", "ada@acme.example", "-c", "doctor"))
    assert js(db, "--as", "sam@acme.example", "-c", "report @help --since 1d --by agent") == before
    assert any(e["action"] == "report.rebuild" for e in js(db, "--as", "ada@acme.example", "-c", "audit --limit 5"))


def test_demo_fills_an_empty_database_and_its_scripts_run_green(tmp_path):
    db = new_database(str(tmp_path / "demo.db"))
    out = js(db, "-c", "demo")
    assert out["conversations"] >= 45
    assert {u["role"] for u in out["users"]} == {"admin", "viewer", "contributor", "supervisor"}
    queues = {c["queue"] for c in js(db, "--as", "sam@acme.example", "-c", "conversation list --limit 500")}
    assert queues == {"new", "pending", "resolved"}
    report = js(db, "--as", "sam@acme.example", "-c", "report @acme_help")
    assert report["inbound"] > 0 and report["first_response_median_seconds"] is not None
    # The figures kept through 30 simulated days agree with a recount.
    assert not any("report figures" in p["problem"] for p in js(db, "--as", "ada@acme.example", "-c", "doctor"))
    # The passwords printed once work.
    vic = next(u for u in out["users"] if u["role"] == "viewer")
    pw = tmp_path / "pw"
    pw.write_text(vic["password"] + "\n")
    ok(db, "-c", f"login {vic['email']} --password-file {pw}")
    assert parley(db, "-c", "demo").returncode == 1
    # As its header says: on a new database, after `demo`.
    r = parley(new_database(str(tmp_path / "demo2.db")), "-c", "demo", "-f", os.path.join(ROOT, "scripts", "demo", "viewer-demo.parley"))
    assert r.returncode == 0, r.stderr
    assert "reply needs contributor" in r.stdout
    setup_db = new_database(str(tmp_path / "setup.db"))
    r = parley(setup_db, "-f", os.path.join(ROOT, "scripts", "demo", "admin-setup.parley"))
    assert r.returncode == 0, r.stderr
    assert "viewer via direct grant" in r.stdout
