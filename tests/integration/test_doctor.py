"""The doctor (issue 10, defect 3): today's waiting counts recomputed from the ticket rows; drift
reported, and repaired on request; a counter holding a ticket that is no longer at it freed."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update

from antrian.storage import tables as T
from antrian.storage.db import SqlStore
from tests.integration.test_cli import _not_at_midnight, cli  # noqa: F401, F811 - fixtures


def test_no_drift_after_a_day_of_every_action(queue):
    for s in ("ktp", "ktp", "kk", "pdam-bayar", "ktp"):
        queue.issue(s, priority="lansia" if s == "kk" else None)
    queue.call_next("7")
    queue.park("7")
    queue.call_next("8")
    queue.transfer("8", to_service="pdam-bayar")
    queue.call_next("3")
    queue.close_counter("3", force=True)
    queue.cancel("K-004")
    assert queue.doctor().ok


def test_drift_is_reported_then_repaired(queue, store):
    queue.issue("ktp")
    queue.issue("ktp", priority="lansia")
    t = queue.issue("kk").ticket
    day = queue.service_day()
    with store.transaction() as tx:  # what an older version's lost race left behind
        tx.set_waiting_count(day, "ktp", False, 5)
        tx.set_waiting_count(day, "kk", True, 1)
    queue.open_counter("8")
    queue.call_next("7")  # K-002 (priority) leaves the queue: counts move by one, drift stays
    with store.transaction() as tx:
        tx.conn.execute(update(T.tickets).where(T.tickets.c.id == t.id).values(status="cancelled"))
        tx.conn.execute(update(T.counters).where(T.counters.c.code == "8").values(current_ticket_id=t.id))
    report = queue.doctor()
    assert not report.ok and not report.repaired
    assert {str(d) for d in report.drift} == {
        "waiting ktp: stored 4, rows say 1",
        "waiting kk: stored 1, rows say 0",
        "waiting_priority kk: stored 1, rows say 0",
        f"counter 8 holds ticket {t.id}, which is not at a counter",
    }
    fixed = queue.doctor(repair=True)
    assert fixed.repaired and len(fixed.drift) == 4
    assert queue.doctor().ok
    assert [e.type for e in queue.events_after(0)][-1] == "repaired"


def test_mpp_doctor_reports_and_repairs(cli):  # noqa: F811
    assert cli("issue", "ktp")[0] == 0
    day = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    s = SqlStore(cli.url)
    with s.transaction() as tx:
        tx.set_waiting_count(day, "ktp", False, 3)
    s.dispose()
    rc, out, err = cli("doctor")
    assert rc == 1 and "waiting ktp: stored 3, rows say 1" in out and "--repair" in out, (out, err)
    rc, out, err = cli("--json", "doctor", "--repair")
    assert rc == 0 and json.loads(out)["repaired"] is True, err
    rc, out, _ = cli("doctor")
    assert rc == 0 and "match" in out
