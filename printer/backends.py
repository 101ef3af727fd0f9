"""Ticket printers: the ``TicketPrinter`` port and its implementations.

Every real backend renders the whole ticket into a python-escpos ``Dummy`` first, then opens the
device for this one job, optionally asks the printer for its real-time status (DLE EOT), sends the
buffer in one write and closes. Failures surface as ``PrinterError`` with a ``kind`` and a one-line
message. One deadline covers the whole job: connecting, the status queries, sending and (network,
status checks off) waiting until the printer has taken every byte all share ``timeout`` seconds, so
a hung printer costs at most the timeout, not the timeout per step.

With status checks off nothing can confirm that paper came out: the job then reports
``last_confirmed = False``; a network printer that does not take the bytes within the deadline is
an error ("timeout"), never a success.

Blocking calls: run ``print_ticket`` and ``status`` off the GUI thread (one worker per printer).
"""

from __future__ import annotations

import logging
import os
import re
import select
import socket
import struct
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

from printer.model import PaperProfile, PrinterError, PrinterStatus, TicketPrint, profile_for

if TYPE_CHECKING:
    from escpos.escpos import Escpos

    from antrian.config import PrinterSettings

log = logging.getLogger(__name__)


@runtime_checkable
class TicketPrinter(Protocol):
    """Port: prints one ticket per call. Implementations may block (run them in a worker)."""

    def print_ticket(self, t: TicketPrint) -> None:
        """Print ``t`` or raise ``PrinterError``."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer how it is. Never raises: problems come back as ``online=False``."""
        ...

    def describe(self) -> str:
        """One line naming the printer, e.g. 'network printer 10.0.0.21:9100 (80mm, TM-T88III)'."""
        ...


# ------------------------------------------------------------------------------------------
# Real-time status (DLE EOT n). Every answer byte has bits 1 and 4 set and bits 0 and 7 clear.

DLE_EOT_PRINTER = b"\x10\x04\x01"  # bit 3: offline
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"  # bit 2: cover open, bit 5: stopped by paper end
DLE_EOT_PAPER = b"\x10\x04\x04"  # bits 2-3: paper near end, bits 5-6: paper end


def _valid(b: int | None) -> bool:
    return b is not None and (b & 0x93) == 0x12


def decode_status(printer: int | None, offline: int | None, paper: int | None) -> PrinterStatus:
    """A ``PrinterStatus`` from the answers to DLE EOT 1, 2 and 4 (None = no answer).

    Same bit reading as python-escpos's ``is_online``/``paper_status``, but an empty answer is
    not taken for 'plenty of paper' and a byte that is not a status byte is 'unknown'.
    ``online`` means "answering and not stopped by an error": the printer's offline bit caused
    by an open cover or paper end is reported in ``cover_open``/``paper`` instead.
    """
    offline_bit = bool(printer & 0x08) if _valid(printer) else False
    cover = bool(offline & 0x04) if _valid(offline) else None
    if not _valid(paper):
        state = "unknown"
    elif paper & 0x60:
        state = "out"
    elif paper & 0x0C:
        state = "near_end"
    else:
        state = "ok"
    if _valid(offline) and offline & 0x20:
        state = "out"
    online = not (offline_bit and not cover and state != "out")
    if cover:
        msg = "the printer cover is open: close it"
    elif state == "out":
        msg = "the printer is out of paper: load a new roll"
    elif not online:
        msg = "the printer is offline (error): check its lights, then switch it off and on"
    elif state == "near_end":
        msg = "the paper roll is nearly finished: have a new roll ready"
    elif state == "unknown":
        msg = "the printer is online (it did not report its paper)"
    else:
        msg = "the printer is ready"
    return PrinterStatus(online=online, paper=state, cover_open=cover, message=msg)


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
            dev = self._open(f"Antrian {t.number}")
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


class PreviewTicketPrinter:
    """Saves each ticket as a PNG (``<dir>/<YYYYmmdd-HHMMSS>-<number>.png``), drawn from the bytes."""

    def __init__(self, paper: PaperProfile, directory: Path | None = None, logo: Path | None = None,
                 profile: str | None = None, on_preview: Callable[[Path], None] | None = None):  # fmt: skip
        self.paper = paper
        self._directory = directory
        self.logo = logo
        self.profile = profile
        self.on_preview = on_preview
        self.last_path: Path | None = None
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        if self._directory is None:
            from antrian.paths import data_dir

            self._directory = data_dir() / "tickets"
        return self._directory

    def print_ticket(self, t: TicketPrint) -> None:
        from printer.preview import render_png

        with self._lock:
            stamp = datetime.now(t.issued_at.tzinfo).strftime("%Y%m%d-%H%M%S")
            safe = re.sub(r"[^A-Za-z0-9_-]+", "_", t.number.strip()) or "ticket"
            path = self.directory / f"{stamp}-{safe}.png"
            n = 2
            while path.exists():
                path = self.directory / f"{stamp}-{safe}-{n}.png"
                n += 1
            try:
                render_png(t, self.paper, path, self.logo, self.profile)
            except PrinterError:
                raise
            except OSError as e:
                raise PrinterError(
                    "config", f"cannot save the ticket preview in {self.directory} ({e}): check [printer] preview_dir"
                ) from e
            except Exception as e:
                log.exception("previewing ticket %s failed", t.number)
                raise PrinterError("config", f"cannot draw the preview of ticket {t.number}: {e}") from e
            self.last_path = path
        if self.on_preview is not None:
            self.on_preview(path)

    def status(self) -> PrinterStatus:
        return PrinterStatus(True, "ok", False, f"preview: tickets are saved as images in {self.directory}")

    def describe(self) -> str:
        return f"preview printer ({self.paper.name}; PNG files in {self._directory or 'the data folder/tickets'})"


class DummyTicketPrinter:
    """Keeps the bytes of every ticket in memory (``jobs``); prints nothing."""

    def __init__(self, paper: PaperProfile, logo: Path | None = None, profile: str | None = None):
        self.paper = paper
        self.logo = logo
        self.profile = profile
        self.jobs: list[bytes] = []
        self.tickets: list[TicketPrint] = []

    def print_ticket(self, t: TicketPrint) -> None:
        from printer.layout import ticket_bytes

        self.jobs.append(ticket_bytes(t, self.paper, self.logo, self.profile))
        self.tickets.append(t)

    @property
    def last_bytes(self) -> bytes | None:
        return self.jobs[-1] if self.jobs else None

    def status(self) -> PrinterStatus:
        return PrinterStatus(True, "ok", False, "dummy printer: tickets are kept in memory")

    def describe(self) -> str:
        return f"dummy printer ({self.paper.name}, nothing is printed)"


# ------------------------------------------------------------------------------------------
# composition


def resolve_logo(value: str) -> Path | None:
    """[printer] logo: '' = none; an absolute path; or a file name in the data folder (then the
    bundled assets)."""
    if not value.strip():
        return None
    from antrian.paths import asset, data_dir

    path = Path(value).expanduser()
    if not path.is_absolute():
        path = data_dir().joinpath(*Path(value).parts)
        if not path.is_file():
            path = asset(*Path(value).parts)
    if not path.is_file():
        raise PrinterError(
            "config", f"logo image {path} not found: set [printer] logo to a path or a file in the data folder"
        )
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
    except Exception as e:
        raise PrinterError("config", f"logo image {path} cannot be read ({e}): use a PNG, BMP or JPEG") from e
    return path


def _check_profile(name: str) -> None:
    from escpos.capabilities import get_profile

    try:
        get_profile(name)
    except KeyError:
        raise PrinterError(
            "config",
            f"unknown printer profile '{name}' in [printer] profile: use a python-escpos profile "
            "such as TM-T88III, TM-T20II or POS-5890 (`python-escpos` lists them)",
        ) from None


_BACKENDS: dict[str, type[_EscposBackend]] = {
    "network": NetworkTicketPrinter,
    "usb": UsbTicketPrinter,
    "serial": SerialTicketPrinter,
    "file": FileTicketPrinter,
    "cups": CupsTicketPrinter,
    "win32raw": Win32RawTicketPrinter,
}


def use_escpos_cache() -> None:
    """python-escpos parses its printer database (YAML, about 0.3 s) in every new process unless
    its pickle lives in a folder that outlasts the process (by default a fresh temp dir). Called by
    ``build_ticket_printer``, before the first escpos import."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ or "escpos.capabilities" in sys.modules:
        return
    from antrian import paths

    cache = paths.data_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


def build_ticket_printer(settings: "PrinterSettings", *,
                         on_preview: Callable[[Path], None] | None = None) -> TicketPrinter:  # fmt: skip
    """The station's printer from its [printer] settings. Raises PrinterError('config').

    ``on_preview`` (preview backend only) is called with each PNG path, e.g. to show it when
    ``preview_show`` is set; it runs on the printing thread.
    """
    use_escpos_cache()
    paper = profile_for(settings.paper)
    logo = resolve_logo(settings.logo)
    _check_profile(settings.profile)
    backend = settings.backend
    if backend == "preview":
        directory = Path(settings.preview_dir).expanduser() if settings.preview_dir else None
        return PreviewTicketPrinter(paper, directory, logo, settings.profile, on_preview)
    if backend == "dummy":
        return DummyTicketPrinter(paper, logo, settings.profile)
    if backend == "cups":
        from escpos.printer import cups as escpos_cups

        if not escpos_cups.is_usable():
            raise PrinterError(
                "config",
                "backend 'cups' needs pycups (pip install pycups; it builds against libcups2-dev): "
                "install it or use backend 'usb', 'file' or 'network'",
            )
    if backend == "win32raw":
        if sys.platform != "win32":
            raise PrinterError(
                "config", f"backend 'win32raw' works only on Windows (this is {sys.platform}): use 'usb', 'file' or 'cups'"
            )
        from escpos.printer import win32raw as escpos_win32

        if not escpos_win32.is_usable():
            raise PrinterError("config", "backend 'win32raw' needs pywin32: pip install pywin32")
    try:
        cls = _BACKENDS[backend]
    except KeyError:
        raise PrinterError("config", f"unknown printer backend '{backend}' in [printer] backend") from None
    return cls(settings, paper, logo)
