"""The citizen's touchscreen kiosk (`mpp kiosk`).

Flow (taps counted from the start screen):

- normal: agency tile -> service button = 2 taps; the number is issued at the second tap.
- priority: the start screen shows the "Layanan Prioritas" band with one button per group
  (lansia, disabilitas, ibu hamil, anak: hall.priority.groups): group -> agency -> service = 3 taps.
- a refused service (closed, quota full, no priority line) is grey and dashed and says why on
  the button; tapping it says why again in a message.
- the result screen (number, agency and service, people ahead, estimated wait, QR code, what
  happened to the paper ticket) returns to the start after ``result_seconds`` or on a tap; with no
  touch for ``idle_seconds`` any screen returns to the start. Returning to the start also resets
  the language to the station's default and drops a half-made priority choice (next citizen).
- staff: hold the hall name for 3 s (or tap it 5 times) -> PIN -> staff screen (printer state,
  last print error, reprint, test ticket, close the kiosk). Ctrl+Q -> PIN -> close.

Threads: the database work (issue, availability/status polling, reprint look-ups, PIN check) runs
on one ``Runner``; the printer on its own serial ``Runner(max_workers=1)`` through ``PrintDesk``.
The GUI thread only shows things; every tap is answered at once with a pressed state and, for
background work, the "Memproses..." overlay, which also stops a second tap from issuing twice.

Where the rest lives: the timing and guard rules (double tap, result countdown, PIN lock, idle
reset, busy) in kiosk/flow.py (no Qt, unit-tested); the entry point (`create_kiosk`,
`run_kiosk`, the ticket preview) in kiosk/app.py; the screens in kiosk/screens.py; the shared
widgets in kiosk/widgets.py; printing in kiosk/printing.py; what a ticket says in
printer/content.py. Why this module is still over 400 lines: it is the one place where the
screens are wired together and where every message of the kiosk's flow is worded (the Qt
context "KioskWindow" of kiosk_id.ts); cutting it further would scatter that context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from antrian.domain.errors import (
    ClockJump,
    PriorityNotAllowed,
    QueueError,
    QuotaFull,
    ServiceClosed,
    StoreUnavailable,
)
from antrian.domain.model import IssuedTicket
from antrian.domain.rules import Availability
from antrian.services.auth import verify_pin
from qtshared.common import Runner
from kiosk.flow import KioskFlow
from kiosk.printing import PrintDesk, PrintJob, PrintOutcome
from kiosk.screens import (
    AgencyScreen,
    HomeScreen,
    KioskVocabulary,
    PinScreen,
    ResultScreen,
    StaffScreen,
)
from kiosk.text import opening_text
from kiosk.widgets import Banner, BusyOverlay, MessageOverlay, Metrics, ServiceButton, qr_image, stylesheet
from printer.commands import error_text

log = logging.getLogger(__name__)

DEMO_PIN = "0000"
# The result screen waits at most this long for the printer after the commit: a working printer
# has the ticket by then (a few ms), a silent one must not hold the citizen's number back.
SHOW_AFTER_PRINT_S = 0.08
# "Memproses..." after a tap on a service shows only when the ticket is not on the screen by then
# (the database is slow, or the printer silent): a ticket usually is, and painting the overlay
# over the whole window would compete with the ticket's bytes for the CPU.
BUSY_SHOW_AFTER_MS = 120


class KioskWindow(QWidget):
    """The kiosk. Collaborators come in; nothing is global.

    queue: ``QueueService``; printer: a ``printer.backends.TicketPrinter``; settings:
    ``KioskSettings``. Runners are created (and owned) when not given. ``monotonic``: the clock (in
    seconds) of the tap guard, the result countdown and the PIN lock; tests pass a fake one.
    """

    first_frame = Signal()

    def __init__(self, queue, printer, settings, *, clock=None, db_runner: Runner | None = None,
                 print_runner: Runner | None = None, translations=None, check_status: bool = True,
                 windowed: bool = True, logo: QPixmap | None = None, poll_ms: int = 5000,
                 idle_ms: int | None = None, result_ms: int | None = None, tap_guard_ms: int = 350,
                 metrics: Metrics | None = None, monotonic=None, parent: QWidget | None = None,
                 booking=None):
        super().__init__(parent)
        self.setObjectName("KioskRoot")
        # the timing and guard rules (double tap, countdown, PIN lock, idle, busy), without Qt
        self.flow = KioskFlow(tap_guard_s=tap_guard_ms / 1000.0, monotonic=monotonic)
        self.monotonic = self.flow.monotonic
        self.queue = queue
        self.hall = queue.hall
        self.settings = settings
        self.clock = clock or queue.clock
        self.translations = translations
        self.windowed = windowed
        self.default_lang = getattr(settings, "language", "id") or "id"
        self.lang = self.default_lang
        self.m = metrics or Metrics.for_screen(self.screen())
        self._owned: list[Runner] = []
        self.db = db_runner or self._own(Runner(max_workers=2, name="kiosk-db"))
        self.print_runner = print_runner or self._own(Runner(max_workers=1, name="kiosk-printer"))
        self.desk = PrintDesk(printer, self.print_runner, self.hall, self.clock, check_status=check_status,
                              description=_describe(printer), parent=self)
        self.desk.changed.connect(self._update_banners)
        self.desk.changed.connect(self._update_staff)

        self.idle_ms = idle_ms if idle_ms is not None else settings.idle_seconds * 1000
        self.result_ms = result_ms if result_ms is not None else settings.result_seconds * 1000
        self.poll_ms = poll_ms
        self.group: str | None = None
        self.online: bool | None = None
        self.availability: dict[str, Availability] | None = None
        self.waiting: dict[str, int] | None = None
        self._poll_inflight = False
        self._may_close = windowed
        self._swallowing = False
        self._first_frame_sent = False

        wanted = list(settings.agencies or [])
        self.agencies = [a for a in self.hall.agencies if not wanted or a.code in wanted]
        self.vocab = KioskVocabulary(self)

        self.setStyleSheet(stylesheet(self.m))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        # the window takes the screen's size; the screens adapt to it (portrait/landscape)
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.offline_banner = Banner("error", self.m)
        self.printer_banner = Banner("warn", self.m)
        root.addWidget(self.offline_banner)
        root.addWidget(self.printer_banner)
        self.stack = QStackedWidget()
        root.addWidget(self.stack, 1)

        self.home = HomeScreen(self.hall, self.agencies, self.vocab, self.m, logo)
        self.agency = AgencyScreen(self.hall, self.vocab, self.m)
        self.result = ResultScreen(self.hall, self.vocab, self.m)
        self.pin = PinScreen(self.m)
        self.staff = StaffScreen(self.m)
        self.staff.set_prefixes([a.prefix for a in self.hall.agencies])
        self.staff.demo_pin = not settings.admin_pin_hash
        for w in (self.home, self.agency, self.result, self.pin):
            self.stack.addWidget(w)
        self.staff_page = self.staff
        self.stack.addWidget(self.staff_page)
        if not self.hall.priority.groups:
            self.home.band.hide()

        self.busy_overlay = BusyOverlay(self, self.m)
        self.busy_overlay.showing.connect(self._thaw_screen)
        self.message = MessageOverlay(self, self.m)

        self.home.agency_chosen.connect(self.choose_agency)
        self.home.group_chosen.connect(self.choose_group)
        self.home.priority_cancelled.connect(lambda: self.choose_group(None))
        self.home.language_clicked.connect(self.toggle_language)
        self.home.staff_requested.connect(lambda: self.request_pin("staff"))
        self.agency.back.connect(self.back_from_agency)
        self.agency.service_chosen.connect(self.choose_service)
        self.agency.requirements_chosen.connect(self.show_requirements)
        self.result.done.connect(self.finish_result)
        self.pin.submitted.connect(self.check_pin)
        self.pin.cancelled.connect(self.show_home)
        self.staff.back.connect(self.show_home)
        self.staff.exit_requested.connect(self.exit_kiosk)
        self.staff.reprint_requested.connect(self.reprint)
        self.staff.test_requested.connect(self.print_test)
        if booking is not None:  # "Sudah booking?" (kiosk/booking_screen.py)
            from kiosk.booking_screen import attach

            self.booking_screen = attach(self, booking)
        self.staff.status_requested.connect(lambda: self.desk.refresh_status())
        QShortcut(QKeySequence("Ctrl+Q"), self).activated.connect(lambda: self.request_pin("exit"))

        self.clock_timer = QTimer(self)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start(1000)
        self.poll_timer = QTimer(self)
        self.poll_timer.timeout.connect(self.poll)
        self.poll_timer.start(poll_ms)
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(self.idle_ms)
        self.idle_timer.timeout.connect(self.on_idle)
        self.stack.currentChanged.connect(self._screen_changed)
        self.result_timer = QTimer(self)
        self.result_timer.timeout.connect(self._result_tick)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self._apply_language()
        self._tick()
        self._update_banners()
        QTimer.singleShot(0, self, self.poll)
        QTimer.singleShot(0, self, self._first_status)

    def _first_status(self) -> None:
        self.desk.refresh_status()

    def _own(self, runner: Runner) -> Runner:
        runner.setParent(self)
        self._owned.append(runner)
        return runner

    # ------------------------------------------------------------------ the flow's state
    @property
    def busy(self) -> bool:
        """An issue, PIN check or reprint is in flight: every further tap issues nothing."""
        return self.flow.busy

    @busy.setter
    def busy(self, value: bool) -> None:
        self.flow.busy = value

    @property
    def tap_guard_s(self) -> float:
        return self.flow.tap_guard_s

    @tap_guard_s.setter
    def tap_guard_s(self, value: float) -> None:
        self.flow.tap_guard_s = value

    # ------------------------------------------------------------------ input, idle, frames
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        t = ev.type()
        if t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            if isinstance(obj, QWidget) and obj.window() is self:
                self.idle_timer.start()
                if t != QEvent.Type.KeyPress and (self.flow.swallows_touch() or self.busy_overlay.pending):
                    self._swallowing = True  # and its release: no click
                    return True
        elif t == QEvent.Type.MouseButtonRelease and self._swallowing:
            if isinstance(obj, QWidget) and obj.window() is self:
                self._swallowing = False
                return True
        elif t == QEvent.Type.MouseButtonRelease and isinstance(obj, ServiceButton) and obj.isDown():
            # The release on a service issues a ticket. The button would repaint itself (released)
            # before its click reaches choose_service; the screen freezes first instead, and
            # stays as the finger left it until the result (choose_service keeps it frozen) or
            # the next turn of the event loop (a refused service, a finger that slid off).
            if obj.window() is self:
                self._freeze_screen()
                QTimer.singleShot(0, self, self._thaw_unless_busy)
        return False

    def _screen_changed(self, _index: int) -> None:
        self.flow.screen_changed()
        self.idle_timer.start()

    def on_idle(self) -> None:
        action = self.flow.idle_action(on_home=self.stack.currentWidget() is self.home, group=self.group,
                                       lang=self.lang, default_lang=self.default_lang,
                                       message_shown=self.message.isVisible())
        if action == "wait":
            self.idle_timer.start()
        elif action == "reset":
            log.info("idle: back to the start screen")
            self.show_home(reset=True)

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if not self._first_frame_sent and self.isVisible():
            self._first_frame_sent = True
            QTimer.singleShot(0, self, self.first_frame.emit)

    # ------------------------------------------------------------------ navigation
    def current(self) -> QWidget:
        widget = self.stack.currentWidget()
        assert widget is not None  # the stack holds its screens from the start
        return widget

    def show_home(self, reset: bool = False) -> None:
        self.result_timer.stop()
        self.message.dismiss()
        self.group = None
        self.home.set_priority(None)
        self.home.reset_page()  # the next citizen starts on the first page
        if reset and self.lang != self.default_lang:
            self.set_language(self.default_lang)
        self.stack.setCurrentWidget(self.home)
        self._update_banners()

    def choose_group(self, group: str | None) -> None:
        self.group = group
        self.home.set_priority(group)
        self.flow.screen_changed()  # the band changed under the finger

    def choose_agency(self, code: str) -> None:
        if self.busy:
            return
        agency = self.hall.find_agency(code)
        if agency is None:
            return
        self.agency.lang = self.lang
        self.agency.show_agency(agency, self.group)
        self.agency.set_data(self.availability, self.waiting, self.queue.local_now())
        self.stack.setCurrentWidget(self.agency)
        self._update_banners()

    def back_from_agency(self) -> None:
        self.stack.setCurrentWidget(self.home)  # keeps a priority choice: pick another agency
        self._update_banners()

    def show_requirements(self, code: str) -> None:
        """The service's standard (UU 25/2009): requirements, fee, typical time; one tap away
        before the ticket. The citizen closes it and taps the service to take a number."""
        service = self.hall.service(code)
        lines = ["\u2022 " + r for r in getattr(service, "requirements", ()) or ()]
        fee = getattr(service, "fee", "") or ""
        typical = getattr(service, "typical_time", "") or ""
        if fee:
            lines.append(self.tr("Fee: {fee}").format(fee=fee))
        if typical:
            lines.append(self.tr("Service time: {time}").format(time=typical))
        self.message.show_message(
            self.tr("Requirements: {service}").format(service=self.vocab.service_name(service, self.lang)),
            "\n".join(lines), self.tr("Close"), timeout_ms=60000)

    # ------------------------------------------------------------------ issuing
    def choose_service(self, code: str) -> None:
        if self.busy:  # a second tap while the first is being processed issues nothing
            return
        text, refused = self.agency.state_of(code)
        if refused:
            self._explain_refusal(code)
            return
        self.busy = True  # and the event filter swallows taps until the ticket is shown
        self.busy_overlay.start(self.tr("Processing"), after_ms=BUSY_SHOW_AFTER_MS)
        self._freeze_screen()
        self.db.submit(self._issue_job(code, self.group), self._issued_and_printed,
                       lambda exc: self._issue_failed(code, exc))

    def _issue_job(self, code: str, group: str | None):
        """The tap's work, for the database worker: issue; hand the committed ticket straight to
        the printer (its own serial worker: no round trip through this thread's event loop, and
        nothing painted here while the bytes go out); wait until the printer is done or
        ``SHOW_AFTER_PRINT_S`` is up; then draw the screen's QR code (a QImage, still off this
        thread). The result screen comes after the bytes, not before them."""
        queue, desk, printed, qr_size = self.queue, self.desk, self._printed, self._qr_size()

        def job() -> _Issued:
            issued = queue.issue(code, group)  # committed: from here on nothing may lose it
            handle = None
            try:
                handle = desk.print_issued(issued, printed)
                handle.wait(SHOW_AFTER_PRINT_S)
            except Exception:  # never: print_issued only queues; the ticket is shown regardless
                log.exception("handing ticket %s to the printer failed", issued.ticket.number)
            qr = None
            try:
                qr = qr_image(issued.qr_text, qr_size)
            except Exception:  # the screen draws it itself then
                log.exception("drawing the QR code of ticket %s failed", issued.ticket.number)
            return _Issued(issued, handle, qr)

        return job

    def _freeze_screen(self) -> None:
        """From the tap on a service until its result (or "Memproses..."): the screens are not
        repainted. The screen keeps its last frame (the button as the finger pressed it) and the
        GUI thread leaves the CPU to the issue and the printer; the result repaints it anyway."""
        self.stack.setUpdatesEnabled(False)

    def _thaw_unless_busy(self) -> None:
        if not self.busy:
            self._thaw_screen()

    def _thaw_screen(self) -> None:
        if not self.stack.updatesEnabled():
            self.stack.setUpdatesEnabled(True)

    def _issued_and_printed(self, done: "_Issued") -> None:
        # the printer usually finished first (its on_done found no ticket shown): show its outcome
        # with the ticket, one layout of the screen
        outcome = done.job.outcome if done.job is not None else None
        self._show_issued(done.issued, done.qr, outcome)

    def _issued(self, issued: IssuedTicket) -> None:
        """A ticket issued elsewhere (the booking check-in): print it, then show it."""
        self.desk.print_issued(issued, self._printed)  # first: the printer starts at once
        self._show_issued(issued)

    def _show_issued(self, issued: IssuedTicket, qr=None, outcome: PrintOutcome | None = None) -> None:
        self.busy = False
        self.busy_overlay.stop()
        self._thaw_screen()
        self._set_online(True)
        self.staff.set_clock_jump(None)
        self.result.lang = self.lang
        state = "printing" if outcome is None else "printed" if outcome.error is None else "failed"
        self.result.show_ticket(issued, qr_size=self._qr_size(), qr=qr, print_state=state)
        self.stack.setCurrentWidget(self.result)
        self._update_banners()
        self._start_result_countdown(self.result_ms if state != "failed" else self._failed_result_ms())
        self.poll()

    def _failed_result_ms(self) -> int:
        return max(2 * self.result_ms, 30000)  # time to take a photo of the number and the QR code

    def _printed(self, outcome: PrintOutcome) -> None:
        shown = self.result.issued
        if shown is None or shown.ticket.number != outcome.number or self.current() is not self.result:
            return
        state = "printed" if outcome.error is None else "failed"
        if self.result.print_state == state:  # told twice (the job's handle, then on_done)
            return
        self.result.set_print_state(state)
        if outcome.error is not None:
            self._start_result_countdown(self._failed_result_ms())

    def _issue_failed(self, code: str, exc: BaseException) -> None:
        self.busy = False
        self.busy_overlay.stop()
        self._thaw_screen()
        if isinstance(exc, ClockJump):  # staff only; the citizen gets "ask the staff" below
            self.staff.set_clock_jump(exc.params)
        if isinstance(exc, StoreUnavailable):
            self._set_online(False)
            self.message.show_message(
                self.tr("The queue system is offline"),
                self.tr("Sorry, no ticket can be issued right now. Please try again in a moment or ask "
                        "the staff for help."),
                self.tr("OK"), tone="error")
        elif isinstance(exc, QuotaFull):
            p = exc.params
            self._explain_refusal(code, Availability(code, False, "quota_full", p.get("issued", 0),
                                                     p.get("quota", 0)))
        elif isinstance(exc, ServiceClosed):
            self._explain_refusal(code, Availability(code, False, "closed", 0, 0, exc.params.get("opens_at")))
        elif isinstance(exc, PriorityNotAllowed):
            self._explain_refusal(code, None, no_priority=True)
        else:
            log.error("issuing failed: %s", exc)
            self.message.show_message(
                self.tr("Something went wrong"),
                self.tr("No ticket was issued. Please try again or ask the staff for help."),
                self.tr("OK"), tone="error")
        self.poll()

    def _explain_refusal(self, code: str, av: Availability | None = None, no_priority: bool = False) -> None:
        service = self.hall.service(code)
        name = self.vocab.service_name(service, self.lang)
        if av is None and not no_priority:
            av = (self.availability or {}).get(code)
        if no_priority or (self.group and not service.priority_allowed):
            self.message.show_message(
                self.tr("No priority line"),
                self.tr("{service} has no priority line. Please take a normal number from the start "
                        "screen.").format(service=name), self.tr("OK"), tone="warn")
        elif av is not None and av.reason == "quota_full":
            self.message.show_message(
                self.tr("Quota full"),
                self.tr("Today's quota for {service} is full ({issued}/{quota}). Please come back on "
                        "another day or ask the staff.").format(service=name, issued=av.issued, quota=av.quota),
                self.tr("OK"), tone="warn")
        elif av is not None and av.reason == "closed":
            when = opening_text(av.opens_at, self.queue.local_now(), self.lang)
            self.message.show_message(
                self.tr("Service closed"),
                self.tr("{service} is closed now.").format(service=name)
                + (" " + self.tr("It opens {when}.").format(when=when) if when else ""),
                self.tr("OK"), tone="warn")

    # ------------------------------------------------------------------ result countdown
    def _start_result_countdown(self, ms: int) -> None:
        self.flow.start_result(ms / 1000.0)
        self.result.set_countdown(max(0, round(ms / 1000)))
        self.result_timer.start(min(250, max(10, ms)))

    def _result_tick(self) -> None:
        left = self.flow.result_left()
        if left <= 0:
            self.result_timer.stop()
            if self.current() is self.result:
                self.finish_result()
            return
        self.result.set_countdown(int(left + 0.999))

    def finish_result(self) -> None:
        self.show_home(reset=True)

    # ------------------------------------------------------------------ polling
    def poll(self) -> None:
        if self._poll_inflight:
            return
        self._poll_inflight = True
        self.db.submit(self.queue.kiosk_poll, self._polled, self._poll_failed)  # (availability, waiting counts): one read

    def _polled(self, result) -> None:
        self._poll_inflight = False
        self.availability, self.waiting = result
        self._set_online(True)
        self._refresh_data()

    def _poll_failed(self, exc: BaseException) -> None:
        self._poll_inflight = False
        log.warning("kiosk poll failed: %s", exc)
        self._set_online(False)

    def _refresh_data(self) -> None:
        self.home.set_data(self.availability, self.waiting, self.queue.local_now())
        self.agency.set_data(self.availability, self.waiting, self.queue.local_now())

    def _set_online(self, online: bool) -> None:
        if online == self.online:
            return
        self.online = online
        self.poll_timer.setInterval(self.poll_ms if online else min(self.poll_ms, 3000))
        self._update_banners()
        self._update_staff()

    def _tick(self) -> None:
        local = self.queue.local_now()
        self.home.set_clock(local)

    # ------------------------------------------------------------------ banners
    def _update_banners(self) -> None:
        screen = self.current()
        citizen = screen in (self.home, self.agency, self.result)
        self.offline_banner.set_message(
            self.tr("The queue system is offline: no tickets can be issued for the moment. Please wait "
                    "or ask the staff.") if self.online is False and citizen else None)
        self.printer_banner.set_message(self._printer_warning() if screen in (self.home, self.agency) else None)

    def _printer_warning(self) -> str | None:
        w = self.desk.warning
        if w is None:
            return None
        if w == "failed":
            return self.tr("Printer: ticket {number} was not printed ({reason}). Staff: check the printer "
                           "and reprint it from the staff screen.").format(
                number=self.desk.last_error_number or "?", reason=self._error_reason())
        return {
            "paper_near_end": self.tr("Printer: the paper roll is nearly finished. Staff: have a new roll ready."),
            "paper_out": self.tr("Printer: out of paper. Staff: load a new roll."),
            "cover_open": self.tr("Printer: the cover is open. Staff: close it."),
            "offline": self.tr("Printer: not answering. Staff: check the printer."),
        }.get(w)

    def _error_reason(self) -> str:
        kind = self.desk.last_error.kind if self.desk.last_error else ""
        return {
            "offline": self.tr("printer offline"),
            "refused": self.tr("connection refused"),
            "timeout": self.tr("printer not answering"),
            "paper_out": self.tr("paper out"),
            "cover_open": self.tr("cover open"),
            "lost": self.tr("connection lost"),
            "config": self.tr("printer settings wrong"),
        }.get(kind, self.tr("printer error"))

    # ------------------------------------------------------------------ language
    def toggle_language(self) -> None:
        self.set_language("en" if self.lang == "id" else "id")

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self._apply_language()

    def _apply_language(self) -> None:
        if self.translations is not None:
            self.translations.set_language(self.lang)
        for screen in (self.home, self.agency, self.result):
            screen.lang = self.lang
        for page in (self.home, self.agency, self.result, self.pin, self.staff):
            page.retranslate()
        self._tick()
        self._update_banners()

    # ------------------------------------------------------------------ staff
    def request_pin(self, purpose: str) -> None:
        if self.busy:
            return
        self.message.dismiss()
        self.result_timer.stop()
        self.pin.start(purpose)
        self.stack.setCurrentWidget(self.pin)
        self._update_banners()

    def check_pin(self, pin: str) -> None:
        if self.busy:
            return
        if self.flow.pin_locked():
            self.pin.set_message(self.tr("Too many wrong PINs. Try again in a minute."), error=True)
            self.pin.pad.clear()
            return
        stored = self.settings.admin_pin_hash
        purpose = self.pin.purpose
        self.busy = True
        self.busy_overlay.start(self.tr("Processing"))

        def ok(valid: bool) -> None:
            self.busy = False
            self.busy_overlay.stop()
            outcome = self.flow.pin_checked(valid)
            if outcome == "ok":
                if purpose == "exit":
                    self.exit_kiosk()
                else:
                    self.show_staff()
                return
            self.pin.pad.clear()
            if outcome == "locked":
                self.pin.set_message(self.tr("Too many wrong PINs. Try again in a minute."), error=True)
            else:
                self.pin.set_message(self.tr("Wrong PIN. Try again."), error=True)

        def err(exc: BaseException) -> None:
            ok(False)

        self.db.submit(lambda: _pin_ok(pin, stored), ok, err)

    def show_staff(self) -> None:
        self.staff.set_result("", True)
        self.staff.ref.clear()
        self._update_staff()
        self.stack.setCurrentWidget(self.staff_page)
        self._update_banners()
        self.desk.refresh_status()
        self.poll()

    def _update_staff(self) -> None:
        d = self.desk
        err = None
        if d.last_error is not None:
            at = d.last_error_at.astimezone(self.hall.tz).strftime("%H.%M") if d.last_error_at else ""
            err = f"{at} {d.last_error_number or ''}: {error_text(d.last_error)}".strip()
        self.staff.set_state(d.description, d.status, d.warning, err, list(d.unprinted), self.online)

    def reprint(self, ref: str) -> None:
        if self.busy:
            return
        cached = self.desk.unprinted.get(ref.strip().upper())
        self.busy = True
        self.busy_overlay.start(self.tr("Processing"))
        q = self.queue

        def job():
            # what is true now: priority line, called/served state; expired or cancelled refused
            from antrian.services.reprint import reprint_view

            return reprint_view(q, q.find_ticket(ref))

        def found(issued: IssuedTicket) -> None:
            self.busy = False
            self.busy_overlay.stop()
            self._send_reprint(issued)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.busy_overlay.stop()
            if cached is not None:  # the database is away, but we still know this ticket
                self._send_reprint(cached)
                return
            if isinstance(exc, StoreUnavailable):
                self._set_online(False)
                self.staff.set_result(self.tr("The database cannot be reached: {error}").format(error=exc), False)
            elif isinstance(exc, QueueError):
                self.staff.set_result(str(exc), False)
            else:
                self.staff.set_result(self.tr("Reprint failed: {error}").format(error=exc), False)

        self.db.submit(job, found, failed)

    def _send_reprint(self, issued: IssuedTicket) -> None:
        number = issued.ticket.number
        self.staff.set_result(self.tr("Printing {number}...").format(number=number), True)

        def done(outcome: PrintOutcome) -> None:
            if outcome.error is None:
                self.staff.set_result(self.tr("Ticket {number} was printed again.").format(number=number), True)
            else:
                self.staff.set_result(self.tr("Ticket {number} was not printed: {error}").format(
                    number=number, error=outcome.error), False)

        self.desk.print_issued(issued, done, reprint=True)

    def print_test(self) -> None:
        self.staff.set_result(self.tr("Printing a test ticket..."), True)

        def done(outcome: PrintOutcome) -> None:
            if outcome.error is None:
                self.staff.set_result(self.tr("The test ticket was printed."), True)
            else:
                self.staff.set_result(self.tr("The test ticket was not printed: {error}").format(
                    error=outcome.error), False)

        self.desk.print_test(done)

    def exit_kiosk(self) -> None:
        self._may_close = True
        self.close()

    # ------------------------------------------------------------------ sizes, closing
    def _qr_size(self) -> int:
        return max(240, min(380, min(self.width(), self.height()) // 3))

    def closeEvent(self, ev) -> None:
        if not self._may_close:
            ev.ignore()  # lock-down: leaving needs the admin PIN (Ctrl+Q or the staff screen)
            return
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self, wait: bool = False) -> None:
        for t in (self.clock_timer, self.poll_timer, self.idle_timer, self.result_timer):
            t.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for r in self._owned:
            r.shutdown(wait=wait)


@dataclass(frozen=True)
class _Issued:
    """What the tap's database job hands back: the ticket, its print job, the screen's QR code."""

    issued: IssuedTicket
    job: PrintJob | None
    qr: QImage | None


def _pin_ok(pin: str, stored: str) -> bool:
    if not stored:
        return pin == DEMO_PIN
    return verify_pin(pin, stored)


def _describe(printer) -> str:
    try:
        return printer.describe()
    except Exception:  # describe is informative only
        return type(printer).__name__


def create_kiosk(ctx, app, **kw) -> KioskWindow:
    """Kept for callers of ``kiosk.window``; the entry point lives in ``kiosk.app``."""
    from kiosk.app import create_kiosk as create

    return create(ctx, app, **kw)


def run_kiosk(ctx, args) -> int:
    """Kept for callers of ``kiosk.window`` (``mpp kiosk``); see ``kiosk.app.run_kiosk``."""
    from kiosk.app import run_kiosk as run

    return run(ctx, args)
