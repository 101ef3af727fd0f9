"""Bookings in the reports: a small golden case written straight into the booking table (the
booking use cases have their own tests; here only the counting matters), worked by hand.

Booked for 25 November 2026:  ktp: 3 (1 checked in, 1 released, 1 cancelled); kk: 1 still active.
Booked for 26 November:       ktp: 2 checked in; pdam-bayar: 1 released.
Outside the period:           ktp on the 27th (active), kk on 30 October (checked in).
So over 25-26 November, by service: ktp made 5 / checked in 3 / released 1 / cancelled 1;
kk 1 / 0 / 0 / 0; pdam-bayar 1 / 0 / 1 / 0; all: 7 / 3 / 2 / 1.
By agency: Disdukcapil (ktp + kk) 6 / 3 / 1 / 1; PDAM 1 / 0 / 1 / 0.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from antrian.reports.period import Period
from antrian.reports.service import load_report, write_report
from antrian.storage.tables_booking import bookings

P = Period(date(2026, 11, 25), date(2026, 11, 26))
D25, D26 = date(2026, 11, 25), date(2026, 11, 26)
GOLDEN = [  # (service, day booked for, status)
    ("ktp", D25, "checked_in"), ("ktp", D25, "released"), ("ktp", D25, "cancelled"), ("kk", D25, "active"),
    ("ktp", D26, "checked_in"), ("ktp", D26, "checked_in"), ("pdam-bayar", D26, "released"),
    ("ktp", date(2026, 11, 27), "active"), ("kk", date(2026, 10, 30), "checked_in"),
]


def add_bookings(store, rows=GOLDEN) -> None:
    with store.raw_engine().begin() as conn:
        for i, (service, day, status) in enumerate(rows):
            slot = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc) + timedelta(minutes=30 * i)
            conn.execute(insert(bookings).values(
                code=f"BK{i:06d}", service_code=service, day=day, slot_at=slot, slot_minutes=30,
                person_key=f"person-{i}", contact_kind="nik", contact_hint="NIK", status=status,
                created_at=slot - timedelta(days=3)))


@pytest.fixture
def booked(two_days):
    add_bookings(two_days.store)
    return two_days


def counts(row, d=None):
    return (row.day(d) if d else row.total).as_dict()


def test_bookings_per_service_and_day(booked, hall):
    rep = load_report(booked.store, hall, P, by="service")
    rows = {r.service_code: r for r in rep.bookings}
    assert list(rows) == ["ktp", "kk", "pdam-bayar"]  # the hall's catalogue order
    assert counts(rows["ktp"], D25) == dict(made=3, checked_in=1, released=1, cancelled=1)
    assert counts(rows["ktp"], D26) == dict(made=2, checked_in=2, released=0, cancelled=0)
    assert counts(rows["ktp"]) == dict(made=5, checked_in=3, released=1, cancelled=1)
    assert counts(rows["kk"]) == dict(made=1, checked_in=0, released=0, cancelled=0)
    assert counts(rows["pdam-bayar"], D26) == dict(made=1, checked_in=0, released=1, cancelled=0)
    assert rep.booking_total.as_dict() == dict(made=7, checked_in=3, released=2, cancelled=1)
    assert rep.booking_daily_total(D25).made == 4 and rep.booking_daily_total(D26).made == 3
    assert rows["ktp"].prefix == "K"
    # the ticket counts are untouched by the bookings
    assert rep.total.as_dict() == dict(issued=5, served=3, no_show=1, cancelled=1, transferred=1)


def test_bookings_per_agency_and_for_one_agency(booked, hall):
    rep = load_report(booked.store, hall, P, by="agency")
    assert [(r.agency_code, r.service_code, r.total.as_dict()) for r in rep.bookings] == [
        ("dukcapil", None, dict(made=6, checked_in=3, released=1, cancelled=1)),
        ("pdam", None, dict(made=1, checked_in=0, released=1, cancelled=0)),
    ]
    only = load_report(booked.store, hall, P, agency="pdam")
    assert [(r.service_code, r.total.made) for r in only.bookings] == [("pdam-bayar", 1)]


def test_csv_has_the_booking_columns(booked, hall, tmp_path):
    out = write_report(booked.store, hall, P, "csv", tmp_path / "r.csv") and tmp_path / "r.csv"
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ktp25 = next(r for r in rows if r["date"] == "2026-11-25" and r["service"] == "ktp")
    assert (ktp25["issued"], ktp25["bookings_made"], ktp25["bookings_checked_in"], ktp25["bookings_released"],
            ktp25["bookings_cancelled"]) == ("2", "3", "1", "1", "1")
    # kk on the 26th has a transfer in and no booking; its booking on the 25th is there
    kk25 = next(r for r in rows if r["date"] == "2026-11-25" and r["service"] == "kk")
    assert kk25["bookings_made"] == "1"
    assert sum(int(r["bookings_made"]) for r in rows) == 7
    assert sum(int(r["issued"]) for r in rows) == 5


def test_xlsx_booking_sheet_read_back(booked, hall, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    write_report(booked.store, hall, P, "xlsx", out)
    ws = load_workbook(out)["Booking"]
    assert ws.freeze_panes == "D6"
    assert [c.value for c in ws[5]] == ["Instansi", "Layanan", "Kode", "25", "26",
                                        "Booking", "Check-in", "Hangus", "Dibatalkan"]
    assert [c.value for c in ws[6]] == ["Disdukcapil", "KTP-el", "K", 3, 2, 5, 3, 1, 1]
    assert [c.value for c in ws[7]] == ["Disdukcapil", ws["B7"].value, "K", 1, 0, 1, 0, 0, 0]
    assert [c.value for c in ws[8]] == ["PDAM Tirta Benteng", "Bayar Rekening Air", "P", 0, 1, 1, 0, 1, 0]
    # below the rows: each measure per day and its total (real numbers, not text)
    assert [c.value for c in ws[9]] == ["Jumlah", None, None, 4, 3, 7, None, None, None]
    assert [c.value for c in ws[10]] == ["Jumlah check-in", None, None, 1, 2, None, 3, None, None]
    assert [c.value for c in ws[11]] == ["Jumlah hangus", None, None, 1, 1, None, None, 2, None]
    assert [c.value for c in ws[12]] == ["Jumlah dibatalkan", None, None, 1, 0, None, None, None, 1]
    assert all(isinstance(ws.cell(row=r, column=4).value, int) for r in range(6, 13))


def test_pdf_has_the_booking_section(booked, hall, tmp_path):
    out = tmp_path / "r.pdf"
    write_report(booked.store, hall, P, "pdf", out)
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "Booking 7: check-in 3, hangus 2, dibatalkan 1." in " ".join(text.split())
    assert "Booking per hari layanan" in text
    line = next(x for x in text.splitlines() if "Jumlah hangus" in x)
    assert line.split()[2:] == ["1", "1", "2"]


def test_monitor_model_lists_the_bookings(booked, hall):
    from antrian.reports.presenter import load_screen_model

    m = load_screen_model(booked.store, hall, P)
    assert m.summary().endswith("; booking 7: 3 check-in, 2 hangus, 1 dibatalkan")
    t = m.bookings()
    assert t.headers[-4:] == ("Booking", "Check-in", "Hangus", "Dibatalkan")
    assert t.rows[0][:7] == ("Disdukcapil - KTP-el", "K", 3, 2, 5, 3, 1)
    assert t.rows[-3] == ("Jumlah check-in", "", 1, 2, None, 3, None, None)


def test_a_day_with_bookings_and_no_tickets_still_reports(booked, hall, tmp_path):
    day = Period(date(2026, 11, 27), date(2026, 11, 27))
    rep = load_report(booked.store, hall, day)
    assert rep.total_tickets == 0 and not rep.empty
    assert [(r.service_code, r.total.made) for r in rep.bookings] == [("ktp", 1)]
    for fmt in ("csv", "xlsx", "pdf"):
        write_report(booked.store, hall, day, fmt, tmp_path / f"d.{fmt}")
        assert (tmp_path / f"d.{fmt}").stat().st_size > 0


def test_pdf_charts_are_vector_drawings(booked, hall, tmp_path):
    """The charts are ReportLab drawings: no raster image in a PDF without a logo."""
    from antrian.reports.pdfcharts import nice_step, ramp_colour

    out = tmp_path / "r.pdf"
    write_report(booked.store, hall, P, "pdf", out)
    assert b"/Subtype /Image" not in out.read_bytes()
    assert [nice_step(v) for v in (0, 3, 4, 12, 1500, 45000)] == [1, 1, 1, 5, 500, 10000]
    assert ramp_colour(0).hexval() == "0xffffcc" and ramp_colour(1).hexval() == "0x800026"
