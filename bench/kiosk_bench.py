"""Kiosk benchmarks (issue 3, section 5):

1. tap -> ticket bytes delivered: the real ``KioskWindow`` (offscreen) on a SQLite file with the
   bundled hall, the real network printer backend (status checks on) and a fake ESC/POS printer
   on 127.0.0.1 that answers DLE EOT and records the bytes. From the tap on a service button to
   the moment the printer has received the ticket's cut command; p50/p95 over 50 taps.
2. `mpp kiosk --windowed` start (process spawn) to its first shown and painted frame.
3. resident memory (VmRSS) of that kiosk process once it is up.

``run(report)``: ``report(name, value, unit, target, floor=...)`` is the bench runner's table; the
tap row's floor is the same ticket issued, laid out and sent without the window (headless).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

TAPS = 50
WARMUP = 3
STARTS = 3
CUT = b"\x1dV"  # GS V: the last command of a ticket
DLE_EOT = b"\x10\x04"
STATUS_OK = b"\x12"  # a status byte with no error, paper present, cover closed


class _FixedClock:
    """Wednesday 25 November 2026, 09.00 WIB: every service of the hall is open."""

    def __init__(self):
        self.t = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.t


class LoopbackPrinter:
    """A fake network thermal printer on 127.0.0.1: answers real-time status queries and records
    when each ticket's cut command arrives."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.cuts: list[float] = []
        self.jobs: list[bytes] = []
        self.cut_seen = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._serve, name="fake-escpos", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        data = b""
        cut_at = None
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                start = max(0, len(data) - 2)
                data += chunk
                # answer every DLE EOT n found in the new bytes
                i = data.find(DLE_EOT, start)
                while i != -1 and i + 2 < len(data):
                    conn.sendall(STATUS_OK)
                    i = data.find(DLE_EOT, i + 3)
                if cut_at is None and CUT in data[start:]:
                    cut_at = time.perf_counter()
                    self.cuts.append(cut_at)
                    self.cut_seen.set()
        if cut_at is not None:
            self.jobs.append(data)

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def _pump_until(cond, timeout: float) -> bool:
    from PySide6.QtCore import QCoreApplication

    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        if cond():
            return True
        time.sleep(0.0005)
    return False


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def bench_tap_to_bytes(report, tmp: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from antrian import paths
    from antrian.config import KioskSettings, PrinterSettings, load_hall
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade
    from kiosk.window import KioskWindow
    from printer.backends import build_ticket_printer

    app = QApplication.instance() or QApplication([])
    hall = load_hall(paths.default_hall_config())
    url = f"sqlite:///{tmp / 'bench-kiosk.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    queue = QueueService(hall, store, _FixedClock())
    fake = LoopbackPrinter()
    settings = PrinterSettings(backend="network", host="127.0.0.1", port=fake.port, timeout=3.0,
                               paper="80mm", check_status=True)
    printer = build_ticket_printer(settings)
    # tap_guard_ms=0: the bench taps faster than a person (the guard only drops double-tap echoes)
    w = KioskWindow(queue, printer, KioskSettings(), windowed=True, poll_ms=5000, tap_guard_ms=0)
    w.resize(1920, 1080)
    w.show()
    app.processEvents()
    try:
        if not _pump_until(lambda: w.availability is not None, 10):
            raise RuntimeError("the kiosk did not load the availability")
        agency, service = "bpjs-kes", "jkn-pendaftaran"  # unlimited quota
        times = []
        for i in range(WARMUP + TAPS):
            w.show_home()
            QTest.mouseClick(w.home.tiles[agency], Qt.LeftButton)
            button = w.agency.buttons[service]
            want = len(fake.cuts) + 1
            t0 = time.perf_counter()
            QTest.mouseClick(button, Qt.LeftButton, Qt.NoModifier, button.rect().center())
            if not _pump_until(lambda: len(fake.cuts) >= want, 10):
                raise RuntimeError(f"tap {i}: no ticket reached the loopback printer")
            if i >= WARMUP:
                times.append((fake.cuts[want - 1] - t0) * 1000.0)
            _pump_until(lambda: w.desk.busy == 0, 5)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        floor = _headless_floor(queue, printer, hall, service, fake)
        report(f"kiosk: tap -> ticket bytes at loopback printer, p50 ({TAPS} taps)", p50, "ms", "target <= 8 ms",
               floor=floor)
        report("kiosk: floor: headless issue + layout + send to the cut, p50", floor, "ms")
        report(f"kiosk: tap -> ticket bytes at loopback printer, p95 ({TAPS} taps)", p95, "ms", "<= 100")
        report("kiosk: bytes per ticket (80 mm, QR)", len(fake.jobs[-1]) if fake.jobs else 0, "B", "")
    finally:
        w.shutdown(wait=True)
        w.close()
        w.deleteLater()
        app.processEvents()
        store.dispose()
        fake.close()


def _headless_floor(queue, printer, hall, service: str, fake: LoopbackPrinter) -> float:
    """The same ticket without the window: issue, compose, lay out and send (to the cut's arrival)
    on this thread. What the window adds on top is its threads, signals and painting."""
    from printer.content import ticket_print_for

    times = []
    for i in range(WARMUP + TAPS):
        want = len(fake.cuts) + 1
        t0 = time.perf_counter()
        printer.print_ticket(ticket_print_for(queue.issue(service), hall))
        if not _wait(lambda: len(fake.cuts) >= want, 5):
            raise RuntimeError("no ticket reached the loopback printer")
        if i >= WARMUP:
            times.append((fake.cuts[want - 1] - t0) * 1000.0)
    return statistics.median(times)


def _wait(cond, timeout: float) -> bool:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if cond():
            return True
        time.sleep(0.0002)
    return cond()


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def bench_start_and_memory(report, tmp: Path) -> None:
    from antrian.storage.db import upgrade

    url = f"sqlite:///{tmp / 'bench-start.sqlite3'}"
    upgrade(url)
    station = tmp / "station.toml"
    station.write_text('[printer]\nbackend = "dummy"\n', encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPP_DATA_DIR=str(tmp / "data"))
    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "bench.launch_kiosk", "2500", "--db", url, "--station", str(station),
           "kiosk", "--windowed", "--width", "1920", "--height", "1080"]
    starts, rss = [], []
    for _ in range(STARTS):
        t0 = time.time()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            frame_at = None
            for line in proc.stdout:
                if line.startswith("MPP_FIRST_FRAME"):
                    frame_at = float(line.split()[1])
                    break
            if frame_at is None:
                err = proc.stderr.read()
                raise RuntimeError(f"the kiosk printed no first frame: {err.strip()[-400:]}")
            starts.append(frame_at - t0)
            time.sleep(1.5)  # settled: first poll done, screens built
            mb = _rss_mb(proc.pid)
            if mb is not None:
                rss.append(mb)
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    report(f"kiosk: process start -> first painted frame (median of {STARTS})", statistics.median(starts),
           "s", "<= 2")
    if rss:
        report("kiosk: resident memory after start (VmRSS)", max(rss), "MB", "<= 250")


def run(report) -> None:
    with tempfile.TemporaryDirectory(prefix="mpp-kiosk-bench-") as d:
        tmp = Path(d)
        os.environ.setdefault("MPP_DATA_DIR", str(tmp / "data"))
        bench_tap_to_bytes(report, tmp)
        bench_start_and_memory(report, tmp)


if __name__ == "__main__":  # python -m bench.kiosk_bench
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def _print(name, value, unit="", target="", **_extra):
        print(f"{name:<64} {value:>10.2f} {unit:<4} {target}" if isinstance(value, float)
              else f"{name:<64} {value!s:>10} {unit:<4} {target}")

    run(_print)
