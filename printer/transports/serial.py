"""Serial printers (python-escpos ``Serial``, pyserial)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from printer.model import PrinterError
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

class SerialTicketPrinter(_EscposBackend):
    def _where(self) -> str:
        return f"serial printer {self.settings.serial_port}"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import Serial

        s = self.settings
        try:
            dev = Serial(devfile=s.serial_port, baudrate=s.baudrate, timeout=self._left("opening the port"),
                         profile=s.profile)
            dev.open()
        except RuntimeError as e:
            raise PrinterError("config", f"serial printing needs pyserial: install python-escpos[serial] ({e})") from e
        except Exception as e:
            raise PrinterError(
                "offline", f"{self._where()} cannot be opened: is the cable plugged in? [{str(e).splitlines()[-1]}]"
            ) from e
        dev.device.write_timeout = self._left("opening the port")  # python-escpos leaves writes without one
        return dev

    def _arm(self, dev: "Escpos", doing: str) -> None:
        left = self._left(doing)
        dev.device.timeout = left
        dev.device.write_timeout = left

    def _ask(self, dev: "Escpos", cmd: bytes, doing: str) -> int:
        # python-escpos's Serial._read() asks pyserial for 16 bytes, which waits the whole
        # timeout for a 1-byte answer; read exactly the one byte instead.
        port = dev.device
        self._arm(dev, doing or "the status query")
        try:
            port.reset_input_buffer()
            dev._raw(cmd)
            answer = port.read(1)
        except Exception as e:
            raise self._io_error(e, doing, query=True) from e
        if not answer:
            raise self._empty_answer(doing)
        return answer[0]

    def _io_error(self, e: BaseException, doing: str, *, query: bool = False) -> PrinterError:
        if "timeout" in type(e).__name__.lower():
            if query:
                return self._no_answer(doing)
            return PrinterError(
                "timeout", f"{self._where()} stopped taking data {doing}: check paper and cover, then reprint"
            )
        return PrinterError("lost", f"{self._where()} failed {doing} ({e}): check the cable, then reprint")


