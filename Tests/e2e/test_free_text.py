"""Free text at the end of a command (reply, note, inbound) reaches the database exactly as typed,
or the command is refused: through -c, a script (-f) and a pipe on stdin."""

import json

from conftest import sandbox_org

CORA = ("--as", "cora@acme.example")


def org(parley):
    """The standard organisation with a second channel and a second conversation, from @dan."""
    (sandbox_org()
     .channel("@acme_news", "Acme News")
     .inbound("@acme_help", "@dan", "Still waiting")
     .build(parley.db))
    return parley


def show(parley, n):
    r = parley(*CORA, "-c", "set output json", "-c", f"conversation show {n}")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def outbound(parley, n):
    return [(m["kind"], m["text"]) for m in show(parley, n)["messages"] if m["direction"] == "out"]


def notes(parley, n):
    return [x["text"] for x in show(parley, n)["notes"]]


def test_apostrophes_reach_the_customer_through_c(parley):
    org(parley)
    r = parley(*CORA, "-c", "conversation reply 1 We're on it, don't worry")
    assert r.returncode == 0, r.stderr
    assert [t for _, t in outbound(parley, 1)] == ["We're on it, don't worry"]


def test_a_semicolon_in_a_reply_is_text_in_a_script(parley, tmp_path):
    org(parley)
    script = tmp_path / "reply.parley"
    script.write_text("conversation reply 1 Sorry; we will check\n")
    r = parley(*CORA, "-f", str(script))
    assert r.returncode == 0, r.stderr
    assert [t for _, t in outbound(parley, 1)] == ["Sorry; we will check"]


def test_an_option_inside_a_reply_is_text_and_the_reply_stays_public(parley):
    org(parley)
    r = parley(*CORA, stdin="conversation reply 2 you can reply by --dm too\n")
    assert r.returncode == 0, r.stderr
    [(kind, text)] = outbound(parley, 2)
    assert text == "you can reply by --dm too" and kind != "dm"
    # Before the text, --dm is the option.
    r = parley(*CORA, "-c", "conversation reply 2 --dm thanks")
    assert r.returncode == 0, r.stderr
    assert outbound(parley, 2)[-1] == ("dm", "thanks")


def test_a_hash_in_a_note_is_text_through_stdin(parley):
    org(parley)
    r = parley(*CORA, stdin="conversation note 1 order #123 is lost\n")
    assert r.returncode == 0, r.stderr
    assert notes(parley, 1) == ["order #123 is lost"]


def test_a_channel_named_by_its_number(parley):
    org(parley)
    r = parley("--as", "ada@acme.example", "--json", "-c", "channel show #2")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["id"] == 2 and json.loads(r.stdout)["display_name"] == "Acme News"


def test_blanks_quotes_and_continuation_in_a_script(parley, tmp_path):
    org(parley)
    script = tmp_path / "notes.parley"
    script.write_text(
        "conversation note 1 two  blanks, a 'quote' and \"another\"   \n"
        "conversation note 1 \"quoted; whole\" # a comment after a quoted text\n"
        "conversation note 1 first \\\n"
        "second # still text\n"
        "conversation note 1 -- --starts with dashes\n"
    )
    r = parley(*CORA, "-f", str(script))
    assert r.returncode == 0, r.stderr
    assert notes(parley, 1) == ["two  blanks, a 'quote' and \"another\"", "quoted; whole",
                                "first second # still text", "--starts with dashes"]


def test_inbound_keeps_its_text_whole(parley):
    org(parley)
    r = parley("--as", "ada@acme.example", "-c", "conversation inbound @acme_help --from @erin it's #late; again")
    assert r.returncode == 0, r.stderr
    messages = show_as_admin(parley, 3)["messages"]
    assert [m["text"] for m in messages] == ["it's #late; again"]


def show_as_admin(parley, n):
    r = parley("--as", "ada@acme.example", "--json", "-c", "channel grant @acme_help ada@acme.example viewer",
               "-c", f"conversation show {n}")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_a_bare_word_after_a_quoted_text_is_refused_and_nothing_is_sent(parley):
    org(parley)
    r = parley(*CORA, "--on-error", "continue", "-c", 'conversation reply 1 "hello" world',
               "-c", 'conversation reply 1 "We"re late', "-c", "conversation note 1 \"a\" b")
    assert r.returncode == 1
    errors = r.stderr.splitlines()
    assert len(errors) == 3 and all("one pair of quotes" in e for e in errors), r.stderr
    assert outbound(parley, 1) == [] and notes(parley, 1) == []


def test_a_reply_whose_text_is_missing_is_refused(parley):
    org(parley)
    r = parley(*CORA, "--on-error", "continue",
               stdin="conversation reply 1; whoami\nconversation reply 1 --looks good\n")
    assert r.returncode == 1
    assert "<stdin>:1: error: `conversation reply` needs TEXT" in r.stderr
    assert "a text that begins with -- goes after a lone --" in r.stderr
    assert "cora@acme.example" in r.stdout  # the command after `;` ran
    assert outbound(parley, 1) == []


def test_help_says_how_free_text_is_written(parley):
    org(parley)
    r = parley("-c", "help conversation reply")
    assert r.returncode == 0, r.stderr
    # The usage puts the options before the text, and the text is explained.
    assert "usage: conversation reply N [--dm] TEXT" in r.stdout
    assert "TEXT is the rest of the line exactly as typed" in r.stdout
    assert "a bare word after it is refused: quote the whole text" in r.stdout
    overview = parley("-c", "help").stdout
    assert "Free text at the end of a command (reply, note, inbound) is the rest of the line as typed" in overview
    assert "rest of the line" not in parley("-c", "help conversation tag").stdout
