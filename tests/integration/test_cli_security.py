"""Issue 10 (12) and parts of (14): the data dir is owner-only, the SQLite file 0600, and a data dir
that is a file or not writable gives one clear line instead of a traceback."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from antrian import paths
from mpp.cli import main

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@posix_only
def test_data_dir_is_created_0700_and_the_sqlite_file_0600(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "a" / "data"))
    monkeypatch.delenv("MPP_DB_URL", raising=False)
    old = os.umask(0o022)
    try:
        d = paths.data_dir()
        assert mode(d) == 0o700
        assert mode(paths.log_dir()) == 0o700
        assert main(["db", "upgrade"]) == 0
    finally:
        os.umask(old)
    db = d / "antrian.sqlite3"
    assert db.is_file() and mode(db) == 0o600
    for side in (d / "antrian.sqlite3-wal", d / "antrian.sqlite3-shm"):
        if side.exists():
            assert mode(side) & 0o077 == 0


@posix_only
def test_an_existing_world_readable_sqlite_file_is_tightened(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "old.sqlite3"
    f.touch()
    os.chmod(f, 0o644)
    assert main(["--db", f"sqlite:///{f}", "db", "upgrade"]) == 0
    assert mode(f) == 0o600


def test_data_dir_that_is_a_file_gives_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MPP_DATA_DIR", str(blocker))
    monkeypatch.delenv("MPP_DB_URL", raising=False)
    capsys.readouterr()
    rc = main(["status"])
    err = capsys.readouterr().err
    assert rc == 7, err
    assert err.count("\n") == 1 and "is a file, not a folder" in err and "MPP_DATA_DIR" in err
    assert "Traceback" not in err


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_data_dir_not_writable_gives_one_line(tmp_path, monkeypatch, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        monkeypatch.setenv("MPP_DATA_DIR", str(ro / "data"))
        monkeypatch.delenv("MPP_DB_URL", raising=False)
        capsys.readouterr()
        rc = main(["status"])
        err = capsys.readouterr().err
    finally:
        os.chmod(ro, 0o700)
    assert rc == 7 and err.count("\n") == 1 and "cannot create the data dir" in err, err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX")
def test_data_dir_override_exists_not_writable(tmp_path, monkeypatch, capsys):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    d = tmp_path / "data"
    d.mkdir()
    os.chmod(d, 0o500)
    try:
        monkeypatch.setenv("MPP_DATA_DIR", str(d))
        monkeypatch.delenv("MPP_DB_URL", raising=False)
        capsys.readouterr()
        rc = main(["status"])
        err = capsys.readouterr().err
    finally:
        os.chmod(d, 0o700)
    assert rc == 7 and err.count("\n") == 1 and "is not writable" in err, err
