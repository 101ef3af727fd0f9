"""Plain helpers for the kiosk: dates in Bahasa Indonesia or English, colour contrast (WCAG),
and touch-target sizes. What a printed ticket says (``ticket_print_for``, the Indonesian priority
labels) is composed in printer/content.py, shared with ``mpp printer reprint``.

No Qt here, so the helpers are tested without a screen.
"""

from __future__ import annotations

from datetime import date, datetime

from printer.content import counter_numbers_text  # noqa: F401  (re-exported for the kiosk)
from antrian.domain.catalogue import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID

MONTH_NAMES_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                  "September", "Oktober", "November", "Desember")
MONTH_NAMES_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")

def long_date(d: date | datetime, lang: str = "id") -> str:
    """'Rabu, 25 November 2026' / 'Wednesday, 25 November 2026'."""
    days, months = (WEEKDAY_NAMES_EN, MONTH_NAMES_EN) if lang == "en" else (WEEKDAY_NAMES_ID, MONTH_NAMES_ID)
    return f"{days[d.weekday()]}, {d.day} {months[d.month - 1]} {d.year}"


def clock_text(t: datetime, seconds: bool = False) -> str:
    """Indonesian convention: a dot between hours and minutes ('09.05')."""
    return t.strftime("%H.%M.%S" if seconds else "%H.%M")


def opening_text(opens_at: datetime | None, now: datetime, lang: str = "id") -> str:
    """When a closed service opens, relative to ``now`` (both local): 'hari ini 07.45',
    'besok 07.45', 'Senin 07.45' (within a week), else '7 Desember 07.45'."""
    if opens_at is None:
        return ""
    days = (opens_at.date() - now.date()).days
    hm = clock_text(opens_at)
    if lang == "en":
        if days == 0:
            return f"today {hm}"
        if days == 1:
            return f"tomorrow {hm}"
        if days < 7:
            return f"{WEEKDAY_NAMES_EN[opens_at.weekday()]} {hm}"
        return f"{opens_at.day} {MONTH_NAMES_EN[opens_at.month - 1]} {hm}"
    if days == 0:
        return f"hari ini {hm}"
    if days == 1:
        return f"besok {hm}"
    if days < 7:
        return f"{WEEKDAY_NAMES_ID[opens_at.weekday()]} {hm}"
    return f"{opens_at.day} {MONTH_NAMES_ID[opens_at.month - 1]} {hm}"


# ------------------------------------------------------------------------------ colour contrast

def _channel(c: int) -> float:
    v = c / 255.0
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_for(bg: str, light: str = "#ffffff", dark: str = "#111111") -> str:
    """White text on dark tiles, near-black on light ones: whichever contrasts more."""
    return light if contrast_ratio(light, bg) >= contrast_ratio(dark, bg) else dark


def darker(hex_colour: str, factor: float = 0.75) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(int(h[i:i + 2], 16) * factor) for i in (0, 2, 4))
    return f"#{r:02x}{g:02x}{b:02x}"


# ------------------------------------------------------------------------------ sizes

MIN_TOUCH_PX = 120
MIN_TOUCH_MM = 20.0


def touch_px(physical_dpi: float, mm: float = MIN_TOUCH_MM, minimum: int = MIN_TOUCH_PX) -> int:
    """Pixels for ``mm`` millimetres on a screen of ``physical_dpi``, never below ``minimum``."""
    try:
        dpi = float(physical_dpi)
    except (TypeError, ValueError):
        dpi = 0.0
    if not (30.0 <= dpi <= 1000.0):  # nonsense reported by some drivers / offscreen
        dpi = 96.0
    return max(minimum, int(round(mm / 25.4 * dpi)))


