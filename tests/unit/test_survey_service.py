"""The survey use case on the real store (SQLite and PostgreSQL): one response per served ticket,
no answers outside 1-4; the IKM table per service and agency; the SKM report files."""

from __future__ import annotations

from datetime import date

import pytest

from antrian.domain.survey import AlreadyAnswered, InvalidAnswer, NotSurveyable, Profile
from antrian.reports.period import NoReportData, Period, UnknownAgency
from antrian.reports.skm import load_skm, write_skm_pdf, write_skm_xlsx
from antrian.services.survey import SurveyService
from antrian.storage.manager_store import ManagerStore
from tests.unit.test_survey import GOLDEN


@pytest.fixture
def survey(hall, store):
    return SurveyService(hall, ManagerStore(store))


def served(queue, service="ktp", counter="7"):
    queue.issue(service)
    queue.call_next(counter)
    return queue.finish(counter)


def test_one_response_per_served_ticket(queue, survey):
    t = served(queue)
    assert survey.can_answer(t.id).number == t.number
    rid = survey.submit(t.id, [4] * 9, Profile("30-39", "L", "D4/S1", "PNS"), "ramah")
    assert rid > 0
    with pytest.raises(AlreadyAnswered):
        survey.submit(t.id, [3] * 9)
    with pytest.raises(AlreadyAnswered):
        survey.can_answer(t.id)
    [r] = survey.responses(t.service_day, t.service_day)
    assert r.answers == (4,) * 9 and r.counter_code == "7" and r.comment == "ramah"
    assert r.profile.occupation == "PNS" and r.created_at is not None


def test_answers_outside_1_to_4_are_refused_and_nothing_is_written(queue, survey):
    t = served(queue)
    with pytest.raises(InvalidAnswer):
        survey.submit(t.id, [4] * 8 + [5])
    assert survey.responses(t.service_day, t.service_day) == []


def test_only_a_served_ticket_answers(queue, survey):
    waiting = queue.issue("ktp").ticket
    with pytest.raises(NotSurveyable, match="only a served ticket"):
        survey.submit(waiting.id, [4] * 9)
    with pytest.raises(NotSurveyable, match="no ticket"):
        survey.submit(99999, [4] * 9)


def test_by_qr_token_the_last_ticket_of_a_transfer_answers(queue, survey):
    queue.issue("ktp")
    queue.call_next("7")
    moved = queue.transfer("7", to_service="kk")
    queue.call_next("8")
    done = queue.finish("8")
    assert done.id == moved.id
    survey.submit(f"https://mpp.example/t/{done.token}", [3] * 9, channel="web")
    [r] = survey.responses(done.service_day, done.service_day)
    assert r.ticket_id == done.id and r.service_code == "kk" and r.channel == "web"


def test_ikm_table_and_report_files(queue, survey, hall, tmp_path):
    """Four served KTP tickets answer the golden rows (IKM 84.03, B, worked by hand in
    tests/unit/test_survey.py); one PDAM ticket answers all 4 (IKM 100.00, A). The whole hall:
    sums per element add [4]*9, total 121 + 36 = 157 over 5 respondents:
    IKM = 157 / 5 / 9 x 25 = 3925/45 = 87.222... -> 87.22, B."""
    for row in GOLDEN:
        survey.submit(served(queue, "ktp", "7").id, row)
    survey.submit(served(queue, "pdam-bayar", "3").id, [4] * 9)
    day = queue.service_day()
    rows = survey.ikm_table(day, day, by="service")
    assert [r.code for r in rows] == ["ktp", "pdam-bayar", ""]
    assert str(rows[0].result.ikm_decimal) == "84.03" and rows[0].result.mutu.letter == "B"
    assert str(rows[1].result.ikm_decimal) == "100.00"
    assert str(rows[2].result.ikm_decimal) == "87.22" and rows[2].result.respondents == 5
    by_agency = survey.ikm_table(day, day, by="agency")
    assert [r.code for r in by_agency] == ["dukcapil", "pdam", ""]

    rep = load_skm(survey, hall, Period(day, day), by="service")
    from openpyxl import load_workbook

    wb = load_workbook(write_skm_xlsx(rep, tmp_path / "ikm.xlsx"))
    ws = wb["IKM"]
    assert [c.value for c in ws[5]] == ["Kode", "Layanan", *[f"U{i}" for i in range(1, 10)], "IKM", "Mutu",
                                         "Kinerja", "Responden"]
    ktp = [c.value for c in ws[6]]
    assert ktp[0] == "ktp" and ktp[2:11] == [3.0, 3.5, 3.25, 4.0, 3.25, 3.5, 3.5, 3.25, 3.0]
    assert ktp[11:] == [84.03, "B", "Baik", 4]
    total = [c.value for c in ws[8]]
    assert total[0] == "Jumlah" and total[11:] == [87.22, "B", "Baik", 5]
    assert ws.freeze_panes == "C6"
    rinci = [[c.value for c in row] for row in wb["Rincian"].iter_rows()]
    assert ["Jumlah nilai", 12, 14, 13, 16, 13, 14, 14, 13, 12] in rinci
    pdf = write_skm_pdf(rep, tmp_path / "ikm.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_skm_report_bad_input(survey, hall):
    p = Period(date(2026, 10, 1), date(2026, 10, 31), "month")
    with pytest.raises(NoReportData, match="no survey responses in Oktober 2026"):
        load_skm(survey, hall, p)
    with pytest.raises(UnknownAgency):
        load_skm(survey, hall, p, agency="nope")
