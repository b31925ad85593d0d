"""Names (teams, topics, channels' display names, emails) are listed in alphabetical order, ignoring
case, on both stores. Where the stores order them differently, docs/RULES.md ("PostgreSQL") says
so: SQLite compares the names' bytes with ASCII letters folded (letters beyond ASCII come after
`z`), PostgreSQL uses ICU's caseless collation, which puts punctuation before digits and sorts
accented letters with their base letter."""

import json

from conftest import POSTGRES, Org

NAMES = ["zed", "b", "Ac", "ab", "a-b", "a_b", "_x", "10x", "@at", "Éclair"]
SQLITE_ORDER = ["10x", "@at", "_x", "a-b", "a_b", "ab", "Ac", "b", "zed", "Éclair"]
POSTGRES_ORDER = ["_x", "@at", "10x", "a_b", "a-b", "ab", "Ac", "b", "Éclair", "zed"]


def test_names_are_listed_ignoring_case(parley):
    org = Org(name="Ada")
    for name in NAMES:
        org.line(f"team add {name}").line(f"topic add {name}")
    org.build(parley.db)
    out = parley("--as", "ada@acme.example", "--json", "-c", "team list", "-c", "topic list")
    assert out.returncode == 0, out.stderr
    teams, topics = [[row["name"] for row in json.loads(line)] for line in out.stdout.splitlines()]
    assert teams == topics == (POSTGRES_ORDER if POSTGRES else SQLITE_ORDER)
    # Letters alone sort alike on both stores, whatever their case.
    assert [n for n in teams if n.isalpha() and n.isascii()] == ["ab", "Ac", "b", "zed"]
