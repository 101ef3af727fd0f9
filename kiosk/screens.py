"""The kiosk's screens. Each is a plain widget: it shows what the window gives it and emits what
the citizen (or staff) chose; none of them touches the queue or the printer.

The staff screens (PIN, staff) are in kiosk/staff_screens.py and re-exported here. Why this
module is still over 400 lines: it holds the citizen's three screens (start, agency, result) and
the vocabulary they share, each a class of 100-200 lines that only makes sense next to the others
(the same citizen goes through all three, in that order).

Every text goes through ``self.tr()`` (English source, Indonesian in assets/translations/
kiosk_id.ts, one context per class name) and is set again in ``retranslate()``.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.catalogue import Agency, Hall, Service
from antrian.domain.model import IssuedTicket
from antrian.domain.rules import Availability
from kiosk.text import clock_text, counter_numbers_text, long_date, opening_text, text_colour_for
from kiosk.widgets import (
    PRIMARY,
    PRIORITY,
    PRIORITY_BG,
    AgencyTile,
    FitButton,
    LongPress,
    Metrics,
    ServiceButton,
    TileBoard,
    make_button,
    make_label,
    qr_pixmap,
    set_role,
)


class KioskVocabulary(QObject):
    """Phrases several screens share: priority groups, service states, waiting times."""

    def group(self, code: str) -> str:
        known = {
            "lansia": self.tr("Elderly"),
            "disabilitas": self.tr("Disability"),
            "ibu-hamil": self.tr("Pregnant women"),
            "anak": self.tr("Children"),
            "korban-bencana": self.tr("Disaster victims"),
        }
        return known.get(code, code.replace("-", " ").title())

    def waiting(self, n: int) -> str:
        return self.tr("{n} waiting").format(n=n)

    def service_state(self, av: Availability | None, waiting: int, now_local: datetime, lang: str,
                      no_priority: bool = False) -> tuple[str, bool]:
        """(text, refused) for a service button."""
        if no_priority:
            return self.tr("No priority line for this service"), True
        if av is None:
            return self.waiting(waiting), False
        if av.reason == "closed":
            when = opening_text(av.opens_at, now_local, lang)
            return (self.tr("Closed - opens {when}").format(when=when) if when else self.tr("Closed")), True
        if av.reason == "quota_full":
            return self.tr("Quota full ({issued}/{quota})").format(issued=av.issued, quota=av.quota), True
        if av.remaining is not None:
            return self.tr("{n} waiting \u00b7 {left} tickets left").format(n=waiting, left=av.remaining), False
        return self.waiting(waiting), False

    def wait_minutes(self, minutes: int) -> str:
        if minutes <= 0:
            return self.tr("soon")
        hours, mins = divmod(minutes, 60)
        if hours and mins:
            return self.tr("about {h} h {m} min").format(h=hours, m=mins)
        if hours:
            return self.tr("about {h} h").format(h=hours)
        return self.tr("about {m} min").format(m=mins)

    def service_name(self, service: Service, lang: str) -> str:
        return service.name_en if lang == "en" and service.name_en else service.name


def service_requirements(service: Service) -> tuple[str, ...]:
    """The service's published requirements (persyaratan), if the hall's data has them."""
    return tuple(getattr(service, "requirements", ()) or ())


def _scroll(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(inner)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


def _clear(layout) -> None:
    while layout.count():
        layout.takeAt(0)


# ============================================================================================ home

class HomeScreen(QWidget):
    """Hall name, clock, the priority entry and the agency tiles."""

    agency_chosen = Signal(str)
    group_chosen = Signal(str)
    priority_cancelled = Signal()
    language_clicked = Signal()
    staff_requested = Signal()

    def __init__(self, hall: Hall, agencies: list[Agency], vocab: KioskVocabulary, m: Metrics,
                 logo: QPixmap | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        self.agencies = agencies
        self.vocab = vocab
        self.m = m
        self.lang = "id"
        self.group: str | None = None
        self._data: tuple = (None, None, None)

        root = QVBoxLayout(self)
        root.setContentsMargins(24, 12, 24, 12)
        root.setSpacing(10)

        # header: logo + hall name (hold or tap 5x: staff), clock, language
        self.brand = QWidget()
        brand = QHBoxLayout(self.brand)
        brand.setContentsMargins(0, 0, 0, 0)
        brand.setSpacing(18)
        self.logo = QLabel()
        if logo is not None and not logo.isNull():
            self.logo.setPixmap(logo.scaledToHeight(m.touch - 20, Qt.TransformationMode.SmoothTransformation))
        else:
            self.logo.hide()
        names = QVBoxLayout()
        names.setSpacing(2)
        self.hall_name = make_label(hall.name, "title", wrap=False)
        self.hall_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # the subtitle is the instruction: "Pilih instansi" (one line less above the tiles)
        self.subtitle = self.choose = make_label("", "section")
        names.addWidget(self.hall_name)
        names.addWidget(self.subtitle)
        brand.addWidget(self.logo)
        brand.addLayout(names, 1)
        self.staff_entry = LongPress(self.brand)
        self.staff_entry.triggered.connect(self.staff_requested)

        clock_box = QVBoxLayout()
        clock_box.setSpacing(0)
        self.clock = make_label("", "clock", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        self.date = make_label("", "date", wrap=False, align=Qt.AlignmentFlag.AlignRight)
        clock_box.addWidget(self.clock)
        clock_box.addWidget(self.date)
        self.lang_button = FitButton("", "secondary", m)
        self.lang_button.setFixedWidth(max(2 * m.touch, 250))
        self.lang_button.clicked.connect(self.language_clicked)

        header = QHBoxLayout()
        header.setSpacing(24)
        header.addWidget(self.brand, 1)
        header.addLayout(clock_box)
        header.addWidget(self.lang_button)
        root.addLayout(header)

        # priority entry
        self.band = QFrame()
        self.band.setObjectName("PriorityBand")
        self.band.setStyleSheet(
            f"QFrame#PriorityBand {{ background: {PRIORITY_BG}; border: 3px solid {PRIORITY};"
            " border-radius: 18px; }"
        )
        self.band_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.band)
        self.band_layout.setContentsMargins(18, 8, 18, 8)
        self.band_layout.setSpacing(14)
        band_text = QVBoxLayout()
        band_text.setSpacing(2)
        self.band_title = make_label("", "section")
        self.band_title.setStyleSheet(f"color: {PRIORITY};")
        self.band_hint = make_label("")
        self.band_hint.setStyleSheet(f"color: {PRIORITY}; font-size: {m.small}px;")
        band_text.addWidget(self.band_title)
        band_text.addWidget(self.band_hint)
        self.band_layout.addLayout(band_text, 2)
        self.group_row = QGridLayout()
        self.group_row.setSpacing(12)
        self.group_buttons: dict[str, FitButton] = {}
        for code in hall.priority.groups:
            b = FitButton("", "priority", m)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.clicked.connect(lambda _=False, c=code: self.group_chosen.emit(c))
            self.group_buttons[code] = b
        self.cancel_priority = make_button("", "secondary")
        self.cancel_priority.clicked.connect(self.priority_cancelled)
        self.cancel_priority.hide()
        self.portrait: bool | None = None
        self.band_layout.addLayout(self.group_row, 3)
        root.addWidget(self.band)

        # agency tiles: all at once when they fit, else pages (no scrolling)
        self.board = TileBoard(m)
        self.tiles: dict[str, AgencyTile] = {}
        self.set_agencies(agencies)
        root.addWidget(self.board, 1)
        self._layout_for(1920, 1080)
        self.retranslate()

    def set_agencies(self, agencies: list[Agency]) -> None:
        for tile in self.tiles.values():
            tile.hide()
            tile.deleteLater()
        self.agencies = list(agencies)
        self.tiles = {}
        for a in self.agencies:
            tile = AgencyTile(a.code, a.short_name, a.colour, self.m)
            tile.clicked.connect(lambda _=False, c=a.code: self.agency_chosen.emit(c))
            self.tiles[a.code] = tile
        self.board.set_tiles(list(self.tiles.values()))
        self.set_data(*self._data)

    # -- pages (a hall with more agencies than fit)
    def grid_viewport(self) -> QWidget:
        return self.board

    def page_count(self) -> int:
        return self.board.page_count()

    @property
    def page(self) -> int:
        return self.board.page

    @property
    def next_page(self) -> QPushButton:
        return self.board.next_page

    @property
    def columns(self) -> int:
        return self.board.columns

    def current_page_tiles(self) -> list:
        return self.board.current_tiles()

    def reset_page(self) -> None:
        if self.board.page:
            self.board.show_page(0)

    # -- layout: columns follow the width; portrait stacks the priority band
    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._layout_for(ev.size().width(), ev.size().height())
        self._fit_hall_name()

    def _fit_hall_name(self) -> None:
        """The hall's full name on one line when it fits beside the clock, else its short name."""
        from PySide6.QtGui import QFontMetrics

        clock_w = max(self.clock.sizeHint().width(), self.date.sizeHint().width())
        logo_w = self.logo.sizeHint().width() + 18 if self.logo.isVisible() else 0
        room = (self.width() - self.lang_button.width() - getattr(self, "header_extra_width", 0) - clock_w - logo_w
                - 2 * 24 - 2 * 24)
        from PySide6.QtGui import QFont

        name = self.hall.name
        font = QFont(self.hall_name.font())
        font.setBold(True)
        font.setPixelSize(self.m.title)
        if QFontMetrics(font).horizontalAdvance(name) > room and self.hall.short_name:
            name = self.hall.short_name
        px = self.m.title
        while px > self.m.body and QFontMetrics(font).horizontalAdvance(name) > room:
            px -= 2
            font.setPixelSize(px)
        self.hall_name.setStyleSheet(f"font-size: {px}px;")
        if self.hall_name.text() != name:
            self.hall_name.setText(name)

    def _layout_for(self, width: int, height: int) -> None:
        portrait = height > width
        if portrait != self.portrait:
            self.portrait = portrait
            self.band_layout.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
            _clear(self.group_row)
            per_row = 2 if portrait else 4
            for i, b in enumerate(self.group_buttons.values()):
                self.group_row.addWidget(b, i // per_row, i % per_row)
            self.group_row.addWidget(self.cancel_priority, 0, 0)

    # -- content
    def retranslate(self) -> None:
        # the button names the other language, in that language
        self.lang_button.set_fit_text("English" if self.lang == "id" else "Bahasa Indonesia")
        self._fit_hall_name()
        self.choose.setText(self.tr("Choose an agency"))
        self.board.prev_page.setText(self.tr("\u2190 Previous"))
        self.board.next_page.setText(self.tr("Next \u2192"))
        self.board.page_text = self.tr("Page {page} of {pages}")
        self.board.show_page(self.board.page)
        for code, b in self.group_buttons.items():
            b.set_fit_text(self.vocab.group(code))
        self.cancel_priority.setText(self.tr("Cancel"))
        self.set_priority(self.group)
        self.set_data(*self._data)

    def hall_closed_text(self) -> str:
        """When every service is closed: "Sedang tutup. Buka kembali besok 07.45." Else ""."""
        availability, _waiting, now_local = self._data
        if not availability:
            return ""
        avs = list(availability.values())
        if not avs or any(av.open for av in avs) or not all(av.reason == "closed" for av in avs):
            return ""
        opens = [av.opens_at for av in avs if av.opens_at is not None]
        when = opening_text(min(opens), now_local or min(opens), self.lang) if opens else ""
        if when:
            return self.tr("Closed now. Opens again {when}.").format(when=when)
        return self.tr("Closed now.")

    def _show_hall_state(self) -> None:
        closed = self.hall_closed_text()
        if closed:
            self.choose.setText(closed)
        elif self.group is None:
            self.choose.setText(self.tr("Choose an agency"))
        else:
            self.choose.setText(self.tr("Choose an agency (priority)"))

    def set_priority(self, group: str | None) -> None:
        self.group = group
        for b in self.group_buttons.values():
            b.setVisible(group is None)
        self.cancel_priority.setVisible(group is not None)
        if group is None:
            self.band_title.setText(self.tr("Priority service"))
            groups = ", ".join(self.vocab.group(g) for g in self.hall.priority.groups)
            self.band_hint.setText(self.tr("For {groups}: choose your group first").format(groups=groups.lower()))
        else:
            self.band_title.setText(self.tr("Priority service: {group}").format(group=self.vocab.group(group)))
            self.band_hint.setText(self.tr("Now choose the agency below."))
        self._show_hall_state()

    def set_clock(self, local: datetime) -> None:
        self.clock.setText(clock_text(local))
        self.date.setText(long_date(local, self.lang))

    def set_data(self, availability: dict[str, Availability] | None, waiting: dict[str, int] | None,
                 now_local: datetime | None = None) -> None:
        self._data = (availability, waiting, now_local)
        self._show_hall_state()
        for a in self.agencies:
            tile = self.tiles[a.code]
            if availability is None and waiting is None:
                tile.set_state("")
                continue
            n = sum((waiting or {}).get(s, 0) for s in a.service_codes)
            avs = [availability.get(s) for s in a.service_codes] if availability else []
            if avs and all(av is not None and not av.open for av in avs):
                if all(av is not None and av.reason == "quota_full" for av in avs):
                    tile.set_state(self.tr("Quota full"))
                else:
                    tile.set_state(self.tr("Closed now"))
            else:
                tile.set_state(self.vocab.waiting(n))


# ======================================================================================== agency

class AgencyScreen(QWidget):
    """One agency's services as large buttons, each with its state."""

    service_chosen = Signal(str)
    requirements_chosen = Signal(str)  # "Persyaratan": the service's standard, before the ticket
    back = Signal()

    def __init__(self, hall: Hall, vocab: KioskVocabulary, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        self.vocab = vocab
        self.m = m
        self.lang = "id"
        self.agency: Agency | None = None
        self.group: str | None = None
        self.columns = 0
        self.buttons: dict[str, ServiceButton] = {}
        self.requirement_buttons: dict[str, FitButton] = {}
        self.cells: dict[str, QWidget] = {}
        self._data: tuple = (None, None, None)

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 18, 28, 18)
        root.setSpacing(14)
        self.back_button = make_button("", "secondary")
        self.back_button.clicked.connect(self.back)
        self.head = QFrame()
        self.head.setObjectName("AgencyHead")
        head = QHBoxLayout(self.head)
        head.setContentsMargins(24, 10, 24, 10)
        self.name = make_label("", "title")
        head.addWidget(self.name, 1)
        self.badge = make_label("", wrap=False)
        self.badge.setStyleSheet(f"background: {PRIORITY}; color: white; border-radius: 10px;"
                                 f" padding: 8px 16px; font-size: {m.body}px; font-weight: bold;")
        head.addWidget(self.badge)
        top = QHBoxLayout()
        top.setSpacing(18)
        top.addWidget(self.back_button)
        top.addWidget(self.head, 1)
        root.addLayout(top)
        self.hint = make_label("", "subtitle")
        root.addWidget(self.hint)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(16)
        root.addWidget(_scroll(self.grid_host), 1)
        self.retranslate()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._arrange(ev.size().width(), ev.size().height())

    def _arrange(self, width: int | None = None, height: int | None = None) -> None:
        width = width or self.width()
        height = height or self.height()
        cols = 2 if width > height and width >= 1200 and len(self.buttons) > 3 else 1
        if cols != self.columns or self.grid.count() != len(self.cells):
            self.columns = cols
            _clear(self.grid)
            for i, cell in enumerate(self.cells.values()):
                self.grid.addWidget(cell, i // cols, i % cols)
            rows = max(1, math.ceil(len(self.buttons) / cols))
            for r in range(self.grid.rowCount()):
                self.grid.setRowStretch(r, 1 if r < rows else 0)
            for c in range(max(2, self.grid.columnCount())):
                self.grid.setColumnStretch(c, 1 if c < cols else 0)

    def show_agency(self, agency: Agency, group: str | None) -> None:
        self.agency = agency
        self.group = group
        ink = text_colour_for(agency.colour)
        self.head.setStyleSheet(f"QFrame#AgencyHead {{ background: {agency.colour}; border-radius: 16px; }}"
                                f" QLabel {{ color: {ink}; }}")
        self.name.setText(agency.short_name if len(agency.name) > 40 else agency.name)
        for cell in self.cells.values():
            cell.setParent(None)
            cell.deleteLater()
        self.buttons, self.requirement_buttons, self.cells = {}, {}, {}
        for s in self.hall.services_of(agency.code):
            cell = QWidget()
            row = QHBoxLayout(cell)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(10)
            b = ServiceButton(s.code, self.m)
            b.clicked.connect(lambda _=False, c=s.code: self.service_chosen.emit(c))
            row.addWidget(b, 1)
            if service_requirements(s):  # only when the hall publishes the service's standard
                r = FitButton("", "secondary", self.m)
                r.setFixedWidth(max(self.m.touch + 60, 200))
                r.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
                r.clicked.connect(lambda _=False, c=s.code: self.requirements_chosen.emit(c))
                row.addWidget(r)
                self.requirement_buttons[s.code] = r
            self.buttons[s.code] = b
            self.cells[s.code] = cell
        self.columns = 0
        self._arrange()
        self.retranslate()

    def retranslate(self) -> None:
        self.back_button.setText(self.tr("\u2190 Back"))
        self.hint.setText(self.tr("Tap a service: your number is issued and printed at once."))
        for r in self.requirement_buttons.values():
            r.set_fit_text(self.tr("Requirements"))
        if self.group:
            self.badge.setText(self.tr("Priority: {group}").format(group=self.vocab.group(self.group)))
        self.badge.setVisible(bool(self.group))
        self.refresh()

    def set_data(self, availability: dict[str, Availability] | None, waiting: dict[str, int] | None,
                 now_local: datetime | None) -> None:
        self._data = (availability, waiting, now_local)
        self.refresh()

    def state_of(self, code: str) -> tuple[str, bool]:
        availability, waiting, now_local = self._data
        service = self.hall.service(code)
        av = (availability or {}).get(code)
        return self.vocab.service_state(
            av, (waiting or {}).get(code, 0), now_local or datetime.now(), self.lang,
            no_priority=bool(self.group) and not service.priority_allowed,
        )

    def refresh(self) -> None:
        for code, b in self.buttons.items():
            text, refused = self.state_of(code)
            b.set_content(self.vocab.service_name(self.hall.service(code), self.lang), text, refused)


# ======================================================================================== result

class ResultScreen(QWidget):
    """The number, very large; agency and service; people ahead; estimated wait; the QR code;
    what happened to the printed ticket; a countdown back to the start."""

    done = Signal()
    GUARD_MS = 1200  # a double tap's second touch must not dismiss the screen at once

    def __init__(self, hall: Hall, vocab: KioskVocabulary, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        self.vocab = vocab
        self.m = m
        self.lang = "id"
        self.issued: IssuedTicket | None = None
        self.print_state = "printing"  # printing | printed | failed
        self.seconds_left = 0
        self._guard = QTimer(self)
        self._guard.setSingleShot(True)

        root = QVBoxLayout(self)
        root.setContentsMargins(36, 24, 36, 24)
        root.setSpacing(16)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(10)
        self.caption = make_label("", "section", align=Qt.AlignmentFlag.AlignCenter)
        self.number = make_label("", "number", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.where = make_label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.go_to = make_label("", "section", align=Qt.AlignmentFlag.AlignCenter)  # "Silakan menunggu ... Loket 17-20"
        self.go_to.setStyleSheet(f"color: {PRIMARY};")
        self.priority = make_label("", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.priority.setStyleSheet(f"background: {PRIORITY}; color: white; border-radius: 10px;"
                                    f" padding: 6px 16px; font-size: {m.large}px; font-weight: bold;")
        facts = QGridLayout()
        facts.setHorizontalSpacing(30)
        facts.setVerticalSpacing(0)
        self.ahead_caption = make_label("", align=Qt.AlignmentFlag.AlignCenter)
        self.eta_caption = make_label("", align=Qt.AlignmentFlag.AlignCenter)
        self.ahead = make_label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.eta = make_label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        facts.addWidget(self.ahead_caption, 0, 0)
        facts.addWidget(self.eta_caption, 0, 1)
        facts.addWidget(self.ahead, 1, 0)
        facts.addWidget(self.eta, 1, 1)
        left.addStretch()
        left.addWidget(self.caption)
        left.addWidget(self.number)
        left.addWidget(self.where)
        left.addWidget(self.priority, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addSpacing(10)
        left.addLayout(facts)
        left.addStretch()
        right = QVBoxLayout()
        right.setSpacing(8)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setStyleSheet("background: white; border-radius: 12px; padding: 12px;")
        self.qr_hint = make_label("", "small", align=Qt.AlignmentFlag.AlignCenter)
        right.addStretch()
        right.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.qr_hint)
        right.addStretch()
        self.body.addLayout(left, 3)
        self.body.addLayout(right, 2)
        root.addLayout(self.body, 1)
        root.addWidget(self.go_to)  # full width, under the number: where to wait
        self.print_box = make_label("", "infobox", align=Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.print_box)
        self.done_button = make_button("", "primary")
        self.done_button.clicked.connect(self._done_clicked)
        root.addWidget(self.done_button)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        if portrait != getattr(self, "_portrait", None):
            self._portrait = portrait
            self.retranslate()  # agency and service on one line (landscape) or two (portrait)
        self._fit_number()

    def _fit_number(self) -> None:
        """The number as large as the width allows (about 0.75 em per character of "K-012") and
        as the height left by the other lines allows, so it is never clipped."""
        width, height = self.width(), self.height()
        lay = self.layout()
        assert lay is not None  # set in __init__
        portrait = height > width
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        by_width = min(int(width * (0.9 if portrait else 0.55) / 4.2), 260)
        m = lay.contentsMargins()
        body_h = (height - m.top() - m.bottom() - 2 * lay.spacing()
                  - self.print_box.sizeHint().height() - self.done_button.sizeHint().height())
        if portrait:  # the QR code takes its share below
            body_h -= self.qr.sizeHint().height() + self.qr_hint.sizeHint().height() + self.body.spacing() + 16
        col_w = int(width * (0.9 if portrait else 0.55))
        half = col_w // 2 - 15
        if self.go_to.text():
            body_h -= self.go_to.heightForWidth(width - m.left() - m.right()) + lay.spacing()
        others = (self.caption.heightForWidth(col_w) + self.where.heightForWidth(col_w)
                  + max(self.ahead_caption.heightForWidth(half), self.eta_caption.heightForWidth(half))
                  + max(self.ahead.heightForWidth(half), self.eta.heightForWidth(half))
                  + (self.priority.sizeHint().height() if self.priority.isVisibleTo(self) else 0))
        others += 6 * 10 + 10 + 40  # the column's spacing, and some air
        by_height = int((body_h - others) / 1.25)  # a line is about 1.2 em high
        px = max(self.m.large, min(by_width, by_height))
        if px != getattr(self, "_number_px", None):
            self._number_px = px
            self.number.setStyleSheet(f"font-size: {px}px;")

    def show_ticket(self, issued: IssuedTicket, qr_size: int = 300, qr: QImage | None = None,
                    print_state: str = "printing") -> None:
        """``qr``: the ticket's QR code drawn already (``qr_image``, off the GUI thread); else
        drawn here. ``print_state``: "printing", or the printer's outcome when it is known."""
        self.issued = issued
        self.print_state = print_state
        self.number.setText(issued.ticket.number)
        self.qr.setPixmap(QPixmap.fromImage(qr) if qr is not None else qr_pixmap(issued.qr_text, qr_size))
        self._guard.start(self.GUARD_MS)
        self.retranslate()

    def set_print_state(self, state: str) -> None:
        self.print_state = state
        self.retranslate()

    def set_countdown(self, seconds: int) -> None:
        self.seconds_left = seconds
        self.done_button.setText(self.tr("Done ({s})").format(s=seconds) if seconds > 0 else self.tr("Done"))

    def retranslate(self) -> None:
        self.caption.setText(self.tr("Your queue number"))
        self.qr_hint.setText(self.tr("QR code of your ticket"))
        self.set_countdown(self.seconds_left)
        if self.issued is None:
            return
        t = self.issued.ticket
        service = self.hall.service(t.service_code)
        agency = self.hall.agency(t.agency_code)
        sep = "\n" if self.height() > self.width() else " \u00b7 "
        self.where.setText(f"{agency.short_name}{sep}{self.vocab.service_name(service, self.lang)}")
        self.go_to.setText(self.where_to_wait(agency, service))
        self.go_to.setVisible(bool(self.go_to.text()))
        self.priority.setText(self.tr("Priority: {group}").format(group=self.vocab.group(t.priority))
                              if t.priority else "")
        self.priority.setVisible(bool(t.priority))
        self.ahead_caption.setText(self.tr("People ahead of you"))
        self.ahead.setText(str(self.issued.ahead))
        self.eta_caption.setText(self.tr("Estimated wait"))
        self.eta.setText(self.vocab.wait_minutes(self.issued.eta_minutes))
        self._texts_for_print_state()
        self._fit_number()

    def _texts_for_print_state(self) -> None:
        if self.print_state == "failed":
            set_role(self.print_box, "warnbox")
            self.print_box.setText(self.tr("The ticket could not be printed. Please take a photo of this "
                                           "number and the QR code.") + "\n"
                                   + self.tr("You can also ask the staff to print it again."))
        elif self.print_state == "printed":
            set_role(self.print_box, "okbox")
            self.print_box.setText(self.tr("Please take your ticket below and wait for your number to be called."))
        else:
            set_role(self.print_box, "infobox")
            self.print_box.setText(self.tr("Printing your ticket..."))

    def where_to_wait(self, agency: Agency, service: Service) -> str:
        """Where the citizen waits: the agency's zone text when the hall gives one, else the
        loket numbers that call this service ("Loket 17-20 (Disdukcapil)")."""
        zone = (getattr(agency, "zone", "") or "").strip()
        if zone:
            return self.tr("Please wait to be called: {zone}").format(zone=zone)
        numbers = [c.number for c in self.hall.counters_serving(service.code)]
        if not numbers:
            return ""
        return self.tr("Please wait to be called to counter {numbers} ({agency})").format(
            numbers=counter_numbers_text(numbers), agency=agency.short_name)

    def _done_clicked(self) -> None:
        if not self._guard.isActive():
            self.done.emit()

    def mouseReleaseEvent(self, ev) -> None:  # a tap anywhere returns to the start
        if not self._guard.isActive():
            self.done.emit()
        super().mouseReleaseEvent(ev)


from kiosk.staff_screens import PinScreen, StaffScreen  # noqa: E402  (re-exported)

__all__ = ["AgencyScreen", "HomeScreen", "KioskVocabulary", "PinScreen", "ResultScreen", "StaffScreen"]
