"""The kiosk's printing desk: one ticket printer, one serial worker, and what staff must know.

The ticket is already committed when it gets here. Every print job runs on the printer's own
serial ``Runner`` (never on the GUI thread, one job at a time, in order). A job may be handed in
from any thread: the kiosk's database worker hands over a ticket the moment it is committed, so
the bytes go out without a round trip through the GUI thread's event loop; the bookkeeping below
(what staff sees) and every ``on_done`` still run on the GUI thread, through the runner's signal. The printer's status is
checked before printing ([printer] check_status): the escpos backends do it themselves on the job's
connection, for the others the desk asks ``status()`` first. Paper out or cover open fail the job
before any ticket byte is sent; paper near end prints and warns staff. Any failure keeps the
ticket in ``unprinted`` for a reprint from the staff screen and raises the warning that stays
until a print succeeds.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, Signal

from antrian.domain.catalogue import Hall
from antrian.domain.model import IssuedTicket
from printer.content import ticket_print_for
from printer.commands import test_ticket
from printer.model import PrinterError, PrinterStatus, TicketPrint

log = logging.getLogger(__name__)

UNPRINTED_KEEP = 30  # the newest unprinted tickets staff can reprint with one tap


@dataclass(frozen=True)
class PrintOutcome:
    number: str
    error: PrinterError | None
    status: PrinterStatus | None


class PrintJob:
    """A handed-in job, for the thread that handed it in: ``wait(seconds)`` returns once the
    printer is done with it (printed or failed) or the time is up; ``outcome`` is then set when the
    job is done (None while it runs). The GUI thread still learns the outcome from ``on_done``."""

    def __init__(self, number: str):
        self.number = number
        self.outcome: PrintOutcome | None = None
        self._done = threading.Event()

    def wait(self, seconds: float) -> PrintOutcome | None:
        self._done.wait(seconds)
        return self.outcome

    def _finish(self, outcome: PrintOutcome | None) -> None:
        self.outcome = outcome
        self._done.set()


def as_printer_error(exc: BaseException) -> PrinterError:
    if isinstance(exc, PrinterError):
        return exc
    return PrinterError("offline", f"printer failed: {type(exc).__name__}: {exc}")


class PrintDesk(QObject):
    """``changed`` is emitted (on the GUI thread) whenever the state staff sees changes."""

    changed = Signal()

    def __init__(self, printer, runner, hall: Hall, clock, check_status: bool = True,
                 description: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.printer = printer
        self.runner = runner
        self.hall = hall
        self.clock = clock
        self.check_status = check_status
        self.description = description
        self.status: PrinterStatus | None = None
        self.failing = False  # a print failed and none has succeeded since
        self.last_error: PrinterError | None = None
        self.last_error_at: datetime | None = None
        self.last_error_number: str | None = None
        self.printed = 0
        self.unprinted: OrderedDict[str, IssuedTicket] = OrderedDict()
        self._busy = 0  # jobs queued or running
        self._busy_lock = threading.Lock()  # jobs are handed in from worker threads too

    @property
    def busy(self) -> int:
        """Jobs queued or running."""
        return self._busy

    def _count(self, delta: int) -> None:
        with self._busy_lock:
            self._busy += delta

    # ------------------------------------------------------------------ what staff sees
    @property
    def warning(self) -> str | None:
        """None, or why staff should look at the printer: 'failed', 'paper_out', 'cover_open',
        'offline' or 'paper_near_end'."""
        if self.failing:
            return "failed"
        st = self.status
        if st is None:
            return None
        if not st.online:
            return "offline"
        if st.paper == "out":
            return "paper_out"
        if st.cover_open:
            return "cover_open"
        if st.paper == "near_end":
            return "paper_near_end"
        return None

    # ------------------------------------------------------------------ jobs
    def _job(self, number: str, build: Callable[[], TicketPrint], handle: PrintJob) -> "_Done":
        """On the worker: the job, then ``handle`` learns its outcome (before the GUI thread does)."""
        result: _Done | None = None
        try:
            result = self._print(build)
            return result
        finally:
            handle._finish(None if result is None else PrintOutcome(number, result.error, result.status))

    def _print(self, build: Callable[[], TicketPrint]) -> "_Done":
        """The escpos backends ask the printer themselves (DLE EOT, on the same
        connection, when [printer] check_status is on) and keep ``last_status``; for the others
        (preview, dummy, fakes) the desk asks ``status()`` first. Never raises: an expected
        printer failure is a result, not a crash to log."""
        checks_itself = hasattr(self.printer, "check_status")
        st: PrinterStatus | None = None
        try:
            if self.check_status and not checks_itself:
                st = self.printer.status()
                if st.cover_open:
                    raise PrinterError("cover_open", st.message or "the printer cover is open")
                if st.paper == "out":
                    raise PrinterError("paper_out", st.message or "the printer is out of paper")
                if not st.online:
                    raise PrinterError("offline", st.message or "the printer does not answer")
            self.printer.print_ticket(build())
        except Exception as exc:
            if not isinstance(exc, PrinterError):
                log.exception("printing failed unexpectedly")
            if checks_itself:
                st = getattr(self.printer, "last_status", None)
            return _Done(st, as_printer_error(exc))
        if checks_itself:
            st = getattr(self.printer, "last_status", None)
        return _Done(st, None)

    def _submit(self, number: str, build: Callable[[], TicketPrint], issued: IssuedTicket | None,
                on_done: Callable[[PrintOutcome], None] | None) -> PrintJob:
        """Any thread. ``done``/``crashed`` (and so ``ok``/``err`` and ``on_done``) run on the GUI
        thread: the runner delivers them through its signal."""
        def done(result: _Done) -> None:
            if result.error is None:
                ok(result.status)
            else:
                err(result.status, result.error)

        def crashed(exc: BaseException) -> None:  # a bug in the job itself
            err(None, as_printer_error(exc))

        def ok(st: PrinterStatus | None) -> None:
            self._count(-1)
            self.printed += 1
            self.failing = False
            if st is not None:
                self.status = st
            elif self.status is not None and not self.status.can_print:
                self.status = None  # it printed, so the old bad status is stale
            self.unprinted.pop(number, None)
            self.changed.emit()
            if on_done:
                on_done(PrintOutcome(number, None, st))

        def err(st: PrinterStatus | None, error: PrinterError) -> None:
            self._count(-1)
            log.warning("ticket %s not printed: %s (%s)", number, error, error.kind)
            self.failing = True
            self.last_error = error
            self.last_error_at = self.clock.now()
            self.last_error_number = number
            if st is not None:
                self.status = st
            elif error.kind in ("offline", "refused", "timeout", "lost"):
                self.status = PrinterStatus(online=False, message=str(error))
            elif error.kind == "paper_out":
                self.status = PrinterStatus(online=True, paper="out", message=str(error))
            elif error.kind == "cover_open":
                self.status = PrinterStatus(online=True, cover_open=True, message=str(error))
            if issued is not None:
                self.unprinted[number] = issued
                self.unprinted.move_to_end(number)
                while len(self.unprinted) > UNPRINTED_KEEP:
                    self.unprinted.popitem(last=False)
            self.changed.emit()
            if on_done:
                on_done(PrintOutcome(number, error, st))

        handle = PrintJob(number)
        self._count(1)
        try:
            future = self.runner.submit(lambda: self._job(number, build, handle), done, crashed)
        except RuntimeError:  # the runner's pool shut down between its check and the submit
            future = None
        if future is None:  # runner shut down (the kiosk is closing)
            self._count(-1)
            handle._finish(None)
        return handle

    def print_issued(self, issued: IssuedTicket, on_done: Callable[[PrintOutcome], None] | None = None,
                     reprint: bool = False) -> PrintJob:
        """Any thread (the kiosk hands a new ticket in from its database worker)."""
        def build() -> TicketPrint:
            tp = ticket_print_for(issued, self.hall, reprint=reprint)
            state = getattr(issued, "state", None)  # a ReprintView (antrian.services.reprint) says what is true now
            if reprint and state is not None:
                from printer.commands import for_reprint

                tp = for_reprint(tp, state.value, getattr(issued, "counter_code", None))
            return tp

        return self._submit(issued.ticket.number, build, issued, on_done)

    def print_test(self, on_done: Callable[[PrintOutcome], None] | None = None) -> PrintJob:
        def build() -> TicketPrint:
            h = self.hall
            return test_ticket(h.name, h.city, h.ticket_footer, self.clock.now().astimezone(h.tz))

        return self._submit("test", build, None, on_done)

    def refresh_status(self, on_done: Callable[[PrinterStatus], None] | None = None) -> None:
        def ok(st: PrinterStatus) -> None:
            self.status = st
            self.changed.emit()
            if on_done:
                on_done(st)

        def err(exc: BaseException) -> None:
            error = as_printer_error(exc)
            self.status = PrinterStatus(online=False, message=str(error))
            self.changed.emit()
            if on_done:
                on_done(self.status)

        self.runner.submit(self.printer.status, ok, err)


@dataclass(frozen=True)
class _Done:
    status: PrinterStatus | None
    error: PrinterError | None
