"""The kiosk's plain helpers (no Qt): Indonesian dates, opening times, touch sizes, contrast."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.text import (
    clock_text,
    contrast_ratio,
    long_date,
    opening_text,
    text_colour_for,
    touch_px,
)
from printer.content import priority_label_id

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 25, 9, 5, tzinfo=WIB)  # Wednesday


def test_dates_in_both_languages():
    assert long_date(NOW) == "Rabu, 25 November 2026"
    assert long_date(datetime(2026, 8, 17), "id") == "Senin, 17 Agustus 2026"
    assert long_date(NOW, "en") == "Wednesday, 25 November 2026"
    assert clock_text(NOW) == "09.05"


@pytest.mark.parametrize("opens, id_text, en_text", [
    (datetime(2026, 11, 25, 13, 0, tzinfo=WIB), "hari ini 13.00", "today 13.00"),
    (datetime(2026, 11, 26, 7, 45, tzinfo=WIB), "besok 07.45", "tomorrow 07.45"),
    (datetime(2026, 11, 30, 7, 45, tzinfo=WIB), "Senin 07.45", "Monday 07.45"),
    (datetime(2026, 12, 7, 7, 45, tzinfo=WIB), "7 Desember 07.45", "7 December 07.45"),
])
def test_opening_text(opens, id_text, en_text):
    assert opening_text(opens, NOW, "id") == id_text
    assert opening_text(opens, NOW, "en") == en_text
    assert opening_text(None, NOW) == ""


def test_touch_targets_are_20_mm_and_at_least_120_px():
    assert touch_px(96) == 120  # 20 mm = 76 px: the 120 px floor wins
    assert touch_px(254) == 200  # 20 mm at 254 dpi
    assert touch_px(0) == 120 and touch_px(float("nan")) == 120  # nonsense dpi


def test_contrast():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert text_colour_for("#ffeb3b") == "#111111"  # yellow tile: dark text
    assert text_colour_for("#1565c0") == "#ffffff"


def test_priority_labels_for_the_ticket():
    assert priority_label_id("ibu-hamil") == "Ibu Hamil"
    assert priority_label_id("korban-banjir") == "Korban Banjir"
    assert priority_label_id(None) is None
