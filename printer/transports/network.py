"""Raw TCP (port 9100) printers."""

from __future__ import annotations

import logging
import re
import select
import socket
import struct
import sys
import time
from typing import TYPE_CHECKING

from printer.model import PrinterError, TicketPrint
from printer.escpos_base import _EscposBackend

if TYPE_CHECKING:
    from escpos.escpos import Escpos


log = logging.getLogger(__name__)

def unsent_bytes(sock: socket.socket) -> int | None:
    """Bytes written to ``sock`` that the peer has not acknowledged yet (None: cannot tell here).
    Linux: SIOCOUTQ (= TIOCOUTQ); macOS: SO_NWRITE."""
    try:
        if sys.platform.startswith("linux"):
            import fcntl
            import termios

            return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        if sys.platform == "darwin":
            return sock.getsockopt(socket.SOL_SOCKET, 0x1024)  # SO_NWRITE
    except OSError:
        return None
    return None


class NetworkTicketPrinter(_EscposBackend):
    """Raw TCP (port 9100). python-escpos ``Network`` opened per job with settings.timeout."""

    def _where(self) -> str:
        return f"printer at {self.settings.host}:{self.settings.port}"

    def _open(self, job_name: str) -> "Escpos":
        from escpos.printer import Network

        dev = Network(self.settings.host, self.settings.port, timeout=self._left("connecting"),
                      profile=self.settings.profile)  # fmt: skip
        try:
            dev.open()
        except Exception as e:  # DeviceNotFoundError, the socket error is its __context__
            raise self._connect_error(e.__context__ or e) from e
        try:
            dev.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        return dev

    def _connect_error(self, e: BaseException) -> PrinterError:
        where, s = self._where(), self.settings
        if isinstance(e, ConnectionRefusedError):
            return PrinterError(
                "refused", f"{where} refused the connection: is it switched on and on the network?"
            )
        if isinstance(e, TimeoutError):
            return PrinterError(
                "timeout",
                f"{where} did not answer within {self.timeout:g} s: is it switched on and on the network?",
            )
        if isinstance(e, socket.gaierror):
            return PrinterError(
                "config", f"cannot find printer host '{s.host}': check [printer] host in the station config"
            )
        reason = getattr(e, "strerror", None) or str(e)
        return PrinterError(
            "offline", f"{where} cannot be reached ({reason}): check the network cable and the printer's IP address"
        )

    def _io_error(self, e: BaseException, doing: str, *, query: bool = False) -> PrinterError:
        where = self._where()
        if isinstance(e, TimeoutError):
            if query:
                return self._no_answer(doing)
            return PrinterError(
                "timeout",
                f"{where} stopped taking data for {self.timeout:g} s {doing}: check paper and cover, then reprint",
            )
        return self._lost(f"connection to {where} was lost", doing or "during the status query")

    def _lost(self, what: str, doing: str) -> PrinterError:
        ticket = re.search(r"ticket (\S+)", doing)
        if ticket:
            return PrinterError(
                "lost",
                f"{what} {doing} (the ticket may be cut short): check the printer, then reprint ticket {ticket.group(1)}",
            )
        return PrinterError("lost", f"{what} {doing}: check the printer, then try again")

    def _empty_answer(self, doing: str) -> PrinterError:
        # on a socket, an empty read means the printer hung up
        return self._lost(f"{self._where()} closed the connection", doing or "during the status query")

    def _arm(self, dev: "Escpos", doing: str) -> None:
        dev.device.settimeout(self._left(doing))  # sendall: the timeout bounds the whole send

    def _after_send(self, dev: "Escpos", t: TicketPrint, size: int) -> None:
        if self.check_status:
            return  # the status query after sending tells for sure
        # Status checks off: wait (within the deadline) until the printer has taken every byte,
        # watching for a hang-up. A printer that stops reading leaves bytes in our send queue.
        sock = dev.device
        doing = f"while printing ticket {t.number}"
        while True:
            try:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable and sock.recv(64, socket.MSG_PEEK) == b"":
                    raise ConnectionResetError("closed by the printer")
            except (BlockingIOError, TimeoutError):
                pass
            except OSError as e:
                raise self._io_error(e, doing) from e
            unsent = unsent_bytes(sock)
            if not unsent:  # 0, or None where the platform cannot tell
                return
            if time.monotonic() >= self._deadline:
                raise PrinterError(
                    "timeout",
                    f"{self._where()} took only {size - unsent} of {size} bytes of ticket {t.number} "
                    f"within {self.timeout:g} s (it is not reading: paper, cover or an error?): "
                    f"check it, then reprint ticket {t.number}",
                )
            time.sleep(0.01)

    def _close(self, dev: "Escpos") -> None:
        # Unread bytes (e.g. automatic status) make close() send a reset that can discard the end
        # of the ticket still queued for sending: read them away first.
        sock = getattr(dev, "_device", None)
        if sock:
            try:
                sock.setblocking(False)
                while sock.recv(4096):
                    pass
            except OSError:
                pass
        super()._close(dev)


