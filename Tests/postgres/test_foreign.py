"""A PostgreSQL database that holds someone else's tables: parley keeps to its own schema, `parley`,
never changes nor reads the others, refuses a `parley` schema it did not create, and creates its own
only when a command writes."""

import time

from .conftest import Org

ADA = "ada@acme.example"

# Another application's tables in `public`, some named like parley's own.
FOREIGN_PUBLIC = """
CREATE TABLE public.users (id serial PRIMARY KEY, email text, role text);
CREATE TABLE public.audit (id serial PRIMARY KEY, what text);
CREATE TABLE public.meta (key text PRIMARY KEY, value text);
CREATE TABLE public.orders (id serial PRIMARY KEY, customer text, total numeric);
CREATE INDEX orders_by_customer ON public.orders (customer);
CREATE VIEW public.big_orders AS SELECT * FROM public.orders WHERE total > 100;
INSERT INTO public.users (email, role) VALUES ('ada@acme.example', 'admin'), ('zoe@other.example', 'agent');
INSERT INTO public.audit (what) SELECT 'event ' || g FROM generate_series(1, 50) g;
INSERT INTO public.meta VALUES ('sandbox', '0'), ('clock', '12345');
INSERT INTO public.orders (customer, total) SELECT 'c' || g, g * 7 FROM generate_series(1, 200) g;
"""

# Another application's schema that happens to be called `parley`.
FOREIGN_PARLEY = """
CREATE SCHEMA parley;
CREATE TABLE parley.users (id serial PRIMARY KEY, email text);
CREATE TABLE parley.meta (key text PRIMARY KEY, value text);
INSERT INTO parley.users (email) VALUES ('someone@else.example');
INSERT INTO parley.meta VALUES ('owner', 'another application');
"""


def snapshot(pg, schema):
    """What `schema` holds: its relations as pg_class lists them, and each table's rows."""
    relations = pg.sql(f"""
        SELECT c.relname || ' ' || c.relkind::text || ' ' || c.relfilenode || ' ' || c.relnatts
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{schema}' ORDER BY c.relname""")
    tables = pg.sql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' ORDER BY tablename")
    contents = {t: pg.value(f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {schema}.{t} x")
                for t in tables}
    return relations, contents


def settle(pg):
    """Waits until no other session is connected to the database: a backend that ended has then
    written its table statistics."""
    deadline = time.time() + 10
    while pg.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND pid <> pg_backend_pid()") > 0:
        assert time.time() < deadline
        time.sleep(0.05)


def reads(pg, schema):
    """How often each table of `schema` was scanned, read through an index, or written."""
    settle(pg)
    pg.sql("SELECT pg_stat_clear_snapshot()")
    return pg.sql(f"""
        SELECT relname || ' ' || seq_scan || ' ' || coalesce(idx_scan, 0) || ' ' || n_tup_ins || ' '
               || n_tup_upd || ' ' || n_tup_del
        FROM pg_stat_user_tables WHERE schemaname = '{schema}' ORDER BY relname""")


def schemas(pg):
    return pg.sql("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
                  "AND nspname <> 'information_schema' ORDER BY nspname")


def test_parley_keeps_to_its_schema_beside_another_applications_tables(pg):
    pg.sql(FOREIGN_PUBLIC)
    before = snapshot(pg, "public")
    counted = reads(pg, "public")
    pg.ok(stdin=Org().user("cora@acme.example", "Cora").channel("@acme_help", "Acme Help")
          .grant("@acme_help", "cora@acme.example", "contributor").inbound("@acme_help", "@carol", "hi").script)
    pg.ok("--as", ADA, "-c", "user list; audit; conversation list; doctor; user disable cora@acme.example")
    pg.ok("--as", "ada@acme.example", "-c", "whoami")
    assert reads(pg, "public") == counted, "parley read or wrote a table of public"
    assert snapshot(pg, "public") == before
    assert schemas(pg) == ["parley", "public"]
    assert pg.count("SELECT count(*) FROM parley.users") == 2


def test_a_foreign_parley_schema_is_refused_and_left_untouched(pg):
    pg.sql(FOREIGN_PUBLIC + FOREIGN_PARLEY)
    before = snapshot(pg, "parley"), snapshot(pg, "public")
    counted = reads(pg, "parley"), reads(pg, "public")
    for args in (["-c", "whoami"], ["-c", f"init {ADA} --name Ada"], ["--as", ADA, "-c", "user list"], ["sync"]):
        r = pg.run(*args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and r.stdout == "", (args, r.stdout, r.stderr)
        assert "schema named parley that is not parley's" in lines[0] and "untouched" in lines[0], lines[0]
    assert (reads(pg, "parley"), reads(pg, "public")) == counted
    assert (snapshot(pg, "parley"), snapshot(pg, "public")) == before


def test_a_foreign_parley_schema_with_a_schema_version_table_of_its_own_is_refused(pg):
    pg.sql(FOREIGN_PARLEY + "CREATE TABLE parley.schema_version (version integer); "
                            "INSERT INTO parley.schema_version VALUES (5);")
    before = snapshot(pg, "parley")
    r = pg.run("-c", f"init {ADA} --name Ada")
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout, r.stderr)
    assert "not parley's" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(pg, "parley") == before


def test_commands_that_only_read_create_nothing_on_a_database_without_parley(pg):
    pg.sql(FOREIGN_PUBLIC)
    before = snapshot(pg, "public")
    for args in (["-c", "whoami"], ["-c", "help"], ["-c", "user list"], ["sync"], ["--json", "-c", "whoami"]):
        r = pg.run(*args)
        assert r.returncode in (0, 1), (args, r.stderr)
        assert schemas(pg) == ["public"], (args, schemas(pg))
    r = pg.run("--as", ADA, "-c", "whoami")
    assert r.returncode == 2 and "no user" in r.stderr, r.stderr
    assert schemas(pg) == ["public"]
    assert snapshot(pg, "public") == before
    assert pg.count("SELECT count(*) FROM pg_collation WHERE collname = 'nocase'") == 0
