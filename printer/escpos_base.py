"""Shared job logic of the python-escpos based transports.

Every real backend renders the whole ticket into a python-escpos ``Dummy`` first, then opens the
device for this one job, optionally asks the printer for its real-time status (DLE EOT), sends the
buffer in one write and closes. One deadline covers the whole job (connecting, the status queries,
sending and, network with status checks off, waiting until the printer has taken every byte)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from printer.model import PaperProfile, PrinterError, PrinterStatus, TicketPrint
from printer.status import DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER, DLE_EOT_PRINTER, decode_status

if TYPE_CHECKING:
    from escpos.escpos import Escpos

    from antrian.config import PrinterSettings

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------
# python-escpos based backends


class _EscposBackend:
    """Shared job logic. Subclasses open a python-escpos printer and map their errors."""

    can_query = True  # the transport can read DLE EOT answers

    def __init__(self, settings: "PrinterSettings", paper: PaperProfile, logo: Path | None):
        self.settings = settings
        self.paper = paper
        self.logo = logo
        self.timeout = float(settings.timeout)
        self.check_status = bool(settings.check_status) and self.can_query
        self.last_status: PrinterStatus | None = None
        self.last_confirmed: bool | None = None  # did the printer confirm the last ticket?
        self._deadline = 0.0
        self._lock = threading.Lock()

    # -- the one deadline of a job ----------------------------------------------------------
    def _start_job(self) -> None:
        self._deadline = time.monotonic() + self.timeout

    def _left(self, doing: str) -> float:
        """Seconds left of this job's deadline; a 'timeout' PrinterError when none are."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise PrinterError(
                "timeout",
                f"{self._where()} did not finish {doing or 'the job'} within {self.timeout:g} s: "
                "check paper, cover and cable, then try again",
            )
        return left

    def _arm(self, dev: "Escpos", doing: str) -> None:
        """Give the next device operation only the time left (transports override)."""

    # -- to implement -----------------------------------------------------------------------
    def _open(self, job_name: str) -> "Escpos":
        raise NotImplementedError

    def _where(self) -> str:
        raise NotImplementedError

    def _io_error(self, e: BaseException, doing: str, *, query: bool = False) -> PrinterError:
        """Map an exception raised while ``doing`` something (a status ``query``?) to a PrinterError."""
        return PrinterError("lost", f"{self._where()} failed {doing} ({e}): check it and try again")

    def _no_answer(self, doing: str) -> PrinterError:
        doing = f" ({doing})" if doing else ""
        return PrinterError(
            "timeout",
            f"{self._where()} did not answer the status query within {self.timeout:g} s{doing}: "
            "check it; if this model cannot report its status, set check_status = false in [printer]",
        )

    def _empty_answer(self, doing: str) -> PrinterError:
        return self._no_answer(doing)  # serial/USB reads return nothing when they time out

    def _close(self, dev: "Escpos") -> None:
        try:
            dev.close()
        except Exception as e:  # closing must not hide the real outcome
            log.warning("closing %s failed: %s", self._where(), e)

    def _after_send(self, dev: "Escpos", t: TicketPrint, size: int) -> None:
        """Hook for transports that can notice a lost link (or bytes not taken) without a status query."""

    # -- the job ----------------------------------------------------------------------------
    def describe(self) -> str:
        return f"{self._where()} ({self.paper.name}, {self.settings.profile})"

    def render_bytes(self, t: TicketPrint) -> bytes:
        from printer.layout import ticket_bytes

        try:
            return ticket_bytes(t, self.paper, self.logo, self.settings.profile)
        except PrinterError:
            raise
        except Exception as e:
            log.exception("laying out ticket %s failed", t.number)
            raise PrinterError(
                "config", f"cannot lay out ticket {t.number} for {self.describe()}: {e}"
            ) from e

    def print_ticket(self, t: TicketPrint) -> None:
        data = self.render_bytes(t)
        with self._lock:
            self.last_confirmed = None
            self._start_job()
            dev = self._open(f"Antrean {t.number}")
            try:
                if self.check_status:
                    self._refuse_if_not_ready(self._query(dev, "before printing"), t, before=True)
                try:
                    self._arm(dev, f"while printing ticket {t.number}")
                    dev._raw(data)  # the whole ticket in one write
                except PrinterError:
                    raise
                except Exception as e:
                    raise self._io_error(e, f"while printing ticket {t.number}") from e
                self._after_send(dev, t, len(data))
                if self.check_status:
                    st = self._query(dev, f"after sending ticket {t.number}")
                    self._refuse_if_not_ready(st, t, before=False)
                    if st.paper == "near_end":
                        log.warning("%s: paper nearly finished", self._where())
                    self.last_confirmed = True
                else:
                    st = PrinterStatus(True, "unknown", None, "ticket sent, not confirmed (status checks are off)",
                                       checked=False)
                    self.last_confirmed = False
                self.last_status = st
            finally:
                self._close(dev)

    def status(self) -> PrinterStatus:
        with self._lock:
            self._start_job()
            try:
                dev = self._open("Status")
            except PrinterError as e:
                self.last_status = PrinterStatus(False, "unknown", None, str(e))
                return self.last_status
            try:
                if self.check_status:
                    st = self._query(dev, "")
                else:
                    st = PrinterStatus(
                        True, "unknown", None,
                        f"{self._where()} accepts connections; status checks are off, so whether it "
                        "can print is not known (set check_status = true if the model answers DLE EOT)",
                        checked=False,
                    )
            except PrinterError as e:
                st = PrinterStatus(False, "unknown", None, str(e))
            finally:
                self._close(dev)
            self.last_status = st
            return st

    def _query(self, dev: "Escpos", doing: str) -> PrinterStatus:
        answers = [self._ask(dev, cmd, doing) for cmd in
                   (DLE_EOT_PRINTER, DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER)]  # fmt: skip
        st = decode_status(*answers)
        self.last_status = st
        return st

    def _ask(self, dev: "Escpos", cmd: bytes, doing: str) -> int:
        self._arm(dev, doing or "the status query")
        try:
            answer = dev.query_status(cmd)
        except Exception as e:
            raise self._io_error(e, doing, query=True) from e
        if not answer:
            raise self._empty_answer(doing)
        return int(answer[-1])  # the newest byte, should anything stale be queued

    def _refuse_if_not_ready(self, st: PrinterStatus, t: TicketPrint, *, before: bool) -> None:
        where = self._where()
        again = "try again" if before else f"reprint ticket {t.number}"
        when = "" if before else f" while printing ticket {t.number}"
        if st.cover_open:
            raise PrinterError("cover_open", f"{where}: the cover is open{when}: close it and {again}")
        if st.paper == "out":
            raise PrinterError(
                "paper_out", f"{where} ran out of paper{when}: load a new roll and {again}"
            )
        if not st.online:
            raise PrinterError(
                "offline",
                f"{where} reports an error{when}: check its lights, switch it off and on, then {again}",
            )


