"""`mpp issue` as a process: what a script or a kiosk helper pays for one ticket from the shell.

Runs the installed `mpp` console script (the same Python) ~10 times against a fresh SQLite file with
the bundled hall (MPP_ALWAYS_OPEN=1 so it runs at any hour), after two warm-up runs that write the
bytecode caches and the prevalidated hall (antrian.hall_cache). Prints the wall time p50 (target
<= 0.2 s) against the floor of a bare ``python -c pass`` on the same interpreter, the CPU time of
the process (user + system: less sensitive than the wall to a busy machine), the time of the
imports alone (``-X importtime``, top-level modules summed) so a regression names its cause,
and, in the same run, the full path (QueueService over SqlStore, antrian.bootstrap: what `mpp
issue` ran before issue 11 and still runs with a station file) for the ratio."""

from __future__ import annotations

import os
import re
import resource
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


def _wall(cmd: list[str], env: dict[str, str], runs: int, cpu: list[float] | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        out.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[-2:])} failed ({r.returncode}): {r.stderr.strip()}")
    return out


# `mpp issue` on the full path: the short one declines (as it does for a station file)
_FULL = ("import sys; import antrian.issue_path as p; p.issue = lambda *a, **k: None; "
         "from mpp.cli import main; sys.exit(main(sys.argv[1:]))")


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
        # an installed wheel has its bytecode compiled; a shell with PYTHONDONTWRITEBYTECODE (CI
        # images set it) would make every run compile the project's sources again (~0.1 s)
        for var in ("MPP_CONFIG", "MPP_STATION", "MPP_PUBLIC_URL", "PYTHONDONTWRITEBYTECODE"):
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
        cpu: list[float] = []
        walls = _wall(issue, env, RUNS, cpu)
        full_cpu: list[float] = []
        full = _wall([sys.executable, "-c", _FULL, "issue", "skck-baru"], env, RUNS, full_cpu)
        p50 = statistics.median(walls)
        report("mpp issue as a process: wall p50 (SQLite)", p50, "s", "target <= 0.2 s", floor=floor)
        report("mpp issue as a process: wall min (SQLite)", min(walls), "s")
        report("mpp issue as a process: CPU p50 (user+sys)", statistics.median(cpu), "s")
        report("mpp issue, full path (SqlStore, pydantic): wall p50", statistics.median(full), "s",
               f"short path / full = {p50 / statistics.median(full):.2f}; CPU p50 "
               f"{statistics.median(full_cpu):.2f} s", floor=floor)
        imports, biggest = _import_seconds(issue, env)
        report("mpp issue as a process: imports (-X importtime)", imports, "s",
               "largest: " + ", ".join(f"{name} {1000 * s:.0f} ms" for s, name in biggest))
        loaded = subprocess.run([sys.executable, "-c", _LOADED, "issue", "skck-baru"], env=env,
                                capture_output=True, text=True).stderr.strip().splitlines()[-1:]
        report("mpp issue as a process: heavy modules loaded", float(len(loaded[0].split(",")) if loaded and loaded[0] else 0),
               "", "of sqlalchemy, alembic, pydantic, psycopg, holidays: " + (loaded[0] if loaded and loaded[0] else "none"))


_LOADED = ("import sys; from mpp.cli import main; rc = main(sys.argv[1:]); "
           "print(','.join(m for m in ('sqlalchemy', 'alembic', 'pydantic', 'psycopg', 'holidays') if m in sys.modules), "
           "file=sys.stderr); sys.exit(rc)")

if __name__ == "__main__":
    from bench.__main__ import Report

    run(Report())
