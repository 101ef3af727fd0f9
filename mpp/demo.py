"""`mpp demo`: the whole hall on one PC.

With a screen: the kiosk, the hall display and two counter windows (demo officers already logged
in), each its own process exactly as on separate PCs, on a demo SQLite database with the preview
printer and every service open whatever the hour. With no screen (or --headless): a simulated hall
day, so `make demo` shows something useful on a server too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DEMO_OFFICERS = (("demo1", "Petugas Demo Satu", "1111"), ("demo2", "Petugas Demo Dua", "2222"))


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.name == "nt"


def demo_db_url() -> str:
    from antrian import paths

    return f"sqlite:///{paths.data_dir() / 'demo.sqlite3'}"


def prepare(ctx) -> tuple[str, str]:
    """Schema, demo officers; returns the two counters the demo opens (the busiest agency's)."""
    from antrian.services.users import UserService
    from antrian.storage.db import upgrade

    upgrade(ctx.db_url)
    users = UserService(ctx.queue.store, ctx.queue.clock, tz=ctx.hall.tz)
    known = {u.username for u in users.list()}
    for username, name, pin in DEMO_OFFICERS:
        if username not in known:
            users.add(username, name, "officer", pin)
    agency = ctx.hall.find_agency("disdukcapil") or ctx.hall.agencies[0]
    codes = list(agency.counter_codes) + [c.code for c in ctx.hall.counters if c.code not in agency.counter_codes]
    return codes[0], codes[1]


def station_commands(db_url: str, counters: tuple[str, str], config: str | None,
                     screen: tuple[int, int] = (2400, 1500)) -> list[tuple[list[str], str]]:
    """(command, MPP_GEOMETRY) per station: display top right, kiosk top left, counters below."""
    mpp = [sys.executable, "-m", "mpp.cli", "--db", db_url] + (["--config", config] if config else [])
    w, h = screen
    top = int(h * 0.52)
    half = w // 2
    return [
        (mpp + ["display", "--windowed"], f"{half},0,{w - half},{top}"),
        (mpp + ["kiosk", "--windowed"], f"0,0,{half},{top}"),
        (mpp + ["counter", "--windowed", "--counter", counters[0], "--user", DEMO_OFFICERS[0][0],
                "--pin", DEMO_OFFICERS[0][2]], f"0,{top},{half},{h - top}"),
        (mpp + ["counter", "--windowed", "--counter", counters[1], "--user", DEMO_OFFICERS[1][0],
                "--pin", DEMO_OFFICERS[1][2]], f"{half},{top},{w - half},{h - top}"),
    ]


def screen_size() -> tuple[int, int]:
    """The desktop's size (xdpyinfo when there), else a common 1920x1080."""
    try:
        out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=3).stdout
        for line in out.splitlines():
            if "dimensions:" in line:
                w, h = line.split()[1].split("x")
                return int(w), int(h)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return 1920, 1080


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
          f"loket {counters[1]} ({DEMO_OFFICERS[1][0]}): press F1 (Panggil) to call. Close this terminal "
          "or press Ctrl+C to stop. Kiosk staff PIN: 0000.")
    procs = []
    try:
        serve = [sys.executable, "-m", "mpp.cli", "--db", ctx.db_url] + (["--config", args.config] if args.config else [])
        procs.append(subprocess.Popen(serve + ["serve", "--port", str(web_port)]))
        for cmd, geometry in station_commands(ctx.db_url, counters, args.config, screen_size()):
            procs.append(subprocess.Popen(cmd, env=dict(os.environ, MPP_GEOMETRY=geometry)))
            time.sleep(0.5)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0
