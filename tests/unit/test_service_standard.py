"""Each service may publish its standard (UU 25/2009 art. 21): requirements, fee, typical time
(issue 15, point 21, the data part); the ticket prints a short requirements list."""

from __future__ import annotations

import pytest

from antrian.config import HallFile, build_hall, load_hall
from antrian.paths import asset
from tests.conftest import hall_dict


def _with_service(**fields) -> dict:
    d = hall_dict()
    d["agency"][0]["service"][0].update(fields)
    return d


def test_requirements_fee_and_time_are_read():
    hall = build_hall(HallFile.model_validate(_with_service(
        requirements=["KTP-el asli", "Fotokopi KK"], fee="Gratis", typical_time="15 menit")))
    s = hall.service("ktp")
    assert s.requirements == ("KTP-el asli", "Fotokopi KK") and s.fee == "Gratis" and s.typical_time == "15 menit"
    assert hall.service("kk").requirements == () and hall.service("kk").fee == ""


@pytest.mark.parametrize("bad", [{"requirements": [""]}, {"requirements": ["x" * 81]},
                                 {"requirements": ["a"] * 13}, {"fee": "x" * 81}])
def test_requirements_are_short(bad):
    with pytest.raises(Exception):
        HallFile.model_validate(_with_service(**bad))


def test_bundled_hall_publishes_standards_and_marks_the_unconfirmed():
    hall = load_hall(asset("hall.toml"))
    assert all(hall.service(c).fee == "Gratis" for c in ("ktp-el", "kartu-keluarga", "akta-kelahiran"))
    assert hall.service("skck-baru").fee == "Rp30.000" and "Pas foto" in " ".join(hall.service("skck-baru").requirements)
    assert sum(1 for s in hall.services if s.requirements) >= 10
    text = asset("hall.toml").read_text("utf-8")
    ktp = text[text.index('code = "ktp-el"'):]
    assert "# unconfirmed:" in ktp[: ktp.index("[[agency.service]]")]


def test_the_ticket_prints_the_requirements_only_when_there_are_some():
    from printer.layout import ticket_bytes
    from printer.model import PAPER_80MM
    from tests.printer.conftest import make_ticket

    plain = ticket_bytes(make_ticket(), PAPER_80MM)
    assert b"persyaratan" not in plain
    out = ticket_bytes(make_ticket(requirements=("KTP-el asli", "Fotokopi Kartu Keluarga")), PAPER_80MM)
    assert b"Siapkan persyaratan:" in out and b"- KTP-el asli\n" in out and b"- Fotokopi Kartu Keluarga\n" in out
