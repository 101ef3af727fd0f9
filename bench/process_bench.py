"""`mpp issue` as a process: what a script or a kiosk helper pays for one ticket from the shell.

Runs the installed `mpp` console script (the same Python) ~10 times against a fresh SQLite file with
the bundled hall (MPP_ALWAYS_OPEN=1 so it runs at any hour), after two warm-up runs that write the
bytecode caches. Prints the wall time p50 (target <= 0.2 s) against the floor of a bare
``python -c pass`` on the same interpreter, and the time of the imports alone (``-X importtime``,
top-level modules summed) so a regression names its cause."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 10


def _mpp_command() -> list[str]:
    script = Path(sys.executable).with_name("mpp")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from mpp.cli import main; sys.exit(main())"]


def _wall(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        out.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[-2:])} failed ({r.returncode}): {r.stderr.strip()}")
    return out


def _import_seconds(cmd: list[str], env: dict[str, str]) -> tuple[float, list[tuple[float, str]]]:
    r = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True)
    top: list[tuple[float, str]] = []
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)  # top level: no indent
        if m:
            top.append((int(m.group(1)) / 1e6, m.group(2)))
    return sum(s for s, _ in top), sorted(top, reverse=True)[:4]


def run(report) -> None:
    with tempfile.TemporaryDirectory(prefix="mpp-process-bench-") as d:
        tmp = Path(d)
        env = dict(os.environ, MPP_DATA_DIR=str(tmp / "data"), MPP_DB_URL=f"sqlite:///{tmp / 'q.sqlite3'}",
                   MPP_ALWAYS_OPEN="1")
        for var in ("MPP_CONFIG", "MPP_STATION", "MPP_PUBLIC_URL"):
            env.pop(var, None)
        mpp = _mpp_command()
        _wall([*mpp, "db", "upgrade"], env, 1)
        # MPP_ALWAYS_OPEN skips the hall's calendar: make this year's as the first real day would
        # have left it in the data dir (antrian.config.HolidayCalendar), so no run imports holidays
        warm = ("from datetime import date; from antrian import paths; from antrian.config import closed_days, "
                "load_hall_file; closed_days(load_hall_file(paths.default_hall_config()).hall).calendar.get(date.today())")
        _wall([sys.executable, "-c", warm], env, 1)
        issue = [*mpp, "issue", "skck-baru"]
        _wall(issue, env, 2)  # bytecode caches written
        floor = statistics.median(_wall([sys.executable, "-c", "pass"], env, RUNS))
        walls = _wall(issue, env, RUNS)
        p50 = statistics.median(walls)
        report("mpp issue as a process: wall p50 (SQLite)", p50, "s", "target <= 0.2 s", floor=floor)
        report("mpp issue as a process: wall min (SQLite)", min(walls), "s")
        imports, biggest = _import_seconds(issue, env)
        report("mpp issue as a process: imports (-X importtime)", imports, "s",
               "largest: " + ", ".join(f"{name} {1000 * s:.0f} ms" for s, name in biggest))


if __name__ == "__main__":
    from bench.__main__ import Report

    run(Report())
