"""`mpp booking ...` in-process against a temporary SQLite file: book, list, show, cancel (staff,
with --officer), release, check-in refused too early; each refusal one line, Indonesian first."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.integration.test_cli import JKT, Cli, one_line_error

NIK = "3201014101900001"


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    for var in ("MPP_DB_URL", "MPP_CONFIG", "MPP_STATION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    c = Cli(tmp_path, capsys)
    rc, out, err = c("db", "upgrade")
    assert rc == 0, err
    return c


def _tomorrow() -> str:
    return (datetime.now(JKT).date() + timedelta(days=1)).isoformat()


def test_book_list_show_cancel(cli):
    b = cli.json("booking", "book", "ktp", _tomorrow(), "10:00", "--nik", NIK)
    assert b["status"] == "active" and b["contact"] == "NIK" and len(b["code"]) == 8
    rows = cli.json("booking", "list", "--day", _tomorrow())
    assert [r["code"] for r in rows["bookings"]] == [b["code"]] and rows["counts"] == {"active": 1}
    rc, out, err = cli("booking", "list", "--day", _tomorrow())
    assert rc == 0 and b["code_display"] in out and NIK not in out and "1 bookings" in out
    shown = cli.json("booking", "show", b["code_display"].lower())
    assert shown["slot_start"].startswith(_tomorrow() + "T10:00")
    rc, out, err = cli("booking", "cancel", b["code"])
    assert rc == 2 and "--officer" in err  # staff only: who cancels is recorded
    c = cli.json("booking", "cancel", b["code"], "--officer", "budi")
    assert c["status"] == "cancelled" and c["cancelled_by"] == "budi"
    line = one_line_error(*cli("booking", "cancel", b["code"], "--officer", "budi"))
    assert "sudah dibatalkan" in line and "cancelled" in line
    assert NIK not in str(cli.state())


def test_refusals_are_one_line_indonesian_first(cli):
    before = cli.state()
    line = one_line_error(*cli("booking", "book", "ktp", _tomorrow(), "10:00", "--nik", "123"))
    assert "NIK harus 16 angka" in line and "16 digits" in line
    far = (datetime.now(JKT).date() + timedelta(days=30)).isoformat()
    line = one_line_error(*cli("booking", "book", "ktp", far, "10:00", "--nik", NIK))
    assert "tidak dapat dipesan" in line
    line = one_line_error(*cli("booking", "show", "ZZZZ-ZZZZ"))
    assert "tidak ditemukan" in line
    assert cli.state() == before


def test_check_in_too_early_and_release(cli):
    b = cli.json("booking", "book", "ktp", _tomorrow(), "10:00", "--phone", "0812 3456 7890")
    line = one_line_error(*cli("booking", "check-in", b["code"]))
    assert "Belum waktunya check-in" in line
    assert cli.json("booking", "release") == {"released": 0}
    assert isinstance(date.fromisoformat(cli.json("booking", "list")["day"]), date)
