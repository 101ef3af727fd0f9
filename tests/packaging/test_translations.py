"""The compiled .qm translations are committed next to their .ts sources and match them; the
product never compiles at start, and a missing translation is a loud error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from antrian import paths

TS_FILES = sorted(paths.translations_dir().glob("*.ts"))


def _lrelease() -> str | None:
    here = Path(sys.executable).parent / "pyside6-lrelease"
    return str(here) if here.exists() else shutil.which("pyside6-lrelease")


def test_every_ts_has_its_qm():
    assert TS_FILES
    for ts in TS_FILES:
        assert ts.with_suffix(".qm").is_file(), f"{ts.name}: run `make translations`"


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_the_committed_qm_matches_its_ts(ts, tmp_path):
    lrelease = _lrelease()
    if lrelease is None:
        pytest.skip("pyside6-lrelease not installed")
    fresh = tmp_path / ts.with_suffix(".qm").name
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(fresh)], check=True)
    assert fresh.read_bytes() == ts.with_suffix(".qm").read_bytes(), f"{ts.name} changed: run `make translations`"


def test_the_product_does_not_compile_translations():
    from qtshared import common

    source = Path(common.__file__).read_text(encoding="utf-8")
    assert "lrelease" not in source and "subprocess" not in source


@pytest.mark.ui
def test_translations_load_the_bundled_files(qapp):
    from qtshared.common import TRANSLATED_FACES, Translations

    tr = Translations(qapp)
    tr.set_language("id")
    assert len(tr._installed) == len(TRANSLATED_FACES)
    tr.set_language("en")
    assert tr._installed == []


@pytest.mark.ui
def test_a_missing_translation_is_a_loud_error(qapp, tmp_path, monkeypatch):
    from qtshared import common

    for ts in TS_FILES:
        shutil.copy(ts.with_suffix(".qm"), tmp_path)
    (tmp_path / "display_id.qm").unlink()
    monkeypatch.setattr(common.paths, "translations_dir", lambda: tmp_path)
    tr = common.Translations(qapp)
    with pytest.raises(common.TranslationMissing, match="display_id.qm is missing"):
        tr.set_language("id")


@pytest.mark.ui
def test_an_unreadable_translation_is_a_loud_error(qapp, tmp_path, monkeypatch):
    from qtshared import common

    for ts in TS_FILES:
        shutil.copy(ts.with_suffix(".qm"), tmp_path)
    (tmp_path / "kiosk_id.qm").write_bytes(b"not a qm file")
    monkeypatch.setattr(common.paths, "translations_dir", lambda: tmp_path)
    with pytest.raises(common.TranslationMissing, match="could not be loaded"):
        common.Translations(qapp).set_language("id")


@pytest.mark.ui
def test_a_kiosk_without_its_translation_fails_loudly(qapp, tmp_path, monkeypatch, capsys):
    import logging

    from mpp import cli
    from qtshared import common

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    empty = tmp_path / "no-translations"
    empty.mkdir()
    monkeypatch.setattr(common.paths, "translations_dir", lambda: empty)
    db = ["--db", f"sqlite:///{tmp_path / 'k.sqlite3'}"]
    try:
        assert cli.main(["db", "upgrade", *db]) == 0
        capsys.readouterr()
        code = cli.main(["kiosk", "--windowed", "--lang", "id", *db])
        err = capsys.readouterr().err
        assert code == cli.EXIT_INTERNAL
        assert len(err.strip().splitlines()) == 1, err
        assert "kiosk_id.qm is missing" in err and str(paths.log_file()) in err
    finally:
        root = logging.getLogger()
        for h in [h for h in root.handlers if getattr(h, "_mpp", False)]:
            root.removeHandler(h)
            h.close()
