"""The kiosk's "Sudah booking?" screen: the citizen scans the booking QR (a scanner types it as
keyboard text and presses Enter) or types the code on a touch keypad; the check-in runs on the
kiosk's database runner (``BookingService.check_in``) and the issued ticket goes to ``on_issued``
(the window shows it as the result screen does). A refusal is one sentence in the kiosk's
language (the BookingError's)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from antrian.domain.booking import CODE_ALPHABET, BookingError

TEXT = {
    "id": {"title": "Sudah booking?", "hint": "Pindai QR booking Anda atau ketik kodenya (8 huruf/angka).",
           "ok": "Ambil nomor", "back": "Kembali", "del": "Hapus", "busy": "Memproses...",
           "error": "Maaf, terjadi gangguan. Silakan coba lagi atau hubungi petugas."},
    "en": {"title": "Booked already?", "hint": "Scan your booking QR or type its code (8 letters/digits).",
           "ok": "Get my number", "back": "Back", "del": "Delete", "busy": "Processing...",
           "error": "Sorry, something went wrong. Please try again or ask the staff."},
}


class BookingScreen(QWidget):
    """The code entry: a line edit (scanner or keypad) and a keypad of the code's signs."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None, lang: str = "id"):
        super().__init__(parent)
        self.lang = lang if lang in TEXT else "id"
        t = TEXT[self.lang]
        root = QVBoxLayout(self)
        self.title = QLabel(t["title"])
        self.title.setObjectName("bookingTitle")
        self.hint = QLabel(t["hint"])
        self.hint.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("bookingCode")
        self.code.setMaxLength(200)  # a scanned URL is longer than a code
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.returnPressed.connect(self.submit)
        self.message = QLabel("")
        self.message.setObjectName("bookingMessage")
        self.message.setWordWrap(True)
        for w in (self.title, self.hint, self.code, self.message):
            root.addWidget(w)
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for i, ch in enumerate(CODE_ALPHABET):
            b = QPushButton(ch)
            b.setMinimumSize(56, 56)
            b.clicked.connect(lambda _=False, ch=ch: self.type(ch))
            grid.addWidget(b, i // 8, i % 8)
            self.keys[ch] = b
        root.addLayout(grid)
        row = QHBoxLayout()
        self.back_button = QPushButton(t["back"])
        self.del_button = QPushButton(t["del"])
        self.ok_button = QPushButton(t["ok"])
        self.back_button.clicked.connect(self.cancelled)
        self.del_button.clicked.connect(self.code.backspace)
        self.ok_button.clicked.connect(self.submit)
        for b in (self.back_button, self.del_button, self.ok_button):
            b.setMinimumHeight(56)
            row.addWidget(b)
        root.addLayout(row)

    def type(self, ch: str) -> None:
        self.code.insert(ch)

    def reset(self) -> None:
        self.code.clear()
        self.message.setText("")
        self.code.setFocus()

    def submit(self) -> None:
        text = self.code.text().strip()
        if text:
            self.submitted.emit(text)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.code.selectAll()


class BookingCheckIn:
    """Connects a BookingScreen to ``booking.check_in`` on ``runner`` (the kiosk's db runner);
    ``on_issued(IssuedTicket)`` gets the ticket. ``source`` keys the wrong-code rate limit."""

    def __init__(self, screen: BookingScreen, booking: Any, runner: Any, source: str,
                 on_issued: Callable[[Any], None]):
        self.screen = screen
        self.booking = booking
        self.runner = runner
        self.source = source
        self.on_issued = on_issued
        self.busy = False
        screen.submitted.connect(self.check_in)

    def check_in(self, text: str) -> None:
        if self.busy:  # a second tap or scan while the first is being processed does nothing
            return
        self.busy = True
        self.screen.message.setText(TEXT[self.screen.lang]["busy"])
        self.runner.submit(lambda: self.booking.check_in(text, source=self.source), self._ok, self._failed)

    def _ok(self, result: Any) -> None:
        self.busy = False
        self.screen.reset()
        self.on_issued(result.issued)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, BookingError):
            self.screen.show_error(exc.message_en if self.screen.lang == "en" else str(exc))
        else:
            self.screen.show_error(TEXT[self.screen.lang]["error"])


def attach(window: Any, booking: Any) -> BookingScreen:
    """Wire the screen into a KioskWindow: a "Sudah booking?" button on the home screen opens
    it, Back returns home, the checked-in ticket is shown as an issued one (``window._issued``,
    which prints it and shows the result screen)."""
    screen = BookingScreen(lang=window.lang)
    window.stack.addWidget(screen)
    source = str(getattr(window.settings, "station", "") or getattr(window.settings, "code", "") or "kiosk")
    screen.controller = BookingCheckIn(screen, booking, window.db, source, window._issued)  # type: ignore[attr-defined]
    from kiosk.widgets import FitButton

    m = getattr(window, "m", None)
    if m is not None:  # styled like the kiosk's other secondary buttons
        entry: QPushButton = FitButton(TEXT["id"]["title"] + " / " + TEXT["en"]["title"], "secondary", m)
        entry.setMinimumHeight(m.touch)
    else:
        entry = QPushButton(TEXT["id"]["title"] + " / " + TEXT["en"]["title"])
        entry.setMinimumHeight(64)
    entry.setObjectName("bookingEntry")

    def open_screen() -> None:
        screen.lang = window.lang if window.lang in TEXT else "id"
        screen.reset()
        window.stack.setCurrentWidget(screen)

    entry.clicked.connect(open_screen)
    screen.cancelled.connect(window.show_home)
    # In the header row, beside the language switch: a row of its own would take the height the
    # agency tiles need (at 1366x768 the 18 agencies would no longer fit one page).
    home = window.home
    lang_button = getattr(home, "lang_button", None)
    header = None
    root = home.layout()
    if lang_button is not None and root is not None:
        for i in range(root.count()):
            row = root.itemAt(i).layout()
            if row is not None and row.indexOf(lang_button) >= 0:
                header = row
                break
    landscape = window.width() >= window.height()  # portrait screens have height to spare, not width
    if header is not None and lang_button is not None and landscape and isinstance(entry, FitButton):
        entry.set_fit_text(TEXT["id"]["title"])
        entry.setFixedWidth(lang_button.width())
        header.insertWidget(header.indexOf(lang_button), entry)
        home.header_extra_width = lang_button.width() + 24  # the hall name leaves room for it
        if hasattr(home, "_fit_hall_name"):
            home._fit_hall_name()
    elif root is not None:
        root.addWidget(entry)
    screen.entry = entry  # type: ignore[attr-defined]
    return screen
