"""Every command of the conversation, channel, team, topic, user, report, can, who-can, audit,
autoresolve, doctor and clock groups, run as an admin, a supervisor, a contributor and a viewer
(each role reached by a direct grant, a team, All Users and All Teams), an agent with no role, a
disabled user and a logged-out session. A refusal must be exactly where docs/PRODUCT.md (and the rules in
docs/RULES.md where the spec is silent) puts it; a refused command exits non-zero with one error
line and leaves the database's every row (parley_org.dump) as it was. Read commands leave it unchanged
even when allowed: nothing is due for auto-resolve in this organisation (the sandbox clock does
not move), so the sweep that runs before each command writes nothing either.

Every case runs on a copy of one template database: a case that may write on its own copy; one
that must leave the database as it was on a copy kept by its worker thread, made again whenever a
case changed it (that case fails), so each case starts from the template's rows."""

import concurrent.futures
import json
import os
import re
import subprocess
import threading

import pytest

from .conftest import ADMIN, BIN, ENV, copy_db, drop_database, dump, help_commands, new_database, ok, quote, run, sql

ROLES = ["viewer", "contributor", "supervisor"]
RANK = {None: 0, "viewer": 1, "contributor": 2, "supervisor": 3}
PATHS = ["direct", "team", "allusers", "allteams"]
SHORT = {"viewer": "v", "contributor": "c", "supervisor": "s"}
HANDLE = {"direct": "dir", "team": "team", "allusers": "au", "allteams": "at"}
ZED = "zed@acme.example"      # a plain agent the commands act on (never an actor)
OFF = "off@acme.example"      # a disabled user, for `user enable`
OWEN = "owen@acme.example"    # contributor everywhere, owner of every conversation (never an actor)


def channel_for(path, role):
    return f"@{HANDLE[path]}_{SHORT[role]}"


def actor_email(path, role):
    return f"{role}.{path}@acme.example"


def build_template(db, pwfile):
    lines = [f'init {ADMIN} --name "Ada Admin" --sandbox',
             f'user add {ZED} --name Zed', f'user add {OFF} --name Off', f'user disable {OFF}',
             'user add norole@acme.example --name "No Role"',
             'user add dora@acme.example --name Dora',
             'topic add Billing', 'topic add Shipping',
             'team add Spare', f'team member add Spare {ZED} viewer',
             'channel add twitter --handle @other --display-name "Other Channel"']
    channels = ["@other"]
    for path in PATHS:
        for role in ROLES:
            ch = channel_for(path, role)
            me = actor_email(path, role)
            channels.append(ch)
            lines += [f"channel add twitter --handle {ch}", f"user add {me} --name {quote(role + ' ' + path)}"]
            if path == "direct":
                lines.append(f"channel grant {ch} {me} {role}")
            elif path == "team":
                team = f"T_{HANDLE[path]}_{SHORT[role]}"
                lines += [f"team add {team}", f"team channel add {team} {ch}", f"team member add {team} {me} {role}"]
            elif path == "allteams":
                team = f"T_{HANDLE[path]}_{SHORT[role]}"
                lines += [f"team add {team}", f"team member add {team} {me} {role}",
                          f"channel edit {ch} --all-teams on"]
            else:
                lines.append(f"channel edit {ch} --all-users on --all-users-role {role}")
    # dora: supervisor by every path on the direct channels before she is disabled.
    lines += ["channel grant @dir_s dora@acme.example supervisor", "team member add T_team_s dora@acme.example supervisor"]
    # ada works every channel for a moment to put tags and topics on the conversations, then leaves.
    for ch in channels:
        lines.append(f"channel grant {ch} {ZED} viewer")
        lines.append(f"conversation inbound {ch} --from @cust_{ch[1:]} \"hello from {ch}\"")
    lines.append("team channel add Spare @other")
    lines.append(f"user add {OWEN} --name Owen")
    lines += [f"channel grant {ch} {OWEN} contributor" for ch in channels]
    ok(db, stdin="\n".join(lines) + "\n")
    conv = {}
    out = sql(db, "SELECT c.id, ch.handle FROM conversations c JOIN channels ch ON ch.id = c.channel_id")
    for line in out.split():
        n, h = line.split("|")
        conv["@" + h] = int(n)
    setup = []
    for ch in channels:
        setup += [f"channel grant {ch} {ADMIN} supervisor", f"conversation tag {conv[ch]} old",
                  f"conversation topic {conv[ch]} Shipping", f"conversation assign {conv[ch]} {OWEN}"]
    setup += [f"channel revoke {ch} {ADMIN}" for ch in channels]
    ok(db, "--as", ADMIN, stdin="\n".join(setup) + "\n")
    return conv, channels


# (template, rule, reads-only). Rules:
#   login            any enabled, logged-in user
#   admin            an enabled admin account
#   self-or-admin    any logged-in user about themselves; an admin about anyone
#   CH:ROLE          ROLE or higher on the target channel (admins too)
#   CH:ROLE|admin    ROLE or higher on the target channel, or an admin
#   list             any logged-in user; shows only conversations of channels they see
GLOBAL = [
    ("user add new1@acme.example --name New", "admin", False),
    ("user list", "login", True),
    ("user show zed@acme.example", "login", True),
    ("user edit zed@acme.example --name Zed2", "admin", False),
    ("user edit zed@acme.example --role admin", "admin", False),
    ("user disable zed@acme.example", "admin", False),
    ("user enable off@acme.example", "admin", False),
    ("user password zed@acme.example --password-file {PW}", "admin", False),
    ("user password --password-file {PW}", "login", False),
    ("team add NewTeam", "admin", False),
    ("team list", "login", True),
    # Agents see the teams they are in; no actor is in Spare.
    ("team show Spare", "admin", True),
    ("team rename Spare Spare2", "admin", False),
    ("team remove Spare", "admin", False),
    ("team member add Spare norole@acme.example viewer", "admin", False),
    ("team member remove Spare zed@acme.example", "admin", False),
    ("team channel add Spare @dir_v", "admin", False),
    ("team channel remove Spare @other", "admin", False),
    ("topic add Returns", "admin", False),
    ("topic remove Billing", "admin", False),
    ("topic list", "login", True),
    ("channel add twitter --handle @brandnew", "admin", False),
    ("channel list", "login", True),
    ("conversation list", "list", True),
    ("can zed@acme.example reply 1", "admin", True),
    ("can zed@acme.example manage-settings", "admin", True),
    ("can me manage-settings", "login", True),
    ("audit", "admin", True),
    ("audit --user zed@acme.example --limit 5", "admin", True),
    ("autoresolve preview", "login", True),
    ("autoresolve run", "login", False),
    ("doctor", "admin", True),
    ("clock advance 1d", "admin", False),
]
ON_CHANNEL = [
    ("channel show {CH}", "CH:viewer|admin", True),
    ("channel edit {CH} --display-name Renamed", "admin", False),
    ("channel edit {CH} --all-users on", "admin", False),
    ("channel grant {CH} norole@acme.example viewer", "admin", False),
    ("channel revoke {CH} zed@acme.example", "admin", False),
    ("channel access {CH}", "CH:supervisor|admin", True),
    ("channel sync {CH}", "CH:viewer|admin", False),
    ("channel remove {CH} --force", "admin", False),
    ("conversation list --channel {CH}", "CH:viewer", True),
    ("conversation show {N}", "CH:viewer", True),
    ("conversation reply {N} hello there", "CH:contributor", False),
    ("conversation reply {N} --dm a private hello", "CH:contributor", False),
    ("conversation move {N} pending", "CH:viewer", False),
    ("conversation move {N} resolved", "CH:viewer", False),
    ("conversation assign {N} me", "CH:contributor", False),
    ("conversation unassign {N}", "CH:contributor", False),
    ("conversation tag {N} vip urgent", "CH:viewer", False),
    ("conversation untag {N} old", "CH:viewer", False),
    ("conversation topic {N} Billing", "CH:viewer", False),
    ("conversation untopic {N} Shipping", "CH:viewer", False),
    ("conversation note {N} call back tomorrow", "CH:viewer", False),
    ("conversation inbound {CH} --from @newcust a new message", "admin", False),
    ("report {CH}", "CH:supervisor", True),
    ("report {CH} --by agent --format json", "CH:supervisor", True),
    # Asking about yourself is open to all, on what you can see.
    ("can me reply {N}", "CH:viewer|admin", True),
    ("can me view {CH}", "CH:viewer|admin", True),
    ("who-can reply {CH}", "CH:supervisor|admin", True),
    ("autoresolve preview {CH}", "CH:viewer", True),
]
# Commands in these groups must all be covered above (the list comes from `help`).
GROUPS = ("conversation", "channel", "team", "topic", "user", "report", "can", "who-can", "audit",
          "autoresolve", "doctor", "clock advance")


class Actor:
    def __init__(self, name, email, own, admin=False, enabled=True, roles=None):
        self.name, self.email, self.admin, self.enabled = name, email, admin, enabled
        self.own = own             # the channels its channel commands are tried on, besides @other
        self.roles = roles or {}   # channel → effective role

    def role_on(self, ch):
        return self.roles.get(ch)


def actors():
    result = []
    for path in PATHS:
        for role in ROLES:
            roles = {channel_for(path, role): role}
            result.append(Actor(f"{role} via {path}", actor_email(path, role), [channel_for(path, role)], roles=roles))
    # All Users channels give every enabled user their role: the admin is supervisor on @au_s.
    au = {channel_for("allusers", r): r for r in ROLES}
    # All Teams channels belong to every team: each team member has their team role on all of them.
    at = [channel_for("allteams", r) for r in ROLES]
    for a in result:
        for ch, r in au.items():
            if RANK[r] > RANK[a.roles.get(ch)]:
                a.roles[ch] = r
        if a.name.endswith(("via team", "via allteams")):
            team_role = a.name.split()[0]
            for ch in at:
                if RANK[team_role] > RANK[a.roles.get(ch)]:
                    a.roles[ch] = team_role
    result.append(Actor("admin", ADMIN, ["@au_s"], admin=True, roles=dict(au)))
    result.append(Actor("agent with no role", "norole@acme.example", [], roles=dict(au)))
    # dora was supervisor on @dir_s by a direct grant and a team before she was disabled.
    result.append(Actor("disabled user", "dora@acme.example", ["@dir_s"], enabled=False))
    result.append(Actor("logged out", None, ["@dir_s"], enabled=False))
    return result


def allowed(rule, actor, ch):
    if actor.email is None or not actor.enabled:
        return False
    if rule in ("login", "list"):
        return True
    if rule == "admin":
        return actor.admin
    need, _, alt = rule[3:].partition("|")
    if alt == "admin" and actor.admin:
        return True
    return RANK[actor.role_on(ch)] >= RANK[need]


def targets(actor):
    """The channels a channel command is tried on: the actor's own and one they have no role on."""
    return actor.own + ["@other"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    d = tmp_path_factory.mktemp("perm")
    db = new_database(str(d / "template.db"))
    pw = d / "pw.txt"
    pw.write_text("correct horse battery\n")
    conv, channels = build_template(db, str(pw))
    return db, conv, channels, str(pw), d


def test_every_command_of_the_groups_is_covered():
    names = help_commands()
    assert "conversation note" in names and "who-can" in names
    covered = set()
    for template, _, _ in GLOBAL + ON_CHANNEL:
        words = template.split()
        for n in range(len(words), 0, -1):
            if " ".join(words[:n]) in names:
                covered.add(" ".join(words[:n]))
                break
    missing = [n for n in names if (n in GROUPS or n.split()[0] in GROUPS) and n not in covered]
    assert missing == [], f"commands without a permission case: {missing}"


def is_refusal(message):
    # A channel or conversation without a role on it does not exist for the user: the answer is
    # the one a name that was never used gets.
    return bool(re.search(r"refused: no — |not logged in|is disabled|that you can see", message))


_kept = threading.local()  # the worker thread's copy for the cases that must change nothing


def check_case(template_db, template_rows, workdir, case_id, actor, line, rule, reads, ch):
    want = allowed(rule, actor, ch)
    # A case that writes (an allowed write; a disabled user's, whom an admin disables first) gets
    # a copy of its own.
    own = (want and not reads) or (actor.email is not None and not actor.enabled)
    if own:
        db = copy_db(template_db, os.path.join(workdir, f"case{case_id}.db"))
    else:
        if getattr(_kept, "db", None) is None:
            _kept.db = copy_db(template_db, os.path.join(workdir, f"kept{case_id}.db"))
        db = _kept.db
    before = template_rows
    after = None
    try:
        if actor.email is None:
            r = run(db, "-c", line)
            rc, out, err = r.returncode, r.stdout, r.stderr
        elif not actor.enabled:
            rc, out, err, before = run_disabled(db, actor.email, line)
        else:
            r = run(db, "--as", actor.email, "-c", line)
            rc, out, err = r.returncode, r.stdout, r.stderr
        after = dump(db)
        what = f"{line!r} as {actor.name} (role on {ch}: {actor.role_on(ch) if ch else '-'})"
        problems = []
        if want:
            # `channel sync` of a sandbox channel is allowed and then has nothing to sync.
            if line.startswith("channel sync") and rc == 1 and "not a connected X account" in err:
                pass
            elif rc != 0:
                problems.append(f"{what}: should be allowed, got exit {rc}: {err.strip()}")
            if reads and after != before:
                problems.append(f"{what}: a read changed the database")
        else:
            lines = err.strip().splitlines()
            if rc == 0:
                problems.append(f"{what}: should be refused, but ran: {out.strip()[:300]}")
            elif len(lines) != 1 or not is_refusal(lines[0]):
                problems.append(f"{what}: refusal should be one line naming the rule: {err.strip()[:500]!r}")
            if after != before:
                problems.append(f"{what}: refused, but the database changed")
        return problems
    finally:
        if own or after != template_rows:
            drop_database(db)
            if not own:
                _kept.db = None


def run_disabled(db, email, line):
    """A session of `email` opened while enabled; an admin disables the user from another
    process; then the command runs in the still-open session (parley rereads the user live)."""
    p = subprocess.Popen([BIN, "--db", db, "--as", email, "--json", "-f", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
    p.stdin.write("whoami\n")
    p.stdin.flush()
    first = p.stdout.readline()
    assert json.loads(first)["email"] == email
    ok(db, "--as", ADMIN, "-c", f"user disable {email}")
    before = dump(db)
    out, err = p.communicate(line + "\n", timeout=60)
    assert 0 <= p.returncode < 128
    # The error comes as JSON in this session: keep its text.
    msgs = [json.loads(l)["error"] for l in err.strip().splitlines() if l.startswith("{")]
    err_text = "\n".join(msgs) if msgs and len(msgs) == len(err.strip().splitlines()) else err
    return p.returncode, out, err_text, before


def all_cases(conv):
    cases = []
    for actor in actors():
        # Global commands: one path per role is enough (a path gives no account power).
        if not actor.name.endswith(("via team", "via allusers", "via allteams")):
            for line, rule, reads in GLOBAL:
                cases.append((actor, line, rule, reads, None))
        for ch in targets(actor):
            for line, rule, reads in ON_CHANNEL:
                cases.append((actor, line.replace("{CH}", ch).replace("{N}", str(conv[ch])), rule, reads, ch))
    return cases


def test_refusals_are_exactly_where_the_rules_put_them(template):
    template_db, conv, channels, pw, workdir = template
    cases = all_cases(conv)
    problems = []
    template_rows = dump(template_db)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(check_case, template_db, template_rows, str(workdir), i, actor, line.replace("{PW}", pw),
                               rule, reads, ch)
                   for i, (actor, line, rule, reads, ch) in enumerate(cases)]
        for f in futures:
            problems += f.result()
    print(f"[permission_boundary] {len(cases)} cases, {len(problems)} problems")
    assert problems == [], f"{len(problems)} of {len(cases)} cases wrong:\n" + "\n".join(problems[:60])


def test_conversation_list_shows_exactly_the_channels_a_user_sees(template):
    template_db, conv, channels, pw, workdir = template
    for actor in actors():
        if actor.email is None or not actor.enabled:
            continue
        r = run(template_db, "--as", actor.email, "--json", "-c", "conversation list --limit 1000")
        assert r.returncode == 0, r.stderr
        seen = {c["id"] for c in json.loads(r.stdout)}
        expected = {conv[ch] for ch in channels if RANK[actor.role_on(ch)] >= 1}
        assert seen == expected, (actor.name, sorted(seen), sorted(expected))
        r = run(template_db, "--as", actor.email, "--json", "-c", "channel list")
        assert r.returncode == 0, r.stderr
        handles = {c.get("handle") or c.get("channel") for c in json.loads(r.stdout)}
        if actor.admin:
            assert len(handles) == len(channels) + 0, (actor.name, handles)
        else:
            assert handles == {ch for ch in channels if RANK[actor.role_on(ch)] >= 1}, (actor.name, handles)


def test_disabled_user_and_unknown_user_cannot_start_a_session(template):
    template_db, conv, channels, pw, workdir = template
    db = copy_db(template_db, str(workdir / "off.db"))
    before = dump(db)
    for who in (OFF, "ghost@acme.example"):
        r = run(db, "--as", who, "-c", "conversation list")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = run(db, "--as", ADMIN, "-c", f"login {OFF}")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert dump(db) == before
