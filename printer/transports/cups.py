"""Printers behind a CUPS queue (raw)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from printer.model import PrinterError, PrinterStatus, TicketPrint
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

class CupsTicketPrinter(_EscposBackend):
    """A CUPS raw queue through python-escpos ``CupsPrinter`` (needs pycups)."""

    can_query = False  # CupsPrinter.query_status would write DLE EOT into the print job

    def _where(self) -> str:
        return f"CUPS printer '{self.settings.cups_name}'"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import CupsPrinter

        try:
            dev = CupsPrinter(printer_name=self.settings.cups_name, profile=self.settings.profile)
            dev.open(job_name=job_name)
        except Exception as e:
            raise PrinterError(
                "offline", f"{self._where()} is not available ({str(e).splitlines()[-1]}): check `lpstat -p`"
            ) from e
        return dev

    def _close(self, dev: "Escpos") -> None:
        dev.close()  # this is when CUPS gets the job: let errors through to print_ticket

    def print_ticket(self, t: TicketPrint) -> None:
        try:
            super().print_ticket(t)
        except PrinterError:
            raise
        except Exception as e:
            raise PrinterError("lost", f"{self._where()} did not accept ticket {t.number} ({e})") from e

    def status(self) -> PrinterStatus:
        with self._lock:
            try:
                dev = self._open("Status")
                try:
                    state = dev.printers.get(self.settings.cups_name, {}).get("printer-state")
                finally:
                    dev.close()  # no job is pending, so nothing is printed
            except Exception as e:
                return PrinterStatus(False, "unknown", None, str(e))
            online = state in (3, 4)  # idle, printing (5 = stopped)
            msg = "the CUPS queue is ready" if online else "the CUPS queue is stopped: check `lpstat -p`"
            self.last_status = PrinterStatus(online, "unknown", None, msg)
            return self.last_status


