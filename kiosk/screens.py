"""The kiosk's screens. Each is a plain widget: it shows what the window gives it and emits what
the citizen (or staff) chose; none of them touches the queue or the printer.

Every text goes through ``self.tr()`` (English source, Indonesian in assets/translations/
kiosk_id.ts, one context per class name) and is set again in ``retranslate()``.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
from kiosk.text import clock_text, long_date, opening_text, text_colour_for
from kiosk.widgets import (
    PRIORITY,
    PRIORITY_BG,
    AgencyTile,
    LongPress,
    Metrics,
    PinPad,
    ServiceButton,
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


def _scroll(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    area.setWidget(inner)
    QScroller.grabGesture(area.viewport(), QScroller.LeftMouseButtonGesture)
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
        self.columns = 0
        self._data: tuple = (None, None)

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 18, 28, 18)
        root.setSpacing(14)

        # header: logo + hall name (hold or tap 5x: staff), clock, language
        self.brand = QWidget()
        brand = QHBoxLayout(self.brand)
        brand.setContentsMargins(0, 0, 0, 0)
        brand.setSpacing(18)
        self.logo = QLabel()
        if logo is not None and not logo.isNull():
            self.logo.setPixmap(logo.scaledToHeight(m.touch - 20, Qt.SmoothTransformation))
        else:
            self.logo.hide()
        names = QVBoxLayout()
        names.setSpacing(2)
        self.hall_name = make_label(hall.name, "title")
        self.subtitle = make_label("", "subtitle")
        names.addWidget(self.hall_name)
        names.addWidget(self.subtitle)
        brand.addWidget(self.logo)
        brand.addLayout(names, 1)
        self.staff_entry = LongPress(self.brand)
        self.staff_entry.triggered.connect(self.staff_requested)

        clock_box = QVBoxLayout()
        clock_box.setSpacing(0)
        self.clock = make_label("", "clock", wrap=False, align=Qt.AlignRight)
        self.date = make_label("", "date", wrap=False, align=Qt.AlignRight)
        clock_box.addWidget(self.clock)
        clock_box.addWidget(self.date)
        self.lang_button = make_button("", "secondary")
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
        self.band_layout = QBoxLayout(QBoxLayout.LeftToRight, self.band)
        self.band_layout.setContentsMargins(22, 14, 22, 14)
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
        self.group_buttons: dict[str, QPushButton] = {}
        for code in hall.priority.groups:
            b = make_button("", "priority")
            b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            b.clicked.connect(lambda _=False, c=code: self.group_chosen.emit(c))
            self.group_buttons[code] = b
        self.cancel_priority = make_button("", "secondary")
        self.cancel_priority.clicked.connect(self.priority_cancelled)
        self.cancel_priority.hide()
        self.portrait: bool | None = None
        self.band_layout.addLayout(self.group_row, 3)
        root.addWidget(self.band)

        # agency grid
        self.choose = make_label("", "section")
        root.addWidget(self.choose)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(14)
        self.tiles: dict[str, AgencyTile] = {}
        for a in agencies:
            tile = AgencyTile(a.code, a.short_name, a.colour, m)
            tile.clicked.connect(lambda _=False, c=a.code: self.agency_chosen.emit(c))
            self.tiles[a.code] = tile
        root.addWidget(_scroll(self.grid_host), 1)
        self._layout_for(1920, 1080)
        self.retranslate()

    # -- layout: columns follow the width; portrait stacks the priority band
    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._layout_for(ev.size().width(), ev.size().height())

    def _layout_for(self, width: int, height: int) -> None:
        cols = max(2, min(6, width // 300))
        if cols != self.columns:
            self.columns = cols
            _clear(self.grid)
            for i, tile in enumerate(self.tiles.values()):
                self.grid.addWidget(tile, i // cols, i % cols)
            rows = math.ceil(len(self.tiles) / cols)
            for r in range(max(rows, self.grid.rowCount())):
                self.grid.setRowStretch(r, 1 if r < rows else 0)
            for c in range(max(cols, self.grid.columnCount())):
                self.grid.setColumnStretch(c, 1 if c < cols else 0)
        portrait = height > width
        if portrait != self.portrait:
            self.portrait = portrait
            self.band_layout.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)
            _clear(self.group_row)
            per_row = 2 if portrait else 4
            for i, b in enumerate(self.group_buttons.values()):
                self.group_row.addWidget(b, i // per_row, i % per_row)
            self.group_row.addWidget(self.cancel_priority, 0, 0)

    # -- content
    def retranslate(self) -> None:
        self.subtitle.setText(self.tr("Take a queue number: choose an agency"))
        # the button names the other language, in that language
        self.lang_button.setText("English" if self.lang == "id" else "Bahasa Indonesia")
        self.choose.setText(self.tr("Choose an agency"))
        for code, b in self.group_buttons.items():
            b.setText(self.vocab.group(code))
        self.cancel_priority.setText(self.tr("Cancel"))
        self.set_priority(self.group)
        self.set_data(*self._data)

    def set_priority(self, group: str | None) -> None:
        self.group = group
        for b in self.group_buttons.values():
            b.setVisible(group is None)
        self.cancel_priority.setVisible(group is not None)
        if group is None:
            self.band_title.setText(self.tr("Priority service"))
            groups = ", ".join(self.vocab.group(g) for g in self.hall.priority.groups)
            self.band_hint.setText(self.tr("For {groups}: choose your group first").format(groups=groups.lower()))
            self.choose.setText(self.tr("Choose an agency"))
        else:
            self.band_title.setText(self.tr("Priority service: {group}").format(group=self.vocab.group(group)))
            self.band_hint.setText(self.tr("Now choose the agency below."))
            self.choose.setText(self.tr("Choose an agency (priority)"))

    def set_clock(self, local: datetime) -> None:
        self.clock.setText(clock_text(local))
        self.date.setText(long_date(local, self.lang))

    def set_data(self, availability: dict[str, Availability] | None, waiting: dict[str, int] | None) -> None:
        self._data = (availability, waiting)
        for a in self.agencies:
            tile = self.tiles[a.code]
            if availability is None and waiting is None:
                tile.set_state("")
                continue
            n = sum((waiting or {}).get(s, 0) for s in a.service_codes)
            avs = [availability.get(s) for s in a.service_codes] if availability else []
            if avs and all(av is not None and not av.open for av in avs):
                if all(av.reason == "quota_full" for av in avs):
                    tile.set_state(self.tr("Quota full"))
                else:
                    tile.set_state(self.tr("Closed now"))
            else:
                tile.set_state(self.vocab.waiting(n))


# ======================================================================================== agency

class AgencyScreen(QWidget):
    """One agency's services as large buttons, each with its state."""

    service_chosen = Signal(str)
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
        if cols != self.columns or self.grid.count() != len(self.buttons):
            self.columns = cols
            _clear(self.grid)
            for i, b in enumerate(self.buttons.values()):
                self.grid.addWidget(b, i // cols, i % cols)
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
        for b in self.buttons.values():
            b.setParent(None)
            b.deleteLater()
        self.buttons = {}
        for s in self.hall.services_of(agency.code):
            b = ServiceButton(s.code, self.m)
            b.clicked.connect(lambda _=False, c=s.code: self.service_chosen.emit(c))
            self.buttons[s.code] = b
        self.columns = 0
        self._arrange()
        self.retranslate()

    def retranslate(self) -> None:
        self.back_button.setText(self.tr("\u2190 Back"))
        self.hint.setText(self.tr("Tap a service: your number is issued and printed at once."))
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
        self.body = QBoxLayout(QBoxLayout.LeftToRight)
        self.body.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(10)
        self.caption = make_label("", "section", align=Qt.AlignCenter)
        self.number = make_label("", "number", wrap=False, align=Qt.AlignCenter)
        self.where = make_label("", "title", align=Qt.AlignCenter)
        self.priority = make_label("", align=Qt.AlignCenter, wrap=False)
        self.priority.setStyleSheet(f"background: {PRIORITY}; color: white; border-radius: 10px;"
                                    f" padding: 6px 16px; font-size: {m.large}px; font-weight: bold;")
        facts = QGridLayout()
        facts.setHorizontalSpacing(30)
        facts.setVerticalSpacing(0)
        self.ahead_caption = make_label("", align=Qt.AlignCenter)
        self.eta_caption = make_label("", align=Qt.AlignCenter)
        self.ahead = make_label("", "title", align=Qt.AlignCenter)
        self.eta = make_label("", "title", align=Qt.AlignCenter)
        facts.addWidget(self.ahead_caption, 0, 0)
        facts.addWidget(self.eta_caption, 0, 1)
        facts.addWidget(self.ahead, 1, 0)
        facts.addWidget(self.eta, 1, 1)
        left.addStretch()
        left.addWidget(self.caption)
        left.addWidget(self.number)
        left.addWidget(self.where)
        left.addWidget(self.priority, 0, Qt.AlignHCenter)
        left.addSpacing(10)
        left.addLayout(facts)
        left.addStretch()
        right = QVBoxLayout()
        right.setSpacing(8)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignCenter)
        self.qr.setStyleSheet("background: white; border-radius: 12px; padding: 12px;")
        self.qr_hint = make_label("", "small", align=Qt.AlignCenter)
        right.addStretch()
        right.addWidget(self.qr, 0, Qt.AlignHCenter)
        right.addWidget(self.qr_hint)
        right.addStretch()
        self.body.addLayout(left, 3)
        self.body.addLayout(right, 2)
        root.addLayout(self.body, 1)
        self.print_box = make_label("", "infobox", align=Qt.AlignCenter)
        root.addWidget(self.print_box)
        self.done_button = make_button("", "primary")
        self.done_button.clicked.connect(self._done_clicked)
        root.addWidget(self.done_button)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        self.body.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)
        # as large as the width allows (about 0.75 em per character of "K-012")
        px = max(self.m.number // 2, min(int(ev.size().width() * (0.9 if portrait else 0.55) / 4.2), 260))
        self.number.setStyleSheet(f"font-size: {px}px;")

    def show_ticket(self, issued: IssuedTicket, qr_size: int = 300) -> None:
        self.issued = issued
        self.print_state = "printing"
        self.number.setText(issued.ticket.number)
        self.qr.setPixmap(qr_pixmap(issued.qr_text, qr_size))
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
        self.where.setText(f"{agency.short_name}\n{self.vocab.service_name(service, self.lang)}")
        self.priority.setText(self.tr("Priority: {group}").format(group=self.vocab.group(t.priority))
                              if t.priority else "")
        self.priority.setVisible(bool(t.priority))
        self.ahead_caption.setText(self.tr("People ahead of you"))
        self.ahead.setText(str(self.issued.ahead))
        self.eta_caption.setText(self.tr("Estimated wait"))
        self.eta.setText(self.vocab.wait_minutes(self.issued.eta_minutes))
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

    def _done_clicked(self) -> None:
        if not self._guard.isActive():
            self.done.emit()

    def mouseReleaseEvent(self, ev) -> None:  # a tap anywhere returns to the start
        if not self._guard.isActive():
            self.done.emit()
        super().mouseReleaseEvent(ev)


# =========================================================================================== PIN

class PinScreen(QWidget):
    """Staff PIN: a keypad, a message line and Cancel."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.purpose = "staff"
        self.box = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.box.setContentsMargins(28, 28, 28, 28)
        self.box.setSpacing(40)
        side = QVBoxLayout()
        side.setSpacing(18)
        self.title = make_label("", "title", align=Qt.AlignCenter)
        self.message = make_label("", align=Qt.AlignCenter)
        self.message.setMinimumHeight(m.body * 2)
        self.pad = PinPad(m)
        self.pad.submitted.connect(self.submitted)
        self.cancel = make_button("", "secondary")
        self.cancel.clicked.connect(self.cancelled)
        self.cancel.setMinimumWidth(3 * max(m.touch, 150) + 28)
        side.addStretch()
        side.addWidget(self.title)
        side.addWidget(self.message)
        side.addWidget(self.cancel, 0, Qt.AlignHCenter)
        side.addStretch()
        self.box.addStretch()
        self.box.addLayout(side)
        self.box.addWidget(self.pad, 0, Qt.AlignCenter)
        self.box.addStretch()
        self.retranslate()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        self.box.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)

    def start(self, purpose: str) -> None:
        self.purpose = purpose
        self.pad.clear()
        self.set_message("")
        self.retranslate()

    def set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #a01818; font-weight: bold;" if error else "")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff PIN") if self.purpose == "staff"
                           else self.tr("Staff PIN to close the kiosk"))
        self.cancel.setText(self.tr("Cancel"))


# ========================================================================================= staff

class StaffScreen(QWidget):
    """Printer state, last print error, reprint, test ticket, back, and closing the kiosk."""

    back = Signal()
    exit_requested = Signal()
    reprint_requested = Signal(str)
    test_requested = Signal()
    status_requested = Signal()

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.m = m
        self.demo_pin = False
        self._unprinted_buttons: list[QPushButton] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(36, 24, 36, 24)
        root.setSpacing(14)
        self.title = make_label("", "title")
        root.addWidget(self.title)
        self.pin_warning = make_label("", "danger")
        root.addWidget(self.pin_warning)

        # two columns side by side in landscape, one above the other in portrait
        self.columns = QBoxLayout(QBoxLayout.LeftToRight)
        self.columns.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.printer_head = make_label("", "section")
        self.printer_desc = make_label("", "small")
        self.printer_state = make_label("")
        self.printer_error = make_label("")
        self.database_state = make_label("")
        for w in (self.printer_head, self.printer_desc, self.printer_state, self.printer_error,
                  self.database_state):
            left.addWidget(w)
        self.status_button = make_button("", "secondary")
        self.status_button.clicked.connect(self.status_requested)
        self.test_button = make_button("", "secondary")
        self.test_button.clicked.connect(self.test_requested)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(self.status_button)
        row.addWidget(self.test_button)
        row.addStretch()
        left.addLayout(row)
        left.addStretch()

        right = QVBoxLayout()
        right.setSpacing(12)
        self.reprint_head = make_label("", "section")
        right.addWidget(self.reprint_head)
        self.unprinted_empty = make_label("", "small")
        right.addWidget(self.unprinted_empty)
        self.unprinted_grid = QGridLayout()
        self.unprinted_grid.setSpacing(12)
        right.addLayout(self.unprinted_grid)
        self.ref = QLineEdit()
        self.ref.returnPressed.connect(self._reprint_typed)
        self.reprint_button = make_button("", "primary")
        self.reprint_button.clicked.connect(self._reprint_typed)
        row2 = QHBoxLayout()
        row2.setSpacing(16)
        row2.addWidget(self.ref, 1)
        row2.addWidget(self.reprint_button)
        right.addLayout(row2)
        self.result = make_label("")
        right.addWidget(self.result)
        right.addStretch()
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        root.addLayout(self.columns, 1)

        self.back_button = make_button("", "primary")
        self.back_button.clicked.connect(self.back)
        self.exit_button = make_button("", "danger")
        self.exit_button.clicked.connect(self.exit_requested)
        row3 = QHBoxLayout()
        row3.setSpacing(16)
        row3.addWidget(self.back_button, 2)
        row3.addWidget(self.exit_button, 1)
        root.addLayout(row3)
        self._state: tuple = (None, None, None, None, [], True)
        self.retranslate()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        self.columns.setDirection(QBoxLayout.TopToBottom if portrait else QBoxLayout.LeftToRight)

    def _reprint_typed(self) -> None:
        text = self.ref.text().strip()
        if text:
            self.reprint_requested.emit(text)

    def set_result(self, text: str, ok: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"color: {'#1b5e20' if ok else '#a01818'}; font-weight: bold;")

    def set_state(self, description: str, status, warning: str | None, last_error: str | None,
                  unprinted: list[str], online: bool | None) -> None:
        self._state = (description, status, warning, last_error, unprinted, online)
        self._render_state()

    def _render_state(self) -> None:
        description, status, warning, last_error, unprinted, online = self._state
        self.printer_desc.setText(description or "")
        self.printer_state.setText(self.tr("Printer state: {state}").format(state=self._status_text(status)))
        self.printer_state.setStyleSheet(
            "font-weight: bold; color: " + ("#1b5e20" if warning is None and status is not None else "#a01818"))
        self.printer_error.setText(self.tr("Last print error: {error}").format(error=last_error)
                                   if last_error else self.tr("Last print error: none"))
        db = (self.tr("connected") if online else self.tr("NOT reachable") if online is False
              else self.tr("checking..."))
        self.database_state.setText(self.tr("Database: {state}").format(state=db))
        for b in self._unprinted_buttons:
            b.setParent(None)
            b.deleteLater()
        self._unprinted_buttons = []
        for i, number in enumerate(list(reversed(unprinted))[:6]):  # newest first
            b = make_button(self.tr("Reprint {number}").format(number=number), "primary")
            b.clicked.connect(lambda _=False, n=number: self.reprint_requested.emit(n))
            self.unprinted_grid.addWidget(b, i // 2, i % 2)
            self._unprinted_buttons.append(b)
        self.unprinted_empty.setVisible(not unprinted)

    def _status_text(self, st) -> str:
        if st is None:
            return self.tr("not checked yet")
        if not st.online:
            return self.tr("offline (not answering)")
        if st.paper == "out":
            return self.tr("paper out")
        if st.cover_open:
            return self.tr("cover open")
        if st.paper == "near_end":
            return self.tr("ready, paper near end")
        if st.paper == "unknown":
            return self.tr("ready (paper level unknown)")
        return self.tr("ready")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff screen"))
        self.pin_warning.setText(self.tr("Warning: the kiosk uses the demo PIN 0000. Set a PIN with "
                                         "`mpp kiosk-pin` and put the hash in the station config."))
        self.pin_warning.setVisible(self.demo_pin)
        self.printer_head.setText(self.tr("Ticket printer"))
        self.status_button.setText(self.tr("Check printer"))
        self.test_button.setText(self.tr("Print a test ticket"))
        self.reprint_head.setText(self.tr("Reprint a ticket"))
        self.unprinted_empty.setText(self.tr("No unprinted tickets."))
        self.ref.setPlaceholderText(self.tr("Number (K-012) or QR code"))
        self.reprint_button.setText(self.tr("Reprint"))
        self.back_button.setText(self.tr("Back to the kiosk"))
        self.exit_button.setText(self.tr("Close the kiosk"))
        self._render_state()
