"""Report bench: a month of a big hall (30 days x 1,500 tickets, written straight into one SQLite
file by a seeded generator much faster than `mpp simulate`), then `mpp report` for the month to
XLSX, PDF and CSV, in this process and as a fresh `mpp report` process. Target: each <= 5 s.
The machine may be shared and busy: every row gives the CPU time and the 1-minute load average
beside the wall time (wall grows with the load, CPU time much less).

    python -m bench report
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

TARGET_S = 5.0


def generate_month(url: str, hall, year: int, month: int, per_day: int = 1500, days: int = 30,
                   seed: int = 1, bookings_per_day: int = 150) -> int:
    """Write ``days`` service days from the 1st of the month with ``per_day`` tickets each, with
    their counter and ticket events, and ``bookings_per_day`` bookings (checked in, released,
    cancelled or still active). Returns the number of tickets written."""
    from sqlalchemy import create_engine, insert

    from antrian.storage import tables as T
    from antrian.storage.db import upgrade
    from antrian.storage.tables_booking import bookings as booking_table

    upgrade(url)

    def ev(**kw) -> dict:
        return dict(dict.fromkeys(("ticket_id", "number", "counter_code", "officer", "service_code")), **kw)

    rng = random.Random(seed)
    tz = hall.tz
    services = list(hall.services)
    weights = [max(1, s.quota or 40) for s in services]
    counters_of = {s.code: hall.counters_serving(s.code) for s in services}
    services = [s for s in services if counters_of[s.code]]
    weights = [max(1, s.quota or 40) for s in services]
    engine = create_engine(url)
    written = 0
    next_id = 1
    with engine.begin() as conn:
        for offset in range(days):
            day = date(year, month, 1) + timedelta(days=offset)
            base = datetime.combine(day, dtime(7, 45), tzinfo=tz).astimezone(timezone.utc)
            tickets, events = [], []
            seqs: dict[str, int] = {}
            for k in hall.counters:
                k_open = datetime.combine(day, dtime(8, 0), tzinfo=tz).astimezone(timezone.utc)
                for at, type_, payload in (
                    (k_open, "counter_opened", {}),
                    (k_open + timedelta(hours=4), "counter_paused", {"reason": rng.choice(["istirahat", "sholat"])}),
                    (k_open + timedelta(hours=5), "counter_opened", {}),
                    (k_open + timedelta(hours=7, minutes=30), "counter_closed", {}),
                ):
                    events.append(ev(at=at, type=type_, counter_code=k.code, officer=f"petugas{k.code}",
                                       payload=json.dumps(payload)))
            for _ in range(per_day):
                s = rng.choices(services, weights)[0]
                agency = hall.agency(s.agency_code)
                seq = seqs[agency.prefix] = seqs.get(agency.prefix, 0) + 1
                arrival = base + timedelta(minutes=rng.uniform(0, 420))
                k = rng.choice(counters_of[s.code])
                wait = rng.expovariate(1 / max(1.0, s.target_wait_minutes * 0.6))
                called = arrival + timedelta(minutes=wait)
                dur = rng.lognormvariate(math.log(s.service_minutes) - 0.125, 0.5)
                r = rng.random()
                status = ("done" if r < 0.86 else "no_show" if r < 0.91 else "cancelled" if r < 0.94
                          else "transferred" if r < 0.96 else "expired")
                row = dict(
                    id=next_id, service_day=day, prefix=agency.prefix, seq=seq,
                    number=hall.format_number(agency.prefix, seq), service_code=s.code, agency_code=agency.code,
                    priority=None, prio=0, status=status, issued_at=arrival, arrival_at=arrival,
                    token=f"MPP-{day:%Y%m%d}-{agency.prefix}{seq:03d}-BENCH{next_id % 10}",
                    counter_code=None, officer=None, target_counter=None, called_at=None, started_at=None,
                    finished_at=None, recall_count=0, transferred_from=None,
                )
                next_id += 1
                events.append(ev(at=arrival, type="issued", ticket_id=row["id"], number=row["number"],
                                   service_code=s.code, payload="{}"))
                if status == "cancelled":
                    row["finished_at"] = arrival + timedelta(minutes=wait / 2)
                elif status != "expired":
                    row.update(counter_code=k.code, officer=f"petugas{k.code}", called_at=called)
                    events.append(ev(at=called, type="called", ticket_id=row["id"], number=row["number"],
                                       counter_code=k.code, service_code=s.code, payload="{}"))
                    end = called + timedelta(minutes=2 if status == "no_show" else dur)
                    row.update(started_at=called if status == "done" else None, finished_at=end)
                    events.append(ev(at=end, type={"done": "finished"}.get(status, status), ticket_id=row["id"],
                                       number=row["number"], counter_code=k.code, service_code=s.code,
                                       payload="{}"))
                tickets.append(row)
                if status == "transferred":
                    other = rng.choice(services)
                    k2 = rng.choice(counters_of[other.code])
                    t2 = dict(row, id=next_id, service_code=other.code, agency_code=other.agency_code,
                              status="done", issued_at=row["finished_at"], transferred_from=row["id"],
                              counter_code=k2.code, officer=f"petugas{k2.code}",
                              called_at=row["finished_at"] + timedelta(minutes=5),
                              started_at=row["finished_at"] + timedelta(minutes=5),
                              finished_at=row["finished_at"] + timedelta(minutes=5 + dur))
                    next_id += 1
                    tickets.append(t2)
            booked = []
            for i in range(bookings_per_day):
                s = rng.choices(services, weights)[0]
                slot = base + timedelta(minutes=15 + 30 * rng.randrange(14))
                r = rng.random()
                status = ("checked_in" if r < 0.7 else "released" if r < 0.85 else "cancelled" if r < 0.95
                          else "active")
                booked.append(dict(code=f"B{offset:02d}{i:05d}", service_code=s.code, day=day, slot_at=slot,
                                   slot_minutes=30, person_key=f"bench-{offset}-{i}", contact_kind="nik",
                                   contact_hint="NIK", status=status, created_at=slot - timedelta(days=2)))
            conn.execute(insert(T.tickets), tickets)
            conn.execute(insert(T.events), events)
            if booked:
                conn.execute(insert(booking_table), booked)
            written += len(tickets)
    engine.dispose()
    return written


def _load() -> str:
    """The 1-minute load average: on a shared machine wall time grows with it, CPU time does not."""
    import os

    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def run(report) -> None:
    from antrian.config import load_hall
    from antrian import paths
    from antrian.reports.period import month_period
    from antrian.reports.service import write_report
    from antrian.storage.db import SqlStore

    hall = load_hall(paths.default_hall_config())
    with tempfile.TemporaryDirectory(prefix="mpp-report-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'month.sqlite3'}"
        t0 = time.perf_counter()
        n = generate_month(url, hall, 2026, 11, per_day=1500, days=30)
        report("report: generate 30 days x 1,500 tickets + 150 bookings (SQLite)", time.perf_counter() - t0, "s",
               f"{n} tickets")
        store = SqlStore(url)
        try:
            from antrian.reports.service import load_report

            t0, c0 = time.perf_counter(), time.process_time()
            load_report(store, hall, month_period("2026-11"), by="service")
            report("report: read the month (SQL + read model), CPU", time.process_time() - c0, "s",
                   f"wall {time.perf_counter() - t0:.2f} s; load {_load()}")
            for fmt in ("xlsx", "pdf", "csv"):
                out = Path(tmp) / f"rekap.{fmt}"
                t0, c0 = time.perf_counter(), time.process_time()
                write_report(store, hall, month_period("2026-11"), fmt, out, by="service")
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                report(f"report: month of a big hall -> {fmt} (SQLite), wall", wall, "s",
                       f"target <= {TARGET_S:g} s; CPU {cpu:.2f} s; load {_load()}")
        finally:
            store.dispose()
        # as a user runs it: a fresh `mpp report` process (interpreter start and imports included)
        import resource
        import subprocess
        import sys

        for fmt in ("csv", "xlsx", "pdf"):
            out = Path(tmp) / f"cold.{fmt}"
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mpp.cli", "--db", url, "report", "--month", "2026-11",
                            "--format", fmt, "--out", str(out)], check=True, capture_output=True)
            wall = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            report(f"report: `mpp report --month --format {fmt}` new process, wall", wall, "s",
                   f"target <= {TARGET_S:g} s; load {_load()}")
            report(f"report: `mpp report --month --format {fmt}` new process, CPU", cpu, "s",
                   f"target <= {TARGET_S:g} s (wall on an idle machine is about CPU)")


if __name__ == "__main__":  # pragma: no cover
    import sys

    from bench.__main__ import main

    sys.exit(main(["report"]))
