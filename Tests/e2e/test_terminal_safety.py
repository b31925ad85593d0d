"""Customer text reaches the terminal escaped; JSON and CSV keep it exact."""

import csv
import io
import json

from conftest import Org

HOSTILE = "hi \x1b]0;PWNED\x07\x1b[2J \u009b31m \u202egnp.exe \u2066x\u2069\x7f\nline two\rend"
UNSAFE = [chr(c) for c in list(range(0, 10)) + list(range(11, 32)) + list(range(0x7F, 0xA0))] \
    + [chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))]


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def hostile_org(parley):
    """Ada, a supervisor on @acme_help, where conversation 1 is @evil's HOSTILE text."""
    (Org(name="Ada")
     .channel("@acme_help")
     .grant("@acme_help", "ada@acme.example", "supervisor")
     .inbound("@acme_help", "@evil", HOSTILE)
     .build(parley.db))
    return parley


def test_conversation_show_prints_no_escape_sequence(parley):
    hostile_org(parley)
    r = parley("--as", "ada@acme.example", "-c", "conversation show 1", stdin=b"")
    assert r.returncode == 0, r.stderr
    assert b"\x1b" not in r.stdout and b"\x07" not in r.stdout
    text = r.stdout.decode()
    assert not [c for c in text if c in UNSAFE], repr(text)
    assert "hi \\u{1b}]0;PWNED\\u{7}\\u{1b}[2J \\u{9b}31m \\u{202e}gnp.exe \\u{2066}x\\u{2069}\\u{7f}" \
        "\\nline two\\rend" in text
    # An error naming the text is escaped the same way.
    r = parley("--as", "ada@acme.example", "-c", f"conversation tag 1 {quoted(HOSTILE)}", stdin=b"")
    assert r.returncode == 1
    assert b"\x1b" not in r.stderr and not [c for c in r.stderr.decode() if c in UNSAFE]


def test_json_and_csv_keep_the_exact_text(parley):
    hostile_org(parley)
    r = parley("--as", "ada@acme.example", "--json", "-c", "conversation show 1", stdin=b"")
    assert r.returncode == 0, r.stderr
    assert b"\x1b" not in r.stdout and not [c for c in r.stdout.decode() if c in UNSAFE]
    assert json.loads(r.stdout)["messages"][0]["text"] == HOSTILE
    r = parley("--as", "ada@acme.example", "-c", "set output csv", "-c", "audit --limit 1", stdin=b"")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode(), newline="")))
    assert rows[0]["new_value"] == "@evil: " + HOSTILE
