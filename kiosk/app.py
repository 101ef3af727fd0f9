"""The kiosk's entry point: ``create_kiosk`` builds the window for an ``AppContext`` (the
station's printer and kiosk settings, the queue), ``run_kiosk`` runs it (`mpp kiosk`), and the
ticket preview window of the "preview" printer backend (demos without a printer)."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.window import KioskWindow


def create_kiosk(ctx, app, *, windowed: bool = True, lang: str | None = None,
                 translations=None) -> KioskWindow:
    """Build the kiosk window for ``ctx`` (an ``AppContext``): the station's printer, its kiosk
    settings, the queue. Not shown yet. Used by `mpp kiosk` and by the demo."""
    from antrian.domain.errors import UsageError
    from qtshared.common import Translations
    from printer.backends import build_ticket_printer
    from printer.model import PrinterError

    settings = ctx.station.kiosk
    lang = lang or settings.language
    if lang not in ("id", "en"):
        raise UsageError(f"--lang must be 'id' or 'en', not '{lang}'")
    printer_settings = ctx.station.printer
    preview = TicketPreview() if printer_settings.backend == "preview" and printer_settings.preview_show else None
    try:
        printer = build_ticket_printer(printer_settings,
                                       on_preview=preview.ticket_saved.emit if preview else None)
    except PrinterError as e:
        where = f" ({ctx.station_path})" if ctx.station_path else ""
        raise UsageError(f"printer settings{where}: {e}") from None
    window = KioskWindow(ctx.queue, printer, settings.model_copy(update={"language": lang}),
                         translations=translations or Translations(app),
                         check_status=printer_settings.check_status, windowed=windowed, logo=_load_logo(),
                         booking=_booking_service(ctx))
    window.setWindowTitle("Antrian MPP - Kiosk")
    if preview is not None:
        preview.setParent(window, preview.windowFlags())
    return window


def run_kiosk(ctx, args) -> int:
    from qtshared.common import place_from_env

    """`mpp kiosk`: build the printer and the window, run the Qt event loop."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "mpp"])
    app.setApplicationName("Antrian MPP - Kiosk")
    windowed = bool(getattr(args, "windowed", False))
    window = create_kiosk(ctx, app, windowed=windowed, lang=getattr(args, "lang", None))
    width, height = getattr(args, "width", None), getattr(args, "height", None)
    if windowed:
        window.resize(width or 1920, height or 1080)
        place_from_env(window)
        window.show()
    else:
        show_full_screen(window, width, height)

    from qtshared.heartbeat import start_heartbeat, station_name

    heartbeat = start_heartbeat(window, ctx.queue.store, "kiosk", station_name(ctx, "kiosk"),
                                printer_state=lambda: kiosk_printer_state(window))
    ctx.window_built("kiosk", window)
    try:
        return int(app.exec() or 0)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        window.shutdown()


def show_full_screen(window, width: int | None = None, height: int | None = None) -> None:
    """Frameless, on top, covering its screen. With no window manager showFullScreen() alone
    leaves the window at its size hint (910x512 on a 1366x768 screen), so the window takes the
    screen's geometry itself first (or ``width`` x ``height`` when given)."""
    window.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
    screen = window.screen() or QApplication.primaryScreen()
    if width and height:
        origin = screen.geometry().topLeft() if screen is not None else None
        window.setGeometry(origin.x() if origin else 0, origin.y() if origin else 0, width, height)
    elif screen is not None:
        window.setGeometry(screen.geometry())
    window.showFullScreen()


def kiosk_printer_state(window) -> str | None:
    """The kiosk's printer as a heartbeat printer state (antrian.services.health.PRINTER_STATES),
    from the warning the kiosk window shows; None if the window does not know."""
    desk = getattr(window, "desk", None)
    if desk is None:
        return None
    warning = getattr(desk, "warning", None)
    if warning is None:
        return "ok"
    return warning if warning in ("paper_near_end", "paper_out", "offline") else "error"


class TicketPreview(QLabel):
    """[printer] preview_show: a small window showing the last ticket the preview backend drew
    (demos without a printer). ``ticket_saved`` may be emitted from the printing thread."""

    ticket_saved = Signal(object)

    def __init__(self):
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Tiket (pratinjau)")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: white;")
        self.ticket_saved.connect(self._show)

    def _show(self, path) -> None:
        pix = QPixmap(str(path))
        if pix.isNull():
            return
        if pix.height() > 900:
            pix = pix.scaledToHeight(900, Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pix)
        self.resize(pix.size())
        self.show()
        self.raise_()


def _booking_service(ctx):
    """Check-in of bookings ("Sudah booking?") over the station's own store, when it has one,
    with the hall's [booking] policy (antrian.bootstrap.AppContext.booking)."""
    return ctx.booking


def _load_logo() -> QPixmap | None:
    from antrian import paths

    for name in ("logo.png", "logo-mpp.png"):
        path = paths.asset(name)
        if path.is_file():
            pix = QPixmap(str(path))
            if not pix.isNull():
                return pix
    return None
