"""`mpp demo`: the whole hall on one PC.

With a screen: the kiosk, the hall display, two counter windows (demo officers already logged
in) and the supervisor monitor (the demo supervisor logged in), each its own process exactly as on separate PCs, on a demo SQLite database with the preview
printer and every service open whatever the hour. With no screen (or --headless): a simulated hall
day, so `make demo` shows something useful on a server too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Mapping, Sequence

DEMO_OFFICERS = (("demo1", "Petugas Demo Satu", "1111"), ("demo2", "Petugas Demo Dua", "2222"))
DEMO_SUPERVISOR = ("demosup", "Supervisor Demo", "999999")  # supervisors need 6-8 digits


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.name == "nt"


def demo_db_url() -> str:
    from antrian import paths

    return f"sqlite:///{paths.data_dir() / 'demo.sqlite3'}"


def prepare(ctx) -> tuple[str, str]:
    """Schema, demo officers and the demo supervisor; returns the two counters the demo opens (the busiest agency's)."""
    from antrian.services.users import UserService
    from antrian.storage.db import upgrade

    upgrade(ctx.db_url)
    users = UserService(ctx.queue.store, ctx.queue.clock, tz=ctx.hall.tz)
    known = {u.username for u in users.list()}
    for username, name, pin in DEMO_OFFICERS:
        if username not in known:
            users.add(username, name, "officer", pin)
    if DEMO_SUPERVISOR[0] not in known:
        users.add(DEMO_SUPERVISOR[0], DEMO_SUPERVISOR[1], "supervisor", DEMO_SUPERVISOR[2])
    agency = ctx.hall.find_agency("disdukcapil") or ctx.hall.agencies[0]
    codes = list(agency.counter_codes) + [c.code for c in ctx.hall.counters if c.code not in agency.counter_codes]
    return codes[0], codes[1]


# A window manager puts a title bar above and a border around each window; MPP_GEOMETRY sets the
# inside (client area). Each window's cell keeps this much room so that the frame stays on screen.
FRAME_TOP = 32  # title bar
FRAME_SIDE = 4  # left, right and bottom border


def station_commands(db_url: str, counters: tuple[str, str], config: str | None,
                     screen: tuple[int, int, int, int] | tuple[int, int] = (0, 0, 2400, 1500),
                     ) -> list[tuple[list[str], str]]:  # fmt: skip
    """(command, MPP_GEOMETRY) per station: display top right, kiosk top left; below them the two
    counters and the supervisor monitor, a third of the width each.

    ``screen``: the usable desktop (x, y, w, h), e.g. the work area without panels; (w, h) means
    at (0, 0). Each window's frame (title bar and borders) fits inside its quarter."""
    mpp = [sys.executable, "-m", "mpp.cli", "--db", db_url] + (["--config", config] if config else [])
    x0, y0, w, h = screen if len(screen) == 4 else (0, 0, *screen)
    top = int(h * 0.52)
    half = w // 2
    third = w // 3

    def cell(x: int, y: int, cw: int, ch: int) -> str:
        return (f"{x0 + x + FRAME_SIDE},{y0 + y + FRAME_TOP},"
                f"{cw - 2 * FRAME_SIDE},{ch - FRAME_TOP - FRAME_SIDE}")

    return [
        (mpp + ["display", "--windowed"], cell(half, 0, w - half, top)),
        (mpp + ["kiosk", "--windowed"], cell(0, 0, half, top)),
        (mpp + ["counter", "--windowed", "--counter", counters[0], "--user", DEMO_OFFICERS[0][0],
                "--pin", DEMO_OFFICERS[0][2]], cell(0, top, third, h - top)),
        (mpp + ["counter", "--windowed", "--counter", counters[1], "--user", DEMO_OFFICERS[1][0],
                "--pin", DEMO_OFFICERS[1][2]], cell(third, top, third, h - top)),
        (mpp + ["monitor", "--windowed", "--user", DEMO_SUPERVISOR[0], "--pin", DEMO_SUPERVISOR[2]],
         cell(2 * third, top, w - 2 * third, h - top)),
    ]


def screen_size() -> tuple[int, int, int, int]:
    """The usable desktop (x, y, w, h): the window manager's work area (without panels) when it
    publishes one (_NET_WORKAREA), else the X screen (xdpyinfo), else a common 1920x1080."""
    try:
        out = subprocess.run(["xprop", "-root", "_NET_WORKAREA"], capture_output=True, text=True, timeout=3).stdout
        if "=" in out:
            x, y, w, h = (int(v) for v in out.split("=", 1)[1].split(",")[:4])
            if w > 0 and h > 0:
                return x, y, w, h
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    try:
        out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=3).stdout
        for line in out.splitlines():
            if "dimensions:" in line:
                width, height = line.split()[1].split("x")
                return 0, 0, int(width), int(height)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return 0, 0, 1920, 1080


class Stations:
    """The station processes of the demo: started, watched, and stopped together.

    ``stop()`` asks each one to end (terminate: SIGTERM on POSIX, TerminateProcess on Windows),
    waits up to ``grace`` seconds in all, then kills what is left and reaps it. No process groups
    (os.killpg) are needed, so it works on Windows too."""

    def __init__(self, grace: float = 5.0) -> None:
        self.grace = grace
        self.procs: list[subprocess.Popen] = []

    def start(self, cmd: list[str], env: Mapping[str, str] | None = None) -> subprocess.Popen:
        p = subprocess.Popen(cmd, env=env)
        self.procs.append(p)
        return p

    def any_ended(self) -> bool:
        return any(p.poll() is not None for p in self.procs)

    def wait(self, stop: threading.Event, poll: float = 0.25) -> None:
        """Until ``stop`` is set (a signal) or one station ends (its window was closed)."""
        while not stop.is_set() and not self.any_ended():
            stop.wait(poll)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.terminate()
                except OSError:
                    pass
        deadline = time.monotonic() + self.grace
        for p in self.procs:
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - a process that ignores SIGKILL
                pass


@contextmanager
def stop_on_signals(stop: threading.Event):
    """SIGTERM, SIGINT (and SIGHUP where it exists) set ``stop`` instead of ending Python at once,
    so the stations can be stopped; the previous handlers come back afterwards."""
    previous = {}
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
        except (ValueError, OSError):  # not the main thread, or not allowed here
            pass
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_stations(commands: Sequence[tuple[list[str], Mapping[str, str] | None]], *, grace: float = 5.0,
                 started: "Callable[[Stations], None] | None" = None) -> int:
    """Start ``commands`` ((argv, env) each), wait for a signal or for one to end, stop them all."""
    stop = threading.Event()
    stations = Stations(grace)
    with stop_on_signals(stop):
        try:
            for cmd, env in commands:
                if stop.is_set():
                    break
                stations.start(cmd, env)
                stop.wait(0.5)  # let each window come up before the next (and stay stoppable)
            if started is not None:
                started(stations)
            stations.wait(stop)
        finally:
            stations.stop()
    return 0


def run(args) -> int:
    from mpp.cli import context_from

    if args.headless or not has_screen():
        from antrian.simulate import SimulationConfig, run_simulation

        if not args.headless:
            print("No screen found (DISPLAY is not set): running a simulated hall day instead of the windows.")
            print("On a desktop, `make demo` opens the kiosk, the hall display and two counters.")
        ctx = context_from(args)
        result = run_simulation(ctx, SimulationConfig())
        print(result.table())
        return 0

    os.environ["MPP_ALWAYS_OPEN"] = "1"
    if not args.db and not os.environ.get("MPP_DB_URL"):
        args.db = demo_db_url()
    ctx = context_from(args)
    counters = prepare(ctx)
    from web.server import demo_address

    web_url, web_port = demo_address(ctx)
    os.environ["MPP_PUBLIC_URL"] = web_url  # the stations' tickets point their QR codes here
    print(f"Demo database: {ctx.db_url}")
    print(f"Web server: {web_url}/papan (hall board); each ticket's QR code opens its live page {web_url}/t/...")
    print(f"Kiosk: tap an agency, then a service. Counters: loket {counters[0]} ({DEMO_OFFICERS[0][0]}) and "
          f"loket {counters[1]} ({DEMO_OFFICERS[1][0]}): press F1 (Panggil) to call. Monitor: supervisor "
          f"{DEMO_SUPERVISOR[0]} (PIN {DEMO_SUPERVISOR[2]}). Close this terminal or press Ctrl+C to stop. "
          "Kiosk staff PIN: 0000.")
    serve = [sys.executable, "-m", "mpp.cli", "--db", ctx.db_url] + (["--config", args.config] if args.config else [])
    commands: list[tuple[list[str], Mapping[str, str] | None]] = [(serve + ["serve", "--port", str(web_port)], None)]
    commands += [(cmd, dict(os.environ, MPP_GEOMETRY=geometry))
                 for cmd, geometry in station_commands(ctx.db_url, counters, args.config, screen_size())]
    return run_stations(commands)
