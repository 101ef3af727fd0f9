"""Reports over a two-day scenario played through the real engine (tests/reports/conftest.py).

Worked by hand (targets are 30 min for every service of the test hall):

Rekap by service, 25-26 November 2026:
  ktp         25th: issued 2, served 1, no-show 1     26th: issued 1, transferred 1
  kk          25th: issued 1, served 1                26th: issued 0 (a transfer in is not a new
                                                        number), served 1
  pdam-bayar  25th: issued 1, cancelled 1
  totals: issued 5, served 3, no-show 1, cancelled 1, transferred 1.
Waits (minutes): ktp [10, 20, 5] -> sorted [5, 10, 20]: p50 (nearest rank 2) 10, p90 (rank 3) 20,
  max 20, 3/3 within 30. kk [40, 5 (since the transfer)] -> p50 5, p90 40, within 1/2.
Service times: ktp [8] -> mean 8; kk [10, 10] -> mean 10.
Counter 7 (25th): open 09:10-09:25 and 09:40-10:00 = 35 min; paused "sholat" 09:25-09:40 = 15 min;
  busy (called -> finished) 10 + 5 + 10 = 25 min; utilisation 25/35.
Counter 8 (26th): open from 09:05, never closed: ends at its last activity 09:25 = 20 min; busy
  5 (called -> transferred) + 10 = 15 min; utilisation 15/20.
Arrivals: Wednesday 09h: 4, Thursday 09h: 1.
"""

from __future__ import annotations

import csv
import subprocess
import shutil
from datetime import date

import pytest

from antrian.reports.period import BadPeriod, NoReportData, Period, UnknownAgency, month_period, parse_period
from antrian.reports.service import load_report, write_report

P = Period(date(2026, 11, 25), date(2026, 11, 26))


def by_code(rows):
    return {r.code: r for r in rows}


def test_rekap_counts_by_service(two_days, hall):
    rep = load_report(two_days.store, hall, P, by="service")
    rows = {r.service_code: r for r in rep.rekap}
    assert list(rows) == ["ktp", "kk", "pdam-bayar"]
    d25, d26 = date(2026, 11, 25), date(2026, 11, 26)
    assert rows["ktp"].day(d25).as_dict() == dict(issued=2, served=1, no_show=1, cancelled=0, transferred=0)
    assert rows["ktp"].day(d26).as_dict() == dict(issued=1, served=0, no_show=0, cancelled=0, transferred=1)
    assert rows["kk"].day(d25).served == 1 and rows["kk"].day(d26).as_dict()["served"] == 1
    assert rows["kk"].total.issued == 1
    assert rows["pdam-bayar"].total.cancelled == 1
    assert rep.total.as_dict() == dict(issued=5, served=3, no_show=1, cancelled=1, transferred=1)
    assert rows["ktp"].prefix == "K"


def test_rekap_by_agency(two_days, hall):
    rep = load_report(two_days.store, hall, P, by="agency")
    assert [(r.agency_code, r.service_code) for r in rep.rekap] == [("dukcapil", None), ("pdam", None)]
    assert rep.rekap[0].total.issued == 4


def test_waiting_and_service_times(two_days, hall):
    rep = load_report(two_days.store, hall, P)
    s = by_code(rep.service_times)
    assert (s["ktp"].called, s["ktp"].wait_p50, s["ktp"].wait_p90, s["ktp"].wait_max) == (3, 10, 20, 20)
    assert s["ktp"].within_target == 1.0
    assert (s["kk"].wait_p50, s["kk"].wait_p90, s["kk"].within_target) == (5, 40, 0.5)
    assert s["ktp"].service_mean == pytest.approx(8) and s["kk"].service_mean == pytest.approx(10)
    a = by_code(rep.agency_times)
    assert a["dukcapil"].called == 5 and a["dukcapil"].within_target == pytest.approx(4 / 5)
    assert set(by_code(rep.counter_times)) == {"7", "8"}
    o = by_code(rep.officer_times)
    assert o["budi"].called == 3 and o["sari"].called == 2


def test_counter_utilisation_and_pauses(two_days, hall):
    rep = load_report(two_days.store, hall, P)
    k = {u.code: u for u in rep.counters}
    assert k["7"].open_s == pytest.approx(35 * 60)
    assert k["7"].pause_s == {"sholat": pytest.approx(15 * 60)}
    assert k["7"].serving_s == pytest.approx(25 * 60)
    assert k["7"].idle_s == pytest.approx(10 * 60)
    assert k["7"].utilisation == pytest.approx(25 / 35)
    assert k["8"].open_s == pytest.approx(20 * 60)
    assert k["8"].utilisation == pytest.approx(15 / 20)


def test_arrivals_heatmap(two_days, hall):
    rep = load_report(two_days.store, hall, P)
    assert rep.heatmap[2][9] == 4 and rep.heatmap[3][9] == 1
    assert sum(map(sum, rep.heatmap)) == 5


def test_one_agency_only(two_days, hall):
    rep = load_report(two_days.store, hall, P, agency="pdam")
    assert [r.service_code for r in rep.rekap] == ["pdam-bayar"]
    assert rep.counters == []


def test_xlsx_read_back(two_days, hall, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    write_report(two_days.store, hall, P, "xlsx", out)
    wb = load_workbook(out)
    ws = wb["Rekap Layanan"]
    assert ws.freeze_panes == "D6"
    header = [c.value for c in ws[5]]
    assert header[:5] == ["Instansi", "Layanan", "Kode", "25", "26"]
    assert header[5:] == ["Diambil", "Dilayani", "Tidak hadir", "Batal", "Dialihkan"]
    row = [c.value for c in ws[6]]
    assert row == ["Disdukcapil", "KTP-el", "K", 2, 1, 3, 1, 1, 0, 1]
    total = [c.value for c in ws[9]]
    assert total[0] == "Jumlah" and total[3:] == [4, 1, 5, 3, 1, 1, 1]
    t = wb["Waktu per Layanan"]
    assert t.freeze_panes == "C6"
    ktp = [c.value for c in t[6]]
    assert ktp[:6] == ["ktp", "KTP-el", 3, 10, 20, 20] and ktp[6] == 1.0
    assert ktp[8] == 8 and ktp[7] == 1  # mean service minutes; served
    u = wb["Utilisasi Loket"]
    assert [c.value for c in u[5]][-1] == "Jeda: sholat (jam)"
    assert u["F6"].value == pytest.approx(25 / 35) and u["F6"].number_format == "0.0%"
    assert u["C6"].number_format == "0.00" and t["D6"].number_format == "0.0"  # real numbers, shown rounded
    assert ws["A1"].font.b and ws["D5"].font.b and ws["D5"].fill.fgColor.rgb.endswith("DDE6F0")
    assert wb["Kedatangan"]["K8"].value == 4  # Rabu (row 8), 09h (column K)


def test_csv_long_form(two_days, hall, tmp_path):
    out = tmp_path / "r.csv"
    write_report(two_days.store, hall, P, "csv", out)
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {"date": "2026-11-25", "agency": "dukcapil", "agency_name": "Disdukcapil", "prefix": "K",
                       "service": "ktp", "service_name": "KTP-el", "issued": "2", "served": "1", "no_show": "1",
                       "cancelled": "0", "transferred": "0", "bookings_made": "0", "bookings_checked_in": "0",
                       "bookings_released": "0", "bookings_cancelled": "0"}
    assert sum(int(r["issued"]) for r in rows) == 5


def test_pdf_letterhead_and_pages(two_days, hall, tmp_path):
    out = tmp_path / "r.pdf"
    write_report(two_days.store, hall, P, "pdf", out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
        assert "MPP UJI" in text and "25 November 2026 - 26 November 2026" in text
        assert "Halaman 1 dari" in text and "Rekap Layanan" in text


def test_empty_period_says_so(two_days, hall, tmp_path):
    with pytest.raises(NoReportData, match="no tickets in Oktober 2026"):
        write_report(two_days.store, hall, month_period("2026-10"), "xlsx", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_agency_and_bad_periods(store, hall):
    with pytest.raises(UnknownAgency, match="unknown agency 'nope'"):
        load_report(store, hall, P, agency="nope")
    with pytest.raises(BadPeriod, match="reversed"):
        parse_period(start="2026-11-05", end="2026-11-01")
    with pytest.raises(BadPeriod, match="not a month"):
        parse_period(month="2026-13")
    with pytest.raises(BadPeriod, match="one of"):
        parse_period(day="2026-11-01", month="2026-11")
    assert parse_period(month="2026-02").days[-1] == date(2026, 2, 28)


def test_pdf_with_a_logo_on_every_page(two_days, hall, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 64), (11, 79, 138)).save(logo)
    out = tmp_path / "r.pdf"
    write_report(two_days.store, hall, P, "pdf", out, logo=logo)
    data = out.read_bytes()
    assert data.count(b"/Subtype /Image") >= 1  # one image object, drawn on each page
    if shutil.which("pdfimages"):
        listing = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
        pages = {cols[0] for cols in (line.split() for line in listing.splitlines()[2:])
                 if len(cols) > 4 and cols[2] == "image" and cols[3:5] == ["64", "64"]}  # the logo's size
        n_pages = int(subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
                      .split("Pages:")[1].split()[0])
        assert len(pages) == n_pages  # the letterhead logo is on every page


def test_screen_model_for_the_monitor(two_days, hall):
    from antrian.reports.presenter import load_screen_model

    m = load_screen_model(two_days.store, hall, P)
    assert m.summary() == "25 November 2026 - 26 November 2026: 5 diambil, 3 dilayani, 1 tidak hadir, 1 batal, 1 dialihkan"
    rekap = m.rekap()
    assert rekap.headers[:4] == ("Instansi / Layanan", "Kode", "25", "26") and rekap.rows[-1][0] == "Jumlah"
    assert m.times("counter").rows[0][0] == "7"
    assert m.counters().rows[0][5] == "71.4%"
    assert m.daily_series() == [("25", 4, 2), ("26", 1, 1)]
    empty = load_screen_model(two_days.store, hall, month_period("2026-10"))
    assert empty.empty and empty.summary() == "Tidak ada data untuk Oktober 2026."


def test_hall_wide_times_are_exact_percentiles(two_days, hall):
    """All five waits [10, 20, 40, 5, 5] -> sorted [5, 5, 10, 20, 40]: p50 (rank 3) 10, p90 (rank 5) 40,
    within 30 min: 4 of 5."""
    t = load_report(two_days.store, hall, P).overall_times
    assert (t.called, t.wait_p50, t.wait_p90, t.wait_max, t.within_target) == (5, 10, 40, 40, 0.8)


def test_xlsx_agency_times_end_with_the_whole_hall(two_days, hall, tmp_path):
    from openpyxl import load_workbook

    out = write_report(two_days.store, hall, P, "xlsx", tmp_path / "r.xlsx") and tmp_path / "r.xlsx"
    ws = load_workbook(out)["Waktu per Instansi"]
    last = [c.value for c in ws[ws.max_row]]
    assert last[:6] == ["Jumlah", "MPP Uji", 5, 10, 40, 40] and last[6] == 0.8
