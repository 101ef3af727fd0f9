"""Run every benchmark and print one table; also writes out/bench.json.

Usage: python -m bench [SUITE ...]   (default: all; `python -m bench --help` lists the suites).
PostgreSQL runs are included when MPP_TEST_PG_URL is set (make bench sets it when a server answers
on 127.0.0.1:5432).

A suite module has ``run(report)`` or ``run(report, pg_url=...)``. A row is
``report(name, value, unit, target)`` with optional keywords ``floor=`` (what the row is measured
against, e.g. a bare driver commit on the same disk, in the row's unit) and ``ratio=`` (value /
floor; computed from ``floor`` when not given). Both are printed as extra columns and stored in
out/bench.json."""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import os
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "out"
SUITES = {"core": "bench.core_bench", "kiosk": "bench.kiosk_bench", "display": "bench.display_bench",
          "web": "bench.web_bench", "booking": "bench.booking_bench", "report": "bench.report_bench",
          "reads": "bench.read_bench", "process": "bench.process_bench", "windows": "bench.window_bench"}


def usage() -> str:
    return (f"usage: python -m bench [SUITE ...]\n\nRuns the named benchmark suites (default: all) and prints one "
            f"table; the rows also go to {OUT / 'bench.json'}.\nSuites: {', '.join(SUITES)}.\n"
            "PostgreSQL rows run when MPP_TEST_PG_URL is set.")


def _shown(value) -> str:
    """Two decimals, or three significant digits for a value below 0.1 (a floor of a few
    microseconds would otherwise print as 0.00)."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:.3g}" if 0 < abs(value) < 0.1 else f"{value:.2f}"


class Report:
    def __init__(self):
        self.rows: list[dict] = []

    def __call__(self, name: str, value, unit: str = "", target: str = "", *,
                 floor: float | None = None, ratio: float | None = None) -> None:
        if ratio is None and floor and isinstance(value, (int, float)):
            ratio = value / floor
        row: dict = {"name": name, "value": value, "unit": unit, "target": target}
        extra = ""
        if floor is not None:
            row["floor"] = floor
            extra += f"  floor {_shown(floor)}"
        if ratio is not None:
            row["ratio"] = ratio
            extra += f"  ratio {ratio:.1f}x"
        self.rows.append(row)
        print(f"  {name:<64} {_shown(value):>10} {unit:<6} {target}{extra}", flush=True)


def _quiet_logging() -> None:
    """Warnings and errors on stderr, one line each; nothing below. The root logger gets this
    handler before any suite runs: python-escpos calls ``logging.basicConfig()`` when
    ``escpos.capabilities`` is first imported (the kiosk suite), which would otherwise leave an
    INFO-level stderr handler for the rest of the run (alembic's per-migration lines in the
    windows suite's table). With a handler in place, that call does nothing. Once a suite runs
    `mpp` in this process, its own stderr handler (mpp.cli_log) says the warnings instead."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("  (%(levelname)s %(name)s: %(message)s)"))
    handler.addFilter(lambda _record: not any(getattr(h, "_mpp", False) for h in root.handlers))
    root.addHandler(handler)


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(usage())
        return 0
    unknown = [a for a in argv if a not in SUITES]
    if unknown:
        print(f"bench: unknown suite '{unknown[0]}' (choose from {', '.join(SUITES)}; see `python -m bench --help`)",
              file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _quiet_logging()
    wanted = argv or list(SUITES)
    pg_url = os.environ.get("MPP_TEST_PG_URL") or None
    report = Report()
    started = time.time()
    for name in wanted:
        try:
            mod = importlib.import_module(SUITES[name])
        except ImportError as exc:
            print(f"[{name}] not available: {exc}")
            continue
        print(f"[{name}]", flush=True)
        if "pg_url" in inspect.signature(mod.run).parameters:
            mod.run(report, pg_url=pg_url)
        else:
            mod.run(report)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps({"at": time.strftime("%Y-%m-%d %H:%M"), "rows": report.rows},
                                               indent=1, default=str))
    print(f"done in {time.time() - started:.0f} s; numbers in {OUT / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
