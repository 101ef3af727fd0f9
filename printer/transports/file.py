"""Printers behind a device file (/dev/usb/lp0) or any file."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from printer.model import PrinterError, PrinterStatus
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

class FileTicketPrinter(_EscposBackend):
    """A device file such as /dev/usb/lp0 (write only: no status)."""

    can_query = False

    def _where(self) -> str:
        return f"printer device {self.settings.device}"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import File

        dev = File(devfile=self.settings.device, profile=self.settings.profile)
        try:
            dev.open()
        except Exception as e:
            cause = e.__context__ or e
            if isinstance(cause, PermissionError):
                raise PrinterError(
                    "config", f"no permission to write to {self.settings.device}: add the kiosk user to the 'lp' group"
                ) from e
            if isinstance(cause, FileNotFoundError):
                raise PrinterError(
                    "offline", f"{self._where()} does not exist: is the printer plugged in and switched on?"
                ) from e
            raise PrinterError("offline", f"{self._where()} cannot be opened ({cause}): check the printer") from e
        return dev

    def status(self) -> PrinterStatus:
        path = self.settings.device
        if not os.path.exists(path):
            st = PrinterStatus(False, "unknown", None, f"{self._where()} does not exist: is the printer plugged in?")
        elif not os.access(path, os.W_OK):
            st = PrinterStatus(False, "unknown", None, f"no permission to write to {path}: add the kiosk user to 'lp'")
        else:
            st = PrinterStatus(True, "unknown", None, f"{self._where()} is present (it cannot report paper)")
        self.last_status = st
        return st


