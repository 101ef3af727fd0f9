"""Run every benchmark and print one table; also writes out/bench.json.

Usage: python -m bench [core] [kiosk] [display] [web] [booking] [report]   (default: all). PostgreSQL runs are included
when MPP_TEST_PG_URL is set (make bench sets it when a server answers on 127.0.0.1:5432)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "out"
SUITES = {"core": "bench.core_bench", "kiosk": "bench.kiosk_bench", "display": "bench.display_bench",
          "web": "bench.web_bench", "booking": "bench.booking_bench", "report": "bench.report_bench"}


class Report:
    def __init__(self):
        self.rows: list[dict] = []

    def __call__(self, name: str, value, unit: str = "", target: str = "") -> None:
        row = {"name": name, "value": value, "unit": unit, "target": target}
        self.rows.append(row)
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"  {name:<64} {shown:>10} {unit:<6} {target}", flush=True)


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wanted = argv or list(SUITES)
    pg_url = os.environ.get("MPP_TEST_PG_URL") or None
    report = Report()
    started = time.time()
    for name in wanted:
        if name not in SUITES:
            print(f"bench: unknown suite '{name}' (choose from {', '.join(SUITES)})", file=sys.stderr)
            return 2
        try:
            mod = importlib.import_module(SUITES[name])
        except ImportError as exc:
            print(f"[{name}] not available: {exc}")
            continue
        print(f"[{name}]", flush=True)
        import inspect

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
