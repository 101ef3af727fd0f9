"""The painted parts of the hall display: header, current call, counter panel, history, marquee.

Every size comes from one number, the window height (``Style.h``), so the same layout reads the
same on a 1920x1080 and a 3840x2160 screen. The widgets only paint what they are given; the
window (display.window) decides what to show and when. (A little over 400 lines: five painted
widgets sharing one ``Style``; each is well under 100 lines.)
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from display.board import Call

FONT_FAMILIES = ["DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica"]

BG = QColor("#0a1a33")
PANEL = QColor("#112a52")
CARD = QColor("#17345f")
TEXT = QColor("#ffffff")
MUTED = QColor("#b4c6e3")
ACCENT = QColor("#ffc400")  # highlight (amber)
ACCENT_TEXT = QColor("#1b1300")
MARQUEE_BG = QColor("#061226")
OFFLINE = QColor("#c62828")

# The current number is drawn at this share of the window height, never below MIN_NUMBER_SHARE
# (readable from 10 m on a hall TV).
NUMBER_SHARE = 0.24
MIN_NUMBER_SHARE = 0.15


class Style:
    """Sizes derived from the window height; ``px(share)`` is that share of the height."""

    def __init__(self, height: int = 1080):
        self.h = max(1, int(height))

    def px(self, share: float) -> int:
        return max(1, int(round(self.h * share)))


def make_font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPixelSize(max(1, int(px)))
    f.setBold(bold)
    return f


def fit_px(text: str, max_px: int, max_width: float, bold: bool = True) -> int:
    """The largest pixel size <= ``max_px`` at which ``text`` fits ``max_width``."""
    if not text or max_width <= 0:
        return max(1, max_px)
    probe = 200
    width = QFontMetrics(make_font(probe, bold)).horizontalAdvance(text)
    if width <= 0:
        return max_px
    return max(1, min(max_px, int(probe * max_width / width)))


def _rounded(p: QPainter, rect: QRectF, radius: float, fill: QColor, pen: QPen | None = None) -> None:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    p.fillPath(path, fill)
    if pen is not None:
        p.setPen(pen)
        p.drawPath(path)


def _text(p: QPainter, rect: QRectF | QRect, text: str, px: int, colour: QColor, bold: bool = False,
          align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elide: bool = True) -> None:
    font = make_font(px, bold)
    p.setFont(font)
    p.setPen(colour)
    if elide:
        text = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))
    p.drawText(rect, int(align), text)


def flash_on(now: float | None = None) -> bool:
    """The phase of the highlight flashing: on for half a second, off for half a second."""
    return int((time.monotonic() if now is None else now) * 2) % 2 == 0


# ---------------------------------------------------------------------------------------------


class HeaderBar(QWidget):
    """Logo and hall name on the left; time and date on the right."""

    style: Style  # type: ignore[assignment]  # the board's sizes; shadows QWidget.style()

    def __init__(self, style: Style, hall_name: str, subtitle: str = "", logo: Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.style = style
        self.hall_name = hall_name
        self.subtitle = subtitle
        self.short_name = ""
        self.shown_name = hall_name
        self.date_text = ""
        self.time_text = ""
        self._logo = QPixmap(str(logo)) if logo and Path(logo).exists() else QPixmap()

    def set_clock(self, date_text: str, time_text: str) -> None:
        if (date_text, time_text) != (self.date_text, self.time_text):
            self.date_text, self.time_text = date_text, time_text
            self.update()

    def paintEvent(self, _event) -> None:
        s = self.style
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        pad = s.px(0.025)
        # clock block on the right
        time_px, date_px = s.px(0.062), s.px(0.027)
        clock_w = max(QFontMetrics(make_font(date_px)).horizontalAdvance(self.date_text),
                      QFontMetrics(make_font(time_px, True)).horizontalAdvance(self.time_text)) + pad
        right = QRectF(w - pad - clock_w, 0, clock_w, h)
        _text(p, QRectF(right.x(), h * 0.06, right.width(), h * 0.58), self.time_text, time_px, TEXT, True,
              Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, elide=False)
        _text(p, QRectF(right.x(), h * 0.62, right.width(), h * 0.32), self.date_text, date_px, MUTED, False,
              Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, elide=False)
        # logo and hall name on the left
        x: float = pad
        if not self._logo.isNull():
            lh = int(h * 0.78)
            logo = self._logo.scaledToHeight(lh, Qt.TransformationMode.SmoothTransformation)
            p.drawPixmap(int(x), int((h - logo.height()) / 2), logo)
            x += logo.width() + pad * 0.6
        name_w = right.x() - x - pad
        short = getattr(self, "short_name", "")
        name_px = s.px(0.044) if self.subtitle else s.px(0.046)
        if short and QFontMetrics(make_font(name_px, True)).horizontalAdvance(self.hall_name) > name_w:
            self.shown_name = short  # "MPP Kota Tangerang" rather than "Mal Pelayanan Pu..."
        else:
            self.shown_name = self.hall_name
        if self.subtitle:
            _text(p, QRectF(x, h * 0.08, name_w, h * 0.55), self.shown_name,
                  fit_px(self.shown_name, name_px, name_w), TEXT, True)
            _text(p, QRectF(x, h * 0.62, name_w, h * 0.32), self.subtitle, s.px(0.026), MUTED)
        else:
            _text(p, QRectF(x, 0, name_w, h), self.shown_name, max(min(name_px, 16),
                  fit_px(self.shown_name, name_px, name_w)), TEXT, True)
        # a thin accent line under the header
        p.fillRect(QRectF(0, h - max(2, s.px(0.004)), w, max(2, s.px(0.004))), ACCENT)
        p.end()


class CurrentCallView(QWidget):
    """The call being shown now: title, the number very large, "Loket 7", the agency pill.

    ``number_painted(str)`` is emitted each time the number has been painted (benchmarks hook
    it to time "call committed -> visible")."""

    number_painted = Signal(str)

    style: Style  # type: ignore[assignment]  # the board's sizes; shadows QWidget.style()

    def __init__(self, style: Style, parent: QWidget | None = None):
        super().__init__(parent)
        self.style = style
        self.call: Call | None = None
        self.highlighted = False
        self.flash = False
        self.texts = {"title": "QUEUE NUMBER", "counter": "Counter {n}", "recall": "CALLED AGAIN",
                      "none": "No calls yet"}

    def set_call(self, call: Call | None, highlighted: bool, flash: bool) -> None:
        if (call, highlighted, flash) != (self.call, self.highlighted, self.flash):
            self.call, self.highlighted, self.flash = call, highlighted, flash
            self.update()

    def _inner(self) -> QRectF:
        m = self.style.px(0.006)
        return QRectF(self.rect()).adjusted(m, m, -m, -m)

    def number_px(self, number: str | None = None) -> int:
        """The pixel size the current number is painted at (for the readability test)."""
        text = number if number is not None else (self.call.number if self.call else "K-000")
        box = self._inner()
        max_px = min(self.style.px(NUMBER_SHARE), int(box.height() * 0.48))
        return fit_px(text, max_px, box.width() * 0.92)

    def counter_label(self) -> str:
        return self.texts["counter"].format(n=self.call.counter_number) if self.call else ""

    def paintEvent(self, _event) -> None:
        s = self.style
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = self._inner()
        radius = s.px(0.018)
        on = self.highlighted and self.flash
        fill = ACCENT if on else PANEL
        fg = ACCENT_TEXT if on else TEXT
        sub = ACCENT_TEXT if on else MUTED
        pen = QPen(ACCENT, s.px(0.006)) if self.highlighted else None
        _rounded(p, box, radius, fill, pen)
        pad = s.px(0.02)
        inner = box.adjusted(pad, pad * 0.6, -pad, -pad)
        title_h = s.px(0.06)
        center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        _text(p, QRectF(inner.x(), inner.y(), inner.width(), title_h), self.texts["title"], s.px(0.04),
              sub, True, center)
        if self.call is None:
            _text(p, QRectF(inner.x(), inner.y() + title_h, inner.width(), inner.height() - title_h),
                  self.texts["none"], s.px(0.05), MUTED, False, center)
            p.end()
            return
        c = self.call
        num_px = self.number_px(c.number)
        counter_px = s.px(0.085)
        pill_px = s.px(0.038)
        num_h = num_px * 1.12
        counter_h = counter_px * 1.25
        pill_h = pill_px * 1.7
        rest = inner.height() - title_h
        used = num_h + counter_h + pill_h
        gap = max(0.0, (rest - used) / 4)
        y = inner.y() + title_h + gap
        _text(p, QRectF(inner.x(), y, inner.width(), num_h), c.number, num_px, fg, True, center, elide=False)
        self.number_painted.emit(c.number)
        y += num_h + gap
        _text(p, QRectF(inner.x(), y, inner.width(), counter_h), self.counter_label(), counter_px, fg, True,
              center)
        y += counter_h + gap
        # agency short name on a pill in the agency colour
        font = make_font(pill_px, True)
        name = QFontMetrics(font).elidedText(c.agency_short, Qt.TextElideMode.ElideRight, int(inner.width() * 0.9))
        tw = QFontMetrics(font).horizontalAdvance(name) + pill_px * 1.4
        pill = QRectF(inner.center().x() - tw / 2, y, tw, pill_h)
        _rounded(p, pill, pill_h / 2, QColor(c.colour), QPen(QColor("#ffffff"), max(1, s.px(0.002))))
        _text(p, pill, name, pill_px, TEXT, True, center, elide=False)
        if c.recall:
            tag_px = s.px(0.026)
            tag = self.texts["recall"]
            tw = QFontMetrics(make_font(tag_px, True)).horizontalAdvance(tag) + tag_px * 1.2
            r = QRectF(box.right() - pad - tw, box.y() + pad * 0.6, tw, tag_px * 1.6)
            _rounded(p, r, tag_px * 0.8, ACCENT_TEXT if on else ACCENT)
            _text(p, r, tag, tag_px, ACCENT if on else ACCENT_TEXT, True, center, elide=False)
        p.end()


class CounterPanel(QWidget):
    """One card per counter of the zone: "Loket 7", the last number called, the agency."""

    style: Style  # type: ignore[assignment]  # the board's sizes; shadows QWidget.style()

    def __init__(self, style: Style, cards: list[tuple[str, int, str, str]], parent: QWidget | None = None):
        """``cards``: (counter code, loket number, agency short name, agency colour), in order."""
        super().__init__(parent)
        self.style = style
        self.cards = cards
        self.numbers: dict[str, str] = {}
        self.lit: set[str] = set()  # counters highlighted now
        self.flash = False
        self.texts = {"counter": "Counter {n}"}
        self._grid: tuple[tuple[int, int, int], tuple[int, int, int, int]] | None = None

    def set_state(self, numbers: dict[str, str], lit: set[str], flash: bool) -> None:
        if numbers != self.numbers or lit != self.lit or (lit and flash != self.flash):
            self.numbers, self.lit, self.flash = dict(numbers), set(lit), flash
            self.update()

    def grid(self) -> tuple[int, int, float, float, float]:
        """(columns, rows, card width, card height, gap) that give the largest numbers."""
        n = max(1, len(self.cards))
        gap = self.style.px(0.012)
        w, h = self.width(), self.height()
        best = None
        em = QFontMetrics(make_font(100, True)).horizontalAdvance("K-000") / 100.0
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            cw = (w - gap * (cols - 1)) / cols
            ch = (h - gap * (rows - 1)) / rows
            if cw <= 0 or ch <= 0:
                continue
            size = min(cw * 0.86 / em, ch * 0.46)
            if best is None or size > best[0] + 0.5:
                best = (size, cols, rows, cw, ch)
        if best is None:
            return 1, n, float(w), float(h) / n, float(gap)
        _, cols, rows, cw, ch = best
        return cols, rows, cw, ch, float(gap)

    def paintEvent(self, _event) -> None:
        s = self.style
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        cols, rows, cw, ch, gap = self.grid()
        center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        radius = min(cw, ch) * 0.07
        for i, (code, number, agency, colour) in enumerate(self.cards):
            r, c = divmod(i, cols)
            card = QRectF(c * (cw + gap), r * (ch + gap), cw, ch)
            lit = code in self.lit
            on = lit and self.flash
            fill = ACCENT if on else CARD
            fg = ACCENT_TEXT if on else TEXT
            _rounded(p, card, radius, fill)
            band_h = ch * 0.26
            band = QRectF(card.x(), card.y(), cw, band_h)
            path = QPainterPath()
            path.addRoundedRect(card, radius, radius)
            p.save()
            p.setClipPath(path)
            p.fillRect(band, QColor(colour))
            p.restore()
            if lit:  # the outline last, so the band does not cover it; inside the card
                width = max(2, s.px(0.005))
                p.setPen(QPen(ACCENT, width))
                p.setBrush(Qt.BrushStyle.NoBrush)
                half = width / 2
                p.drawRoundedRect(card.adjusted(half, half, -half, -half), radius, radius)
            label = self.texts["counter"].format(n=number)
            _text(p, band.adjusted(cw * 0.05, 0, -cw * 0.05, 0), label,
                  fit_px(label, int(band_h * 0.62), cw * 0.9), TEXT, True, center)
            # the agency name first: it gets the room it needs at a readable size, the number the rest
            min_px = self.min_name_px()
            max_px = max(min_px, min(int(ch * 0.12), s.px(0.03)))
            name_w = cw * 0.92
            lines, name_px = self.name_layout(agency, name_w, ch * 0.4, max_px)
            name_h = max(ch * 0.21, name_px * 1.25 * len(lines) + ch * 0.03)
            num = self.numbers.get(code, "\u2014")
            num_h = ch - band_h - name_h
            num_box = QRectF(card.x(), card.y() + band_h, cw, num_h)
            called = code in self.numbers
            num_px = fit_px(num, int(min(ch * (0.44 if called else 0.22), num_h * 0.86)), cw * 0.86)
            _text(p, num_box, num, num_px, fg if called else MUTED, called, center, elide=False)
            name_box = QRectF(card.x() + cw * 0.04, card.y() + ch - name_h, name_w, name_h - ch * 0.03)
            _text(p, name_box, "\n".join(lines), name_px, ACCENT_TEXT if on else MUTED, False, center, elide=False)
        p.end()

    def min_name_px(self) -> int:
        """The smallest size an agency name under a loket tile is drawn at (readable from the
        seats): 2.2 % of the screen height, between 16 and 24 px."""
        return max(16, min(24, self.style.px(0.022)))

    def name_layout(self, name: str, width: float, height: float, max_px: int) -> tuple[list[str], int]:
        """The agency name under a tile: on one line as large as fits (up to ``max_px``); when
        that would fall below ``min_name_px``, on two lines (if ``height`` holds two lines at the
        minimum) at the largest size that fits them; else one line at the minimum, elided. Never
        below the minimum."""
        min_px = min(self.min_name_px(), max_px)
        px = fit_px(name, max_px, width, bold=False)
        if px >= min_px or " " not in name or min_px * 1.25 * 2 > height:
            px = max(px, min_px)
            fm = QFontMetrics(make_font(px))
            return [fm.elidedText(name, Qt.TextElideMode.ElideRight, int(width))], px
        words = name.split()
        cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        probe = QFontMetrics(make_font(100))
        a, b = min(cuts, key=lambda ab: max(probe.horizontalAdvance(ab[0]), probe.horizontalAdvance(ab[1])))
        two_px = min(max_px, fit_px(a if len(a) >= len(b) else b, max_px, width, bold=False),
                     int(height / 2.5))
        two_px = max(two_px, min_px)
        fm = QFontMetrics(make_font(two_px))
        return [fm.elidedText(a, Qt.TextElideMode.ElideRight, int(width)),
                fm.elidedText(b, Qt.TextElideMode.ElideRight, int(width))], two_px


class HistoryView(QWidget):
    """The recent calls, newest first: number, loket, agency."""

    style: Style  # type: ignore[assignment]  # the board's sizes; shadows QWidget.style()

    def __init__(self, style: Style, rows: int = 6, parent: QWidget | None = None):
        super().__init__(parent)
        self.style = style
        self.rows = max(1, rows)
        self.calls: list[Call] = []
        self.texts = {"title": "Recent calls", "counter": "Counter {n}", "recall": "again"}

    def set_calls(self, calls: list[Call]) -> None:
        calls = list(calls[: self.rows])
        if [c.event_id for c in calls] != [c.event_id for c in self.calls]:
            self.calls = calls
            self.update()

    def paintEvent(self, _event) -> None:
        s = self.style
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(s.px(0.006), 0, -s.px(0.006), 0)
        _rounded(p, box, s.px(0.014), PANEL)
        pad = s.px(0.018)
        title_h = s.px(0.05)
        _text(p, QRectF(box.x() + pad, box.y(), box.width() - 2 * pad, title_h), self.texts["title"],
              s.px(0.03), MUTED, True)
        row_h = min((box.height() - title_h - pad * 0.5) / self.rows, s.px(0.065))
        y = box.y() + title_h
        w = box.width() - 2 * pad
        for c in self.calls:
            if y + row_h > box.bottom() + 1:
                break
            x = box.x() + pad
            p.fillRect(QRectF(x, y, w, max(1, s.px(0.0015))), QColor("#25406b"))
            _text(p, QRectF(x, y, w * 0.34, row_h), c.number, int(row_h * 0.66), TEXT, True)
            _text(p, QRectF(x + w * 0.34, y, w * 0.30, row_h), self.texts["counter"].format(n=c.counter_number),
                  int(row_h * 0.56), TEXT, True)
            dot = row_h * 0.28
            p.setBrush(QColor(c.colour))
            p.setPen(QPen(QColor("#ffffff"), 1))
            p.drawEllipse(QRectF(x + w * 0.64, y + (row_h - dot) / 2, dot, dot))
            name = c.agency_short + (f" ({self.texts['recall']})" if c.recall else "")
            _text(p, QRectF(x + w * 0.64 + dot * 1.6, y, w * 0.36 - dot * 1.6, row_h), name,
                  max(min(16, int(row_h * 0.8)), int(row_h * 0.46)), MUTED)
            y += row_h
        p.end()


class Marquee(QWidget):
    """Running text, right to left, at a speed proportional to the height (smooth at any fps).

    When ``offline_text`` is set, a red note sits at its left end."""

    style: Style  # type: ignore[assignment]  # the board's sizes; shadows QWidget.style()

    def __init__(self, style: Style, text: str, fps: int = 30, parent: QWidget | None = None):
        super().__init__(parent)
        self.style = style
        self.text = " ".join(text.split())
        self.offline_text = ""
        self._t0 = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, int(1000 / fps)))
        self._timer.timeout.connect(self.update)

    def start(self) -> None:
        if self.text:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_offline(self, text: str) -> None:
        if text != self.offline_text:
            self.offline_text = text
            self.update()

    def offset(self, now: float | None = None) -> float:
        speed = self.style.h * 0.11  # px per second
        return ((time.monotonic() if now is None else now) - self._t0) * speed

    def paintEvent(self, _event) -> None:
        s = self.style
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), MARQUEE_BG)
        p.fillRect(QRectF(0, 0, w, max(2, s.px(0.003))), ACCENT)
        px = s.px(0.04)
        left = 0.0
        if self.offline_text:  # a red note at the left end; the text runs to its right
            tp = s.px(0.026)
            fm = QFontMetrics(make_font(tp, True))
            tw = fm.horizontalAdvance(self.offline_text) + tp * 1.6
            r = QRectF(s.px(0.012), (h - tp * 1.8) / 2, tw, tp * 1.8)
            _rounded(p, r, tp * 0.5, OFFLINE, QPen(QColor("#ffffff"), max(1, s.px(0.002))))
            _text(p, r, self.offline_text, tp, TEXT, True,
                  Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, elide=False)
            left = r.right() + s.px(0.012)
        if self.text:
            font = make_font(px)
            fm = QFontMetrics(font)
            sep = "      \u2022      "
            piece = self.text + sep
            pw = fm.horizontalAdvance(piece)
            p.setClipRect(QRectF(left, 0, w - left, h))
            p.setFont(font)
            p.setPen(TEXT)
            x = left - (self.offset() % pw)  # starts with the text's beginning at the left edge
            baseline = (h + fm.ascent() - fm.descent()) / 2
            while x < w:
                p.drawText(int(x), int(baseline), piece)
                x += pw
        p.end()
