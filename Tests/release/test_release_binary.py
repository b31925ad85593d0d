"""The release binary is linked the way scripts/build-release says, and it runs.

scripts/build-release links parley at a fixed address, without a $ORIGIN search path, with the
C++ library and SQLite inside the binary when their archives are there (.build/static-archives
holds the ones it found); libpq, libcurl and libedit stay out, loaded with dlopen on first use.
scripts/test runs this file, and a few end-to-end files, on the release binary (PARLEY_BIN)."""

import os
import subprocess

from parley_org import BIN, ROOT

ARCHIVES = os.path.join(ROOT, ".build", "static-archives")


def readelf(*flags):
    r = subprocess.run(["readelf", *flags, BIN], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def needed():
    return [line.split("[", 1)[1].rstrip("]") for line in readelf("-d", "--wide").splitlines()
            if "(NEEDED)" in line]


def test_the_binary_is_linked_at_a_fixed_address():
    assert "EXEC (Executable file)" in readelf("-h"), "a position-independent binary: relocated at every start"


def test_the_binary_has_no_library_search_path_of_its_own():
    dynamic = readelf("-d", "--wide")
    assert "(RPATH)" not in dynamic and "(RUNPATH)" not in dynamic, dynamic


def test_the_archives_found_are_inside_the_binary_and_their_shared_libraries_are_not_loaded():
    found = sorted(os.listdir(ARCHIVES))
    assert found, "scripts/build-release found neither libstdc++.a nor libsqlite3.a"
    libs = needed()
    for archive in found:
        stem = archive[: -len(".a")]  # libstdc++, libsqlite3
        assert not any(lib.startswith(stem + ".so") for lib in libs), (archive, libs)


def test_the_libraries_loaded_on_first_use_are_not_linked():
    libs = needed()
    for stem in ("libpq", "libcurl", "libedit"):
        assert not any(lib.startswith(stem) for lib in libs), libs


def test_the_binary_runs_a_command_on_sqlite_inside_it():
    r = subprocess.run([BIN, "--db", ":memory:", "-c", "help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "whoami" in r.stdout, r.stdout
