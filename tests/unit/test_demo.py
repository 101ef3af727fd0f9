"""`mpp demo` (issue 15, point 18): windows (with their frames) inside the screen, and SIGTERM
stops every station process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mpp.demo import DEMO_SUPERVISOR, FRAME_SIDE, FRAME_TOP, Stations, station_commands

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
STUBBORN = [sys.executable, "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(120)"]


def _frames(screen):
    for _cmd, geometry in station_commands("sqlite:///x", ("17", "18"), None, screen):
        x, y, w, h = (int(v) for v in geometry.split(","))
        yield (x - FRAME_SIDE, y - FRAME_TOP, x + w + FRAME_SIDE, y + h + FRAME_SIDE)


@pytest.mark.parametrize("screen", [(1366, 768), (1920, 1080), (1080, 1920), (0, 27, 1920, 1053),
                                    (1920, 0, 1366, 768)])
def test_every_window_and_its_frame_is_on_the_screen(screen):
    x0, y0, w, h = screen if len(screen) == 4 else (0, 0, *screen)
    frames = list(_frames(screen))
    assert len(frames) == 5
    for left, top, right, bottom in frames:
        assert x0 <= left < right <= x0 + w and y0 <= top < bottom <= y0 + h
    for i, a in enumerate(frames):  # no two windows overlap
        for b in frames[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_the_demo_opens_the_monitor_logged_in_as_the_demo_supervisor():
    commands = [cmd for cmd, _geometry in station_commands("sqlite:///x", ("17", "18"), None, (1920, 1080))]
    monitors = [cmd for cmd in commands if "monitor" in cmd]
    assert len(monitors) == 1
    cmd = monitors[0]
    assert cmd[cmd.index("--user") + 1] == DEMO_SUPERVISOR[0] and cmd[cmd.index("--pin") + 1] == DEMO_SUPERVISOR[2]
    assert "--windowed" in cmd


def test_prepare_adds_the_demo_supervisor(tmp_path, monkeypatch):
    from antrian.bootstrap import build_context
    from antrian.services.users import UserService
    from mpp.demo import prepare

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path))
    ctx = build_context(db=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        prepare(ctx)
        prepare(ctx)  # twice: still one of each
        users = UserService(ctx.queue.store, ctx.queue.clock, tz=ctx.hall.tz)
        sup = [u for u in users.list() if u.username == DEMO_SUPERVISOR[0]]
        assert len(sup) == 1 and sup[0].role == "supervisor"
        assert users.login(DEMO_SUPERVISOR[0], DEMO_SUPERVISOR[2], roles=("supervisor", "admin")).role == "supervisor"
    finally:
        ctx.close()


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM cannot be ignored on Windows")
def test_stop_terminates_then_kills_what_ignores_it():
    stations = Stations(grace=1.0)
    polite = stations.start(SLEEPER)
    stubborn = subprocess.Popen(STUBBORN, stdout=subprocess.PIPE, text=True)
    stations.procs.append(stubborn)
    assert stubborn.stdout.readline().strip() == "ready"  # its SIGTERM handler is in place
    stations.stop()
    assert polite.returncode == -signal.SIGTERM
    assert stubborn.returncode == -signal.SIGKILL
    stubborn.stdout.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_demo_stops_all_its_stations(sig):
    script = textwrap.dedent(f"""
        import sys
        from mpp.demo import run_stations
        cmds = [({SLEEPER!r}, None), ({SLEEPER!r}, None), ({SLEEPER!r}, None)]
        def started(stations):
            print(" ".join(str(p.pid) for p in stations.procs), flush=True)
        sys.exit(run_stations(cmds, grace=5.0, started=started))
    """)
    demo = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    pids = [int(p) for p in demo.stdout.readline().split()]
    assert len(pids) == 3
    demo.send_signal(sig)
    assert demo.wait(timeout=30) == 0
    demo.stdout.close()
    for pid in pids:  # reaped by the demo: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
