"""A ``TicketPrinter`` for tests of the code that uses printers (kiosk UI, CLI, use cases).

    printer = FakeTicketPrinter()
    printer.fail_with("paper_out")           # every ticket fails until printer.recover()
    printer.fail_with("timeout", times=1)    # only the next ticket fails
    printer.set_status(PrinterStatus(True, "near_end", False, "paper low"))
    printer.delay = 0.5                      # print_ticket takes half a second (busy spinner tests)
"""

from __future__ import annotations

import threading
import time

from printer.model import ERROR_KINDS, ErrorKind, PrinterError, PrinterStatus, TicketPrint

_DEFAULT_MESSAGES = {
    "offline": "fake printer is offline: switch it on",
    "refused": "fake printer refused the connection: is it switched on and on the network?",
    "timeout": "fake printer did not answer within 3 s: is it switched on and on the network?",
    "paper_out": "fake printer is out of paper: load a new roll and try again",
    "cover_open": "fake printer: the cover is open: close it and try again",
    "lost": "connection to fake printer was lost while printing: reprint the ticket",
    "config": "fake printer is misconfigured: check [printer]",
}

_STATUS_FOR_KIND = {
    "paper_out": PrinterStatus(True, "out", False, "the printer is out of paper: load a new roll"),
    "cover_open": PrinterStatus(True, "ok", True, "the printer cover is open: close it"),
}


class FakeTicketPrinter:
    """Records the tickets it is given; fails or reports a status on request. Thread-safe."""

    def __init__(self, status: PrinterStatus | None = None, name: str = "fake printer") -> None:
        self.name = name
        self.printed: list[TicketPrint] = []  # tickets that "came out"
        self.attempts: list[TicketPrint] = []  # every call, failed ones included
        self.delay = 0.0
        self._status = status
        self._failure: PrinterError | None = None
        self._fail_times: int | None = None
        self._lock = threading.Lock()

    # -- test controls ----------------------------------------------------------------------
    def fail_with(self, kind: ErrorKind, message: str | None = None, *, times: int | None = None) -> None:
        """Make the next ``times`` tickets (None = all, until ``recover()``) raise PrinterError(kind)."""
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown PrinterError kind {kind!r} (expected one of {ERROR_KINDS})")
        with self._lock:
            self._failure = PrinterError(kind, message or _DEFAULT_MESSAGES[kind])
            self._fail_times = times

    def recover(self) -> None:
        """Print normally again (a status set with ``set_status`` stays)."""
        with self._lock:
            self._failure = None
            self._fail_times = None

    def set_status(self, status: PrinterStatus | None) -> None:
        """What ``status()`` returns; None = derived from the current failure (or 'ready')."""
        with self._lock:
            self._status = status

    @property
    def last(self) -> TicketPrint | None:
        with self._lock:
            return self.printed[-1] if self.printed else None

    # -- TicketPrinter ----------------------------------------------------------------------
    def print_ticket(self, t: TicketPrint) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.attempts.append(t)
            failure = self._failure
            if failure is not None:
                if self._fail_times is not None:
                    self._fail_times -= 1
                    if self._fail_times <= 0:
                        self._failure, self._fail_times = None, None
                raise PrinterError(failure.kind, failure.message)
            self.printed.append(t)

    def status(self) -> PrinterStatus:
        with self._lock:
            if self._status is not None:
                return self._status
            if self._failure is not None:
                kind = self._failure.kind
                return _STATUS_FOR_KIND.get(
                    kind, PrinterStatus(False, "unknown", None, self._failure.message)
                )
            return PrinterStatus(True, "ok", False, "the printer is ready")

    def describe(self) -> str:
        return self.name
