"""Issue 15.15: at 1200 px wide the agency names under the loket tiles are readable (never
below a minimum size: wrapped onto two lines, then elided), the subtitle does not repeat the
title, and the recent-calls list never shows a number twice. Screenshots: out/screenshots/
display-fit-*.png."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics

from display.board import Board, Zone, call_from_event
from display.widgets import make_font
from display.window import header_subtitle
from tests.ui.test_display import indonesian, make_display, real_hall_queue  # noqa: F401  (fixtures)
from tests.ui.test_display_board import ev

pytestmark = pytest.mark.ui


def test_the_subtitle_does_not_repeat_the_title():
    assert header_subtitle("Mal Pelayanan Publik Kota Tangerang", "", "Kota Tangerang") == ""
    assert header_subtitle("MPP Uji", "", "Kota Uji") == "Kota Uji"
    assert header_subtitle("MPP Uji", "Disdukcapil", "Kota Uji") == "Disdukcapil"


def test_recent_calls_show_each_number_once(hall):
    b = Board(Zone.build(hall), history_size=5)
    b.apply(call_from_event(hall, ev(1, "7", 1)))
    b.apply(call_from_event(hall, ev(2, "8", 2)))
    b.apply(call_from_event(hall, ev(3, "7", 1, type_="recalled")))  # K-001 again
    assert [c.number for c in b.history] == ["K-001", "K-002"]
    b.rebuild([call_from_event(hall, ev(i, "7", 1 if i % 2 else 2)) for i in range(1, 6)], upto_id=5)
    numbers = [c.number for c in b.history]
    assert len(numbers) == len(set(numbers)) and numbers[0] == "K-001"


@pytest.mark.parametrize("size", [(1200, 675), (1366, 768), (1920, 1080), (1080, 1920)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_agency_names_under_the_tiles_are_readable(make_display, qtbot, real_hall_queue, indonesian,  # noqa: F811
                                                  shot, size):
    hall, queue, clock = real_hall_queue
    for s in hall.services:
        queue.issue(s.code)
    for c in hall.counters[:12]:
        queue.call_next(c.code)
    d = make_display(hall, queue, clock, size=size)
    qtbot.waitUntil(lambda: len(d.numbers()) == 12, timeout=3000)
    panel = d.window.panel
    cols, rows, cw, ch, _gap = panel.grid()
    minimum = panel.min_name_px()
    assert minimum >= 16
    max_px = max(minimum, min(int(ch * 0.12), panel.style.px(0.03)))
    for _code, _number, agency, _colour in panel.cards:
        width = cw * 0.92
        lines, px = panel.name_layout(agency, width, ch * 0.4, max_px)
        assert px >= minimum, f"{agency}: {px} px"
        assert px * 1.25 * len(lines) <= ch * 0.45, f"{agency}: {len(lines)} lines of {px} px in a {ch} px card"
        fm = QFontMetrics(make_font(px))
        for line in lines:
            assert fm.horizontalAdvance(line) <= width + 1
        if "\u2026" not in "".join(lines):
            assert " ".join(lines) == agency
    assert d.window.header.subtitle == ""
    shot(d.window, f"display-fit-{size[0]}x{size[1]}")  # (paints the header)
    header = d.window.header
    fm = QFontMetrics(make_font(header.style.px(0.046), True))
    assert header.shown_name in (hall.name, hall.short_name)
    if size[0] < size[1]:
        assert header.shown_name == hall.short_name and fm.horizontalAdvance(hall.name) > size[0] / 2
