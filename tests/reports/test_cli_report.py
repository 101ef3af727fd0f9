"""`mpp report`, `mpp skm`, `mpp survey-answer`, `mpp alerts`, `mpp devices` as a user runs them:
one line on success, one line (no traceback) on bad input."""

from __future__ import annotations

import json

import pytest

from mpp.cli import main
from tests.conftest import ONE_COUNTER_HALL_TOML


@pytest.fixture
def mpp(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    hall = tmp_path / "hall.toml"
    hall.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    base = ["--db", f"sqlite:///{tmp_path / 'mpp.sqlite3'}", "--config", str(hall)]
    monkeypatch.chdir(tmp_path)

    def run(*argv):
        capsys.readouterr()
        rc = main([*base, *argv])
        out, err = capsys.readouterr()
        return rc, out, err

    from tests.integration.test_cli import add_test_accounts

    add_test_accounts(run, monkeypatch)  # counter commands log in (issue 10)
    return run


def test_report_skm_and_survey_from_the_command_line(mpp, tmp_path):
    assert mpp("issue", "ktp")[0] == 0
    assert mpp("call", "7")[0] == 0
    rc, out, _ = mpp("finish", "7", "--json")
    ticket = json.loads(out)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    day = datetime.fromisoformat(ticket["issued_at"]).astimezone(ZoneInfo("Asia/Jakarta")).date().isoformat()
    rc, out, err = mpp("survey-answer", str(ticket["id"]), "--answers", "4,4,3,4,3,4,4,3,3", "--sex", "P")
    assert rc == 0 and "recorded" in out
    rc, out, err = mpp("survey-answer", str(ticket["id"]), "--answers", "4,4,3,4,3,4,4,3,3")
    assert rc == 5 and err.startswith("mpp: ") and "already answered" in err and len(err.splitlines()) == 1
    rc, out, err = mpp("survey-answer", str(ticket["id"]), "--answers", "4,4,3,4,3,4,4,3,7")
    assert rc == 2 and "outside 1-4" in err

    month = day[:7]
    rc, out, err = mpp("report", "--month", month, "--format", "xlsx")
    assert rc == 0, err
    assert (tmp_path / f"rekap-layanan-{month}.xlsx").is_file()
    assert "1 issued, 1 served" in out
    rc, out, err = mpp("report", "--day", day, "--format", "csv", "--out", str(tmp_path / "d.csv"), "--by", "agency")
    assert rc == 0 and (tmp_path / "d.csv").read_text().count("\n") == 2
    # (4+4+3+4+3+4+4+3+3) = 32 -> 32/9 x 25 = 88.89 -> A
    rc, out, err = mpp("skm", "--month", month, "--format", "pdf", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["ikm"] == "88.89" and data["mutu"] == "A" and data["respondents"] == 1


@pytest.mark.parametrize("argv,code,text", [
    (("report", "--from", "2026-11-10", "--to", "2026-11-01"), 2, "reversed"),
    (("report", "--month", "2026-13"), 2, "not a month"),
    (("report", "--month", "2026-10"), 3, "no tickets in Oktober 2026"),
    (("report", "--agency", "nope", "--month", "2026-10"), 2, "unknown agency 'nope'"),
    (("skm", "--month", "2026-10"), 3, "no survey responses"),
    (("survey", "--counter", "99"), 2, "unknown counter '99'"),
])
def test_bad_input_is_one_line(mpp, argv, code, text):
    rc, out, err = mpp(*argv)
    assert rc == code and text in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unwritable_output_is_one_line(mpp, tmp_path):
    mpp("issue", "ktp")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, out, err = mpp("report", "--out", str(blocker / "sub" / "r.xlsx"))
    assert rc == 2 and err.startswith("mpp: cannot write") and len(err.strip().splitlines()) == 1


def test_alerts_and_devices(mpp):
    rc, out, err = mpp("devices")
    assert rc == 0 and out.strip() == "no heartbeats yet"
    rc, out, err = mpp("alerts")
    assert rc == 0 and out.strip() == "no alerts"
    mpp("issue", "ktp")  # waiting, and counter 7 is closed: nobody serves it
    rc, out, err = mpp("alerts", "--json")
    [a] = json.loads(out)
    assert a["key"] == "unstaffed:ktp" and a["severity"] == "critical"
    assert mpp("alerts", "--ack", "unstaffed:ktp")[0] == 0
    rc, out, err = mpp("alerts", "--ack", "unstaffed:ktp")
    assert rc == 2 and "no open, unacknowledged alert" in err
