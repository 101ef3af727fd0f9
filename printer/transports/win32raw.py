"""The Windows spooler, raw (pywin32)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from printer.model import PrinterError, PrinterStatus
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

class Win32RawTicketPrinter(_EscposBackend):
    """A Windows printer queue, raw (python-escpos ``Win32Raw``, needs pywin32)."""

    can_query = False

    def _where(self) -> str:
        return f"Windows printer '{self.settings.win_name}'"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import Win32Raw

        try:
            dev = Win32Raw(printer_name=self.settings.win_name, profile=self.settings.profile)
            dev.open(job_name=job_name)
        except Exception as e:
            raise PrinterError("offline", f"{self._where()} is not available ({e}): check Windows printers") from e
        return dev

    def status(self) -> PrinterStatus:
        with self._lock:
            try:
                from escpos.printer import Win32Raw

                dev = Win32Raw(printer_name=self.settings.win_name, profile=self.settings.profile)
                online = self.settings.win_name in dev.printers
            except Exception as e:
                return PrinterStatus(False, "unknown", None, f"{self._where()} is not available ({e})")
            msg = "the Windows printer is installed" if online else f"{self._where()} is not installed"
            self.last_status = PrinterStatus(online, "unknown", None, msg)
            return self.last_status


# ------------------------------------------------------------------------------------------
# backends without a printer


