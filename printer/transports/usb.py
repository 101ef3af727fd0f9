"""USB printers (python-escpos ``Usb``, libusb)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from printer.model import PrinterError
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

class UsbTicketPrinter(_EscposBackend):
    def _where(self) -> str:
        return f"USB printer {self.settings.usb_vendor:04x}:{self.settings.usb_product:04x}"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import Usb

        s = self.settings
        try:
            dev = Usb(s.usb_vendor, s.usb_product, timeout=max(1, int(self._left("opening") * 1000)),
                      profile=s.profile)
            dev.open()
        except RuntimeError as e:  # pyusb missing
            raise PrinterError("config", f"USB printing needs pyusb: install python-escpos[usb] ({e})") from e
        except ValueError as e:  # usb.core.NoBackendError: libusb missing
            raise PrinterError("config", f"USB printing needs libusb: install libusb-1.0-0 ({e})") from e
        except Exception as e:  # DeviceNotFoundError
            raise PrinterError(
                "offline",
                f"{self._where()} not found or not accessible: is it plugged in and switched on? "
                f"(check `lsusb` and the device permissions) [{str(e).splitlines()[0]}]",
            ) from e
        if not dev._device:
            raise PrinterError("offline", f"{self._where()} not found: is it plugged in and switched on?")
        return dev

    def _arm(self, dev: "Escpos", doing: str) -> None:
        dev.timeout = max(1, int(self._left(doing) * 1000))  # milliseconds, per USB write

    def _io_error(self, e: BaseException, doing: str, *, query: bool = False) -> PrinterError:
        if "timeout" in type(e).__name__.lower() or "timed out" in str(e).lower():
            if query:
                return self._no_answer(doing)
            return PrinterError(
                "timeout", f"{self._where()} stopped taking data {doing}: check paper and cover, then reprint"
            )
        return PrinterError("lost", f"{self._where()} was disconnected {doing} ({e}): check the cable, then reprint")


