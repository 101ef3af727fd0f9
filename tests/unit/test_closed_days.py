"""Closed days from Indonesia's public calendar (`holidays`, country ID) with the hall's own
overrides (issue 15, point 20)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from antrian.config import HallFile, build_hall, load_hall
from antrian.domain.catalogue import ClosedDays
from antrian.paths import asset
from tests.conftest import hall_dict

WIB = ZoneInfo("Asia/Jakarta")
IDUL_FITRI_2027 = date(2027, 3, 10)  # estimated by the library until the SKB
NYEPI_2027 = date(2027, 3, 8)
CUTI_NATAL_2026 = date(2026, 12, 24)


def _hall(**over):
    return build_hall(HallFile.model_validate(hall_dict(**over)))


@pytest.fixture(scope="module")
def bundled():
    return load_hall(asset("hall.toml"))


def test_moveable_holidays_2027_close_the_bundled_hall(bundled):
    assert "Idul Fitri" in bundled.closed_reason(IDUL_FITRI_2027)
    assert "Nyepi" in bundled.closed_reason(NYEPI_2027)
    hours = bundled.service("ktp-el").hours
    assert hours.spans_on(IDUL_FITRI_2027) == () and hours.spans_on(NYEPI_2027) == ()
    assert hours.spans_on(date(2027, 3, 3)) != ()  # an ordinary Wednesday


def test_cuti_bersama_and_fixed_holidays(bundled):
    assert "Cuti Bersama" in bundled.closed_reason(CUTI_NATAL_2026)
    assert date(2026, 12, 25) in bundled.service("ktp-el").hours.closed_dates
    assert bundled.closed_reason(date(2026, 11, 25)) is None


def test_hall_override_opens_and_closes_a_day():
    hall = _hall(open_dates=[CUTI_NATAL_2026, NYEPI_2027], closed_dates=[date(2026, 11, 26)])
    assert hall.closed_reason(CUTI_NATAL_2026) is None  # opens on this cuti bersama
    assert hall.closed_reason(NYEPI_2027) is None
    assert hall.closed_reason(date(2026, 11, 26)).startswith("Tutup")  # its own closure
    hours = hall.service("ktp").hours
    assert hours.spans_on(CUTI_NATAL_2026) != () and hours.spans_on(date(2026, 11, 26)) == ()
    assert hall.closed_reason(IDUL_FITRI_2027) is not None  # the rest of the calendar stays


def test_cuti_bersama_can_be_left_open_and_the_calendar_off():
    assert _hall(closed_on_cuti_bersama=False).closed_reason(CUTI_NATAL_2026) is None
    assert _hall(closed_on_cuti_bersama=False).closed_reason(date(2026, 12, 25)) is not None
    assert _hall(public_holidays="").closed_reason(date(2026, 12, 25)) is None


def test_closed_day_moves_the_next_opening(bundled):
    service = bundled.service("ktp-el")
    eve = datetime(2027, 3, 7, 18, 0, tzinfo=WIB)  # Sunday evening before Nyepi (Monday)
    nxt = service.hours.next_opening(eve)
    # 8 Nyepi, 9 cuti bersama, 10-11 Idul Fitri, 12 cuti bersama, 13-14 weekend, 15 cuti bersama
    assert nxt.date() == date(2027, 3, 16)


def test_unknown_country_is_a_config_error():
    with pytest.raises(Exception, match="country code"):
        HallFile.model_validate(hall_dict(public_holidays="XX"))


def test_closed_days_is_pure_data():
    c = ClosedDays(calendar={date(2027, 1, 1): "Tahun Baru"}, closed={date(2027, 1, 2): "Tutup"},
                   opened=frozenset({date(2027, 1, 1)}))
    assert date(2027, 1, 1) not in c and date(2027, 1, 2) in c and "x" not in c


def test_the_calendar_is_made_once_per_year_and_read_from_the_data_dir_after(monkeypatch, tmp_path):
    """Each process used to import every country of `holidays` at start; now a year is made once
    and kept in the data dir. The cached year equals the library's own calendar."""
    import holidays

    from antrian.config import HolidayCalendar

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    first = HolidayCalendar("ID", "id", ("public", "government"))
    library = holidays.country_holidays("ID", years=2026, language="id", categories=("public", "government"))
    assert {d: first.get(d) for d in library} == {d: str(n) for d, n in library.items()}
    assert first.get(date(2026, 3, 4)) is None and date(2026, 1, 1) in first
    [cached] = (tmp_path / "data" / "cache").glob("holidays-*-ID-id-public+government-2026.json")

    def no_library(self, year):
        raise AssertionError("made again instead of read from the cache")

    monkeypatch.setattr(HolidayCalendar, "_make", no_library)
    second = HolidayCalendar("ID", "id", ("public", "government"))
    assert second == first and dict(second.items()) == {} and second.get(date(2026, 1, 1)) == first[date(2026, 1, 1)]
    assert sorted(second) == sorted(library)
    cached.write_text("not json", encoding="utf-8")  # a damaged cache file is made again
    monkeypatch.undo()
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    assert HolidayCalendar("ID", "id", ("public", "government")).get(date(2026, 1, 1)) == first[date(2026, 1, 1)]


def test_a_country_with_a_cached_calendar_is_known_without_the_library(monkeypatch, tmp_path):
    from holidays.registry import EntityLoader

    from antrian import config

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    assert config._known_country("ID") and not config._known_country("ZZ") and not config._known_country("I*")
    config.HolidayCalendar("ID", "id", ("public",)).get(date(2026, 1, 1))  # made once: cached
    monkeypatch.setattr(EntityLoader, "get_country_codes", lambda *a, **k: [])
    assert config._known_country("ID")  # from the cache file
    assert not config._known_country("MY") and not config._known_country("I*")  # the library is asked
