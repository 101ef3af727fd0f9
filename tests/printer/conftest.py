"""Fixtures for the printer tests: sample tickets and a fake ESC/POS network printer."""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from printer.model import TicketPrint

WIB = ZoneInfo("Asia/Jakarta")
OK = 0x12  # a DLE EOT answer with nothing to report (bits 1 and 4 are always set)


def make_ticket(**overrides) -> TicketPrint:
    base = TicketPrint(
        hall_name="Mal Pelayanan Publik Kota Tangerang",
        city="Kota Tangerang",
        number="K-012",
        agency="Disdukcapil",
        service="KTP-el",
        priority_label=None,
        issued_at=datetime(2026, 11, 28, 8, 15, tzinfo=WIB),
        ahead=5,
        eta_minutes=25,
        qr_text="https://mpp.tangerangkota.go.id/t/20261128-K-012",
        footer="Terima kasih atas kunjungan Anda",
    )
    return replace(base, **overrides)


@pytest.fixture
def ticket() -> TicketPrint:
    return make_ticket()


@dataclass
class Connection:
    data: bytearray = field(default_factory=bytearray)  # everything but status queries
    queries: list[int] = field(default_factory=list)  # n of each DLE EOT n, in order
    events: list[tuple[str, int]] = field(default_factory=list)  # ("query", n) / ("data", len)
    closed_by_server: bool = False


class FakeEscposPrinter:
    """A raw-TCP ESC/POS printer on 127.0.0.1:<ephemeral port>, served by one thread.

    Answers DLE EOT 1/2/3/4 from ``status``; keeps every other byte in ``connections[i].data``.
    ``mode``: "normal"; "silent" (accepts, never reads or answers); "hangup" (closes the
    connection with a reset once ``hangup_after`` ticket bytes have arrived).
    """

    def __init__(self, rcvbuf: int | None = None) -> None:
        """``rcvbuf``: the receive buffer of accepted connections (small = a printer whose own
        buffer is full: in "silent" mode it then takes only the first bytes of a ticket)."""
        self.status = {1: OK, 2: OK, 3: OK, 4: OK}
        self.mode = "normal"
        self.hangup_after = 64
        self.connections: list[Connection] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before listen()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="fake-escpos", daemon=True)
        self._thread.start()

    # ---- test helpers
    def set_paper(self, state: str) -> None:
        self.status = {
            "ok": {1: OK, 2: OK, 3: OK, 4: OK},
            "near_end": {1: OK, 2: OK, 3: OK, 4: OK | 0x0C},
            "out": {1: OK | 0x08, 2: OK | 0x20, 3: OK, 4: OK | 0x0C | 0x60},
        }[state]

    def open_cover(self) -> None:
        self.status = {1: OK | 0x08, 2: OK | 0x04, 3: OK, 4: OK}

    def wait_for_connections(self, n: int, timeout: float = 2.0) -> None:
        end = time.monotonic() + timeout
        while len(self.connections) < n and time.monotonic() < end:
            time.sleep(0.01)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for s in self._held:
            s.close()
        self._listener.close()

    # ---- the printer
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            conn = Connection()
            self.connections.append(conn)
            if self.mode == "silent":
                self._held.append(sock)  # never read: the client's buffers fill, queries go unanswered
                continue
            try:
                self._handle(sock, conn)
            finally:
                if not conn.closed_by_server:
                    sock.close()

    def _handle(self, sock: socket.socket, conn: Connection) -> None:
        sock.settimeout(0.05)
        pending = b""
        while not self._stop.is_set():
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            while pending:
                at = pending.find(b"\x10\x04")
                if at == -1:
                    keep = 1 if pending.endswith(b"\x10") else 0
                    data, pending = pending[: len(pending) - keep], pending[len(pending) - keep :]
                    if not self._take(sock, conn, data):
                        return
                    break
                if at > 0:
                    if not self._take(sock, conn, pending[:at]):
                        return
                    pending = pending[at:]
                    continue
                if len(pending) < 3:
                    break  # wait for n
                n = pending[2]
                pending = pending[3:]
                conn.queries.append(n)
                conn.events.append(("query", n))
                sock.sendall(bytes([self.status.get(n, OK)]))

    def _take(self, sock: socket.socket, conn: Connection, data: bytes) -> bool:
        if not data:
            return True
        if self.mode == "hangup":
            data = data[: max(0, self.hangup_after - len(conn.data))]  # the rest is never printed
        conn.data += data
        conn.events.append(("data", len(data)))
        if self.mode == "hangup" and len(conn.data) >= self.hangup_after:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # reset: the rest of the ticket is lost
            conn.closed_by_server = True
            return False
        return True


@pytest.fixture
def escpos_server():
    server = FakeEscposPrinter()
    yield server
    server.close()


@pytest.fixture
def full_printer():
    """A printer that accepts connections and never reads, with a small buffer (issue 15.8)."""
    server = FakeEscposPrinter(rcvbuf=1024)
    server.mode = "silent"
    yield server
    server.close()


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connecting is refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
