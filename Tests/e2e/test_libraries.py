"""parley starts without the libraries it loads on first use.

libcurl (the X channel), libpq (PostgreSQL) and libedit (line editing at a terminal) are opened
with dlopen when first needed, so a parley on SQLite that never talks to X, or that runs a script,
does not pay for loading them: the binary links none of them."""

import subprocess

from conftest import BIN


def test_the_binary_links_neither_libpq_nor_libcurl_nor_libedit():
    r = subprocess.run(["ldd", BIN], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    linked = r.stdout
    assert "libc.so" in linked, linked
    assert "libpq" not in linked, linked
    assert "libcurl" not in linked, linked
    assert "libedit" not in linked, linked
