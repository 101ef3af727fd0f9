"""The queue service on the real SQL store, on SQLite and (with MPP_TEST_PG_URL) PostgreSQL.

Every test gets a fresh database (the ``store``/``queue`` fixtures of tests/conftest.py), the
small test hall and a FakeClock that starts on Wednesday 2026-11-25 09:00 in Jakarta.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert, text

from antrian.domain.errors import (
    BadTicketRef,
    CounterBusy,
    InvalidTransition,
    NoCurrentTicket,
    NothingWaiting,
    QuotaFull,
    SchemaMissing,
    ServiceClosed,
    StoreUnavailable,
    TicketNotFound,
    TooManyRecalls,
)
from antrian.domain.model import Status
from antrian.services.queue import QueueService
from antrian.storage import tables as T
from antrian.storage.db import SqlStore, SqlTx, upgrade

WED = date(2026, 11, 25)


# ------------------------------------------------------------------------------------ helpers


def sql(store, query: str, **params) -> list[dict]:
    with store.raw_engine().connect() as conn:
        rows = [dict(r) for r in conn.execute(text(query), params).mappings()]
        conn.rollback()
    return rows


def counts(store) -> tuple[int, int]:
    row = sql(store, "SELECT (SELECT count(*) FROM tickets) AS t, (SELECT count(*) FROM events) AS e")[0]
    return row["t"], row["e"]


def all_events(store):
    with store.read() as tx:
        return tx.events_after(0, 100_000)


def last_id(queue) -> int:
    return queue.last_event_id()


def new_events(queue, after: int):
    return queue.events_after(after, 1000)


def ticket(store, ticket_id: int):
    with store.read() as tx:
        return tx.get_ticket(ticket_id)


# ------------------------------------------------------------------------------------ numbering


def test_numbers_per_prefix_start_at_one_and_count_up(queue):
    got = [queue.issue(s).ticket for s in ("ktp", "kk", "pdam-bayar", "ktp", "pdam-bayar", "kk")]
    assert [t.number for t in got] == ["K-001", "K-002", "P-001", "K-003", "P-002", "K-004"]
    assert [t.seq for t in got] == [1, 2, 1, 3, 2, 4]
    assert all(t.service_day == WED and t.status == Status.WAITING for t in got)
    assert len({t.token for t in got}) == 6
    assert got[0].token.startswith("MPP-20261125-K001-")


def test_issue_reports_people_ahead_and_eta(queue, clock):
    a = queue.issue("ktp")
    assert (a.ahead, a.eta_minutes) == (0, 0)
    b = queue.issue("ktp")
    assert b.ahead == 1 and b.eta_minutes == 10  # 1 x 10 min default / no open counter -> 1
    queue.open_counter("7")
    queue.open_counter("8")
    c = queue.issue("ktp")
    assert c.ahead == 2 and c.eta_minutes == 10  # 2 x 10 / 2 counters
    p = queue.issue("ktp", priority="lansia")
    assert p.ahead == 0  # only priority tickets are ahead of a priority ticket
    assert queue.issue("kk").ahead == 0  # per service


def test_new_service_day_restarts_numbers_and_expires_yesterdays_open_tickets(queue, store, clock):
    waiting = queue.issue("ktp").ticket
    called = queue.issue("ktp").ticket
    serving = queue.issue("kk").ticket
    parked = queue.issue("pdam-bayar").ticket
    done = queue.issue("pdam-bayar").ticket
    queue.call_number("7", called.number)
    queue.call_number("8", serving.number)
    queue.start("8")
    queue.call_number("3", parked.number)
    queue.park("3")
    queue.call_number("4", done.number)
    queue.finish("4")
    before = last_id(queue)

    clock.t = datetime(2026, 11, 25, 17, 30, tzinfo=timezone.utc)  # Thursday 00:30 in Jakarta
    first = queue.issue("ktp").ticket
    assert first.number == "K-001" and first.service_day == date(2026, 11, 26)
    for t, want in ((waiting, "expired"), (called, "expired"), (serving, "expired"), (parked, "expired"),
                    (done, "done")):
        assert ticket(store, t.id).status.value == want, t.number
    evs = new_events(queue, before)
    assert evs[0].type == "day_rollover"
    assert evs[0].payload == {"day": "2026-11-26", "expired": 4}
    assert [e.type for e in evs[1:]] == ["issued"]
    # counters start the day empty and closed, with a fresh priority streak
    for st in queue.status().counters:
        assert st.ticket is None and st.state.current_ticket_id is None
        assert st.state.status.value == "closed" and st.state.priority_streak == 0
    # yesterday's parked ticket cannot be called back today, by number or by its QR code
    with pytest.raises(TicketNotFound):
        queue.unpark("3", parked.number)
    with pytest.raises(InvalidTransition, match="expired"):
        queue.unpark("3", parked.token)
    with pytest.raises(TicketNotFound, match="was for 2026-11-25"):
        queue.call_number("3", parked.token)
    assert queue.issue("pdam-bayar").ticket.number == "P-001"


def test_rollover_happens_once_and_only_on_the_new_day(queue, store, clock):
    queue.issue("ktp")
    queue.issue("ktp")
    clock.advance(hours=20)  # Thursday 05:00
    queue.issue("kk")
    queue.issue("kk")
    queue.status()
    assert [e.type for e in all_events(store)].count("day_rollover") == 2  # first use + Thursday


def test_rollover_that_is_rolled_back_with_a_failed_action_is_redone_later(queue, store, clock):
    queue.issue("ktp")
    clock.advance(days=1)
    with pytest.raises(NothingWaiting):
        queue.call_next("7")  # rolls over, then fails: the whole transaction is undone
    assert [e.type for e in all_events(store)].count("day_rollover") == 1
    queue.issue("kk")
    assert [e.type for e in all_events(store)].count("day_rollover") == 2
    assert sql(store, "SELECT status FROM tickets ORDER BY id")[0]["status"] == "expired"


def test_day_rollover_event_uses_the_service_clock(queue, store, clock):
    queue.issue("ktp")
    clock.advance(days=1)
    queue.issue("ktp")
    roll = [e for e in all_events(store) if e.type == "day_rollover"][-1]
    assert roll.at == clock.now()


# ------------------------------------------------------------------------------ quota, hours


def test_quota_enforced(queue, store):
    queue.issue("pdam-baru")
    queue.issue("pdam-baru")
    before = counts(store)
    with pytest.raises(QuotaFull, match=r"quota for 'Pasang Baru' is full \(2/2\)"):
        queue.issue("pdam-baru")
    assert counts(store) == before
    assert queue.availability()["pdam-baru"].reason == "quota_full"
    # the other service of the agency is not affected and continues the prefix's numbers
    assert queue.issue("pdam-bayar").ticket.number == "P-003"


def test_closed_service_refused_with_next_opening(queue, store):
    queue.issue("ktp")
    before = counts(store)
    with pytest.raises(ServiceClosed) as ei:
        queue.issue("pbb")  # Mon/Tue 08:00-15:00; today is Wednesday
    assert "opens Monday 30 November 07:45" in str(ei.value)
    assert counts(store) == before
    av = queue.availability()["pbb"]
    assert av.reason == "closed" and av.opens_at.isoformat() == "2026-11-30T07:45:00+07:00"


def test_closed_service_opens_on_monday(queue, clock):
    clock.t = datetime(2026, 11, 30, 0, 45, tzinfo=timezone.utc)  # Monday 07:45 Jakarta
    assert queue.issue("pbb").ticket.number == "J-001"
    clock.t = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # Monday 15:00
    with pytest.raises(ServiceClosed, match="opens Tuesday 01 December 07:45"):
        queue.issue("pbb")


# ------------------------------------------------------------------------------ calling order


def test_call_next_oldest_first_across_the_counters_services(queue, clock):
    a = queue.issue("kk").ticket
    clock.advance(minutes=1)
    b = queue.issue("ktp").ticket
    clock.advance(minutes=1)
    c = queue.issue("kk").ticket
    got = []
    for _ in range(3):
        got.append(queue.call_next("7").id)
        queue.finish("7")
    assert got == [a.id, b.id, c.id]
    with pytest.raises(NothingWaiting):
        queue.call_next("7")


def test_counter_only_calls_its_own_services(queue):
    queue.issue("pdam-baru")
    with pytest.raises(NothingWaiting):
        queue.call_next("3")  # loket 3 serves pdam-bayar only
    assert queue.call_next("4").service_code == "pdam-baru"


def test_priority_ratio_and_max_wait_at_one_counter(queue, clock):
    normal = [queue.issue("ktp").ticket for _ in range(2)]
    clock.advance(minutes=1)
    [queue.issue("ktp", priority=g).ticket for g in ("lansia", "anak", "disabilitas", "ibu-hamil")]
    order = []
    for _ in range(6):
        t = queue.call_next("7")
        order.append("P" if t.priority else "N")
        queue.finish("7")
    assert "".join(order) == "PPNPPN"
    # an old normal ticket goes before a fresh priority one
    clock.advance(minutes=1)
    old = queue.issue("kk").ticket
    clock.advance(minutes=61)
    queue.issue("ktp", priority="lansia")
    assert queue.call_next("8").id == old.id
    assert normal  # (silence linters)


def test_busy_counter_cannot_call_again(queue):
    queue.issue("ktp")
    queue.issue("ktp")
    t = queue.call_next("7")
    with pytest.raises(CounterBusy, match=t.number):
        queue.call_next("7")


# ------------------------------------------------------------------------------ transfer


def test_transfer_keeps_number_and_arrival_and_goes_before_later_arrivals(queue, store, clock):
    k = queue.issue("ktp").ticket
    clock.advance(minutes=5)
    p1 = queue.issue("pdam-bayar").ticket
    clock.advance(minutes=5)
    called = queue.call_next("7", officer="ani")
    assert called.id == k.id
    queue.start("7", officer="ani")
    clock.advance(minutes=3)
    new = queue.transfer("7", to_service="pdam-bayar", officer="ani")

    assert new.id != k.id and new.transferred_from == k.id
    assert new.number == k.number == "K-001" and new.seq == 1 and new.prefix == "K"
    assert new.arrival_at == k.arrival_at and new.token == k.token
    assert new.status == Status.WAITING and new.service_code == "pdam-bayar" and new.agency_code == "pdam"
    old = ticket(store, k.id)
    assert old.status == Status.TRANSFERRED and old.finished_at == clock.now()
    assert queue.status().counters[[c.code for c in queue.hall.counters].index("7")].ticket is None

    assert queue.call_next("3").id == new.id  # arrived at 09:00, before P-001 (09:05)
    queue.finish("3")
    assert queue.call_next("3").id == p1.id
    # the number still finds the live ticket
    assert queue.find_ticket("K-001").id == new.id
    assert queue.find_ticket(k.token).id == new.id


def test_transfer_keeps_priority(queue):
    queue.issue("ktp", priority="lansia")
    queue.call_next("7")
    new = queue.transfer("7", to_service="kk")
    assert new.priority == "lansia"
    rows = sql(queue.store, "SELECT prio FROM tickets WHERE id = :i", i=new.id)
    assert rows[0]["prio"] == 1


def test_transfer_to_a_named_counter_is_only_called_by_that_counter(queue, clock):
    queue.issue("ktp")
    clock.advance(minutes=1)
    later = queue.issue("ktp").ticket
    queue.call_next("7")
    new = queue.transfer("7", to_counter="8")
    assert new.target_counter == "8" and new.service_code == "ktp"
    evs = new_events(queue, last_id(queue) - 2)
    assert [(e.type, e.counter_code) for e in evs] == [("transferred", "7"), ("transferred_in", "8")]
    # loket 7 serves ktp too but must not take the ticket sent to loket 8
    assert queue.call_next("7").id == later.id
    queue.finish("7")
    with pytest.raises(NothingWaiting):
        queue.call_next("7")
    assert queue.call_next("8").id == new.id


def test_transfer_to_a_counter_that_does_not_serve_the_service_is_refused(queue, store):
    queue.issue("ktp")
    queue.call_next("7")
    before = counts(store)
    with pytest.raises(InvalidTransition, match="does not serve"):
        queue.transfer("7", to_service="ktp", to_counter="3")
    assert counts(store) == before
    # without --to-service a named counter picks one of its own services
    new = queue.transfer("7", to_counter="3")
    assert new.service_code == "pdam-bayar" and new.target_counter == "3"


def test_transfer_needs_a_ticket_at_the_counter(queue):
    with pytest.raises(NoCurrentTicket):
        queue.transfer("7", to_service="kk")


# ------------------------------------------------------------------------------ park, call-number


def test_park_and_unpark(queue, store):
    a = queue.issue("ktp").ticket
    b = queue.issue("ktp").ticket
    queue.call_next("7", officer="ani")
    parked = queue.park("7", officer="ani")
    assert parked.status == Status.PARKED
    assert ticket(store, a.id).counter_code == "7"
    assert queue.call_next("7").id == b.id  # the counter is free again
    with pytest.raises(CounterBusy):
        queue.unpark("7", a.number)
    queue.finish("7")
    _, _, parked_list = queue.counter_view("7")
    assert [t.id for t in parked_list] == [a.id]
    back = queue.unpark("7", a.number, officer="ani")
    assert back.id == a.id and back.status == Status.CALLED and back.counter_code == "7"
    assert new_events(queue, last_id(queue) - 1)[0].type == "unparked"
    with pytest.raises(InvalidTransition):
        queue.unpark("8", a.number)  # no longer parked


def test_call_number_by_number_token_and_url(queue, store):
    t1 = queue.issue("ktp").ticket
    t2 = queue.issue("kk").ticket
    t3 = queue.issue("ktp").ticket
    assert queue.call_number("7", "k2").id == t2.id
    queue.finish("7")
    assert queue.call_number("7", t3.token.lower()).id == t3.id
    queue.finish("7")
    assert queue.call_number("8", f"https://mpp.example.go.id/t/{t1.token}").id == t1.id
    assert [e.type for e in all_events(store)].count("called_number") == 3
    with pytest.raises(InvalidTransition, match="not waiting"):
        queue.call_number("7", "K-001")


def test_call_number_errors(queue, store):
    queue.issue("ktp")
    queue.issue("pdam-bayar")
    before = counts(store)
    with pytest.raises(BadTicketRef):
        queue.call_number("7", "hello")
    with pytest.raises(TicketNotFound, match="K-099"):
        queue.call_number("7", "K-99")
    with pytest.raises(TicketNotFound):
        queue.call_number("7", "MPP-20261125-K001-ZZZZZZ")
    with pytest.raises(InvalidTransition, match="does not serve"):
        queue.call_number("7", "P-001")
    assert counts(store) == before


def test_call_number_of_a_parked_ticket_calls_it_back(queue):
    a = queue.issue("ktp").ticket
    queue.call_next("7")
    queue.park("7")
    assert queue.call_number("8", a.number).status == Status.CALLED
    assert new_events(queue, last_id(queue) - 1)[0].type == "unparked"


# ------------------------------------------------------------------------------ recall, cancel


def test_recall_limit(queue, hall, store):
    queue.issue("ktp")
    queue.call_next("7")
    assert hall.max_recalls == 3
    for n in range(1, hall.max_recalls + 1):
        assert queue.recall("7").recall_count == n
    before = counts(store)
    with pytest.raises(TooManyRecalls, match="mark it no-show"):
        queue.recall("7")
    assert counts(store) == before
    t = queue.no_show("7")
    assert t.status == Status.NO_SHOW and t.recall_count == 3


def test_recall_of_a_serving_ticket_is_refused(queue):
    queue.issue("ktp")
    queue.call_next("7")
    queue.start("7")
    with pytest.raises(InvalidTransition):
        queue.recall("7")
    with pytest.raises(InvalidTransition):
        queue.no_show("7")


def test_cancel_releases_the_counter(queue, store):
    a = queue.issue("ktp").ticket
    queue.call_next("7")
    t = queue.cancel(a.number, officer="spv", reason="double")
    assert t.status == Status.CANCELLED
    e = new_events(queue, last_id(queue) - 1)[0]
    assert (e.type, e.counter_code, e.officer, e.payload) == ("cancelled", "7", "spv", {"reason": "double"})
    queue.issue("ktp")
    queue.call_next("7")  # not busy any more
    with pytest.raises(InvalidTransition):
        queue.cancel(a.number)


def test_close_counter_with_force_requeues_its_ticket(queue):
    a = queue.issue("ktp").ticket
    queue.call_next("7")
    with pytest.raises(CounterBusy):
        queue.close_counter("7")
    st = queue.close_counter("7", force=True)
    assert st.status.value == "closed" and st.current_ticket_id is None
    again = queue.call_next("8")
    assert again.id == a.id and again.arrival_at == a.arrival_at


def test_actions_return_tickets_with_a_status_enum(queue):
    queue.issue("ktp")
    queue.issue("ktp")
    queue.issue("ktp")
    results = [queue.call_next("7"), queue.recall("7"), queue.start("7"), queue.park("7"),
               queue.unpark("7", "K-001"), queue.finish("7"), queue.call_number("7", "K-002"),
               queue.no_show("7"), queue.cancel("K-003"), queue.issue("kk").ticket]
    queue.call_next("8")
    results.append(queue.transfer("8", to_service="pdam-bayar"))
    bad = [(t.number, type(t.status).__name__) for t in results if not isinstance(t.status, Status)]
    assert bad == []


# ------------------------------------------------------------------------------ events


def test_every_action_appends_exactly_one_event_with_officer_and_counter(queue, store, clock):
    queue.open_counter("7", officer="ani")
    queue.open_counter("3", officer="budi")
    steps = [
        (lambda: queue.issue("ktp", officer="kiosk1"), "issued", None, "kiosk1"),
        (lambda: queue.issue("ktp"), "issued", None, None),
        (lambda: queue.issue("kk", priority="lansia"), "issued", None, None),
        (lambda: queue.call_next("7", officer="ani"), "called", "7", "ani"),
        (lambda: queue.recall("7", officer="ani"), "recalled", "7", "ani"),
        (lambda: queue.start("7", officer="ani"), "started", "7", "ani"),
        (lambda: queue.park("7", officer="ani"), "parked", "7", "ani"),
        (lambda: queue.call_number("7", "K-002", officer="ani"), "called_number", "7", "ani"),
        (lambda: queue.finish("7", officer="ani"), "finished", "7", "ani"),
        (lambda: queue.unpark("7", "K-003", officer="ani"), "unparked", "7", "ani"),
        (lambda: queue.no_show("7", officer="ani"), "no_show", "7", "ani"),
        (lambda: queue.call_next("7", officer="ani"), "called", "7", "ani"),
        (lambda: queue.finish("7", officer="ani"), "finished", "7", "ani"),
        (lambda: queue.issue("pdam-bayar"), "issued", None, None),
        (lambda: queue.cancel("P-001", officer="spv"), "cancelled", None, "spv"),
        (lambda: queue.pause_counter("7", "sholat", officer="ani"), "counter_paused", "7", "ani"),
        (lambda: queue.open_counter("7", officer="ani"), "counter_opened", "7", "ani"),
        (lambda: queue.close_counter("7", officer="ani"), "counter_closed", "7", "ani"),
    ]
    # K-001 issued first; K-002/K-003: the park/call-number/unpark dance above uses them in turn
    for i, (action, type_, counter, officer) in enumerate(steps):
        clock.advance(seconds=30)
        before = last_id(queue)
        result = action()
        evs = new_events(queue, before)
        assert len(evs) == 1, (i, type_, [e.type for e in evs])
        e = evs[0]
        assert (e.type, e.counter_code, e.officer) == (type_, counter, officer), i
        assert e.at == clock.now()
        if hasattr(result, "number"):
            assert e.ticket_id == result.id and e.number == result.number
            assert e.service_code == result.service_code


def test_call_at_a_closed_counter_opens_it_with_its_own_event(queue):
    queue.issue("ktp")
    before = last_id(queue)
    queue.call_next("7", officer="ani")
    evs = new_events(queue, before)
    assert [(e.type, e.counter_code, e.officer) for e in evs] == [("counter_opened", "7", "ani"),
                                                                   ("called", "7", "ani")]


def test_transfer_appends_one_event_per_ticket_changed(queue):
    queue.issue("ktp")
    old = queue.call_next("7", officer="ani")
    before = last_id(queue)
    new = queue.transfer("7", to_service="pdam-bayar", officer="ani")
    evs = new_events(queue, before)
    assert [(e.type, e.ticket_id, e.counter_code, e.officer) for e in evs] == [
        ("transferred", old.id, "7", "ani"), ("transferred_in", new.id, None, "ani")]
    assert evs[0].payload["to_ticket"] == new.id and evs[0].payload["to_service"] == "pdam-bayar"


def test_events_after_in_id_order_with_limit(queue):
    for _ in range(12):
        queue.issue("kk")
    evs = queue.events_after(0, 1000)
    ids = [e.id for e in evs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    if queue.store.dialect == "sqlite":  # PostgreSQL: a sequence, gaps where a writer rolled back
        assert ids == list(range(ids[0], ids[0] + len(ids)))  # no gaps
    assert [e.id for e in queue.events_after(ids[3], 4)] == ids[4:8]
    assert queue.events_after(ids[-1]) == []
    assert queue.last_event_id() == ids[-1]
    issued = [e for e in evs if e.type == "issued"]
    assert [e.payload["seq"] for e in issued] == list(range(1, 13))


# ------------------------------------------------------------------------------ failures


def test_failed_transaction_leaves_no_ticket_and_does_not_consume_the_number(queue, store, monkeypatch):
    store.server_calls = False  # the fault is the plain path's (the functions': test_server_functions)
    queue.issue("pdam-baru")  # quota 2: one left
    before = counts(store)
    real = SqlTx.append_event

    def boom(self, e):
        if e.type == "issued":
            raise RuntimeError("disk on fire")
        return real(self, e)

    monkeypatch.setattr(SqlTx, "append_event", boom)
    with pytest.raises(RuntimeError):
        queue.issue("pdam-baru")
    with pytest.raises(RuntimeError):
        queue.issue("pdam-bayar")
    assert counts(store) == before
    monkeypatch.setattr(SqlTx, "append_event", real)
    # the number and the quota place were not used up
    t = queue.issue("pdam-baru").ticket
    assert t.number == "P-002"
    with pytest.raises(QuotaFull, match=r"\(2/2\)"):
        queue.issue("pdam-baru")


def test_failed_call_leaves_the_ticket_waiting(queue, store, monkeypatch):
    t = queue.issue("ktp").ticket
    real = SqlTx.append_event

    def boom(self, e):
        if e.type == "called":
            raise RuntimeError("power cut")
        return real(self, e)

    monkeypatch.setattr(SqlTx, "append_event", boom)
    with pytest.raises(RuntimeError):
        queue.call_next("7")
    monkeypatch.setattr(SqlTx, "append_event", real)
    assert ticket(store, t.id).status == Status.WAITING
    st = [c for c in queue.status().counters if c.code == "7"][0]
    assert st.state.current_ticket_id is None and st.state.status.value == "closed"
    assert queue.call_next("8").id == t.id


def test_unreachable_postgres_is_store_unavailable(hall, clock):
    s = SqlStore("postgresql://nobody@127.0.0.1:1/x")
    q = QueueService(hall, s, clock)
    try:
        with pytest.raises(StoreUnavailable) as ei:
            q.issue("ktp")
        msg = str(ei.value)
        assert "\n" not in msg
        assert "127.0.0.1:1/x" in msg and "cannot use the database" in msg and "MPP_DB_URL" in msg
        with pytest.raises(StoreUnavailable):
            q.status()
    finally:
        s.dispose()


def test_sqlite_in_a_missing_folder_is_store_unavailable(tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(StoreUnavailable, match="does not exist") as ei:
        SqlStore(f"sqlite:///{missing / 'mpp.sqlite3'}")
    assert str(missing) in str(ei.value)
    with pytest.raises(StoreUnavailable, match="does not exist"):
        upgrade(f"sqlite:///{missing / 'mpp.sqlite3'}")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("url", ["mysql://x@localhost/db", "not a url at all"])
def test_unsupported_url_is_store_unavailable(url):
    with pytest.raises(StoreUnavailable):
        SqlStore(url)


@pytest.mark.pg
def test_postgres_without_tables_is_schema_missing(pg_url, hall, clock):
    s = SqlStore(pg_url)  # auto_upgrade is off for PostgreSQL
    try:
        with pytest.raises(SchemaMissing, match=r"no Antrian MPP tables: run `mpp db upgrade`"):
            QueueService(hall, s, clock).issue("ktp")
    finally:
        s.dispose()
    upgrade(pg_url)
    s = SqlStore(pg_url)
    try:
        assert QueueService(hall, s, clock).issue("ktp").ticket.number == "K-001"
    finally:
        s.dispose()


def test_sqlite_without_tables_and_auto_upgrade_off_is_schema_missing(tmp_path, hall, clock):
    s = SqlStore(f"sqlite:///{tmp_path / 'empty.sqlite3'}", auto_upgrade=False)
    try:
        with pytest.raises(SchemaMissing):
            QueueService(hall, s, clock).issue("ktp")
    finally:
        s.dispose()


# ------------------------------------------------------------------------------ call-next cost


def _fill_waiting(store, first: int, n: int, day: date, at: datetime) -> None:
    rows = [
        dict(service_day=day, prefix="K", seq=i, number=f"K-{i:03d}", service_code=("ktp", "kk")[i % 2],
             agency_code="dukcapil", priority=None, prio=0,
             status="waiting", issued_at=at + timedelta(seconds=i), arrival_at=at + timedelta(seconds=i),
             token=f"MPP-{day:%Y%m%d}-K{i:03d}-AAAAAA", recall_count=0)
        for i in range(first, first + n)
    ]
    with store.raw_engine().begin() as conn:
        conn.execute(insert(T.tickets), rows)


def _statements_per_call(queue, store, calls: int = 3) -> list[int]:
    per_call = []
    stmts: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        stmts.append(statement)

    engine = store.raw_engine()
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(calls):
            stmts.clear()
            queue.call_next("7")
            per_call.append(len(stmts))
            queue.finish("7")
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    return per_call


def test_call_next_statement_count_is_the_same_with_5_and_5000_waiting(queue, store, clock):
    queue.open_counter("7")  # the day's first action (the rollover) is not measured
    start = clock.now() - timedelta(hours=1)
    _fill_waiting(store, 1, 3 + 5, WED, start)  # 5 left after the 3 measured calls
    small = _statements_per_call(queue, store)
    assert sql(store, "SELECT count(*) AS n FROM tickets WHERE status = 'waiting'")[0]["n"] == 5
    _fill_waiting(store, 100, 4995, WED, start)
    big = _statements_per_call(queue, store)
    assert sql(store, "SELECT count(*) AS n FROM tickets WHERE status = 'waiting'")[0]["n"] == 4997
    assert len(set(small)) == 1 and small == big, (small, big)


def test_call_next_query_is_an_index_search(queue, store, clock):
    """O(log n): the database answers call-next's query by walking ix_tickets_waiting, with no
    table scan and no sort (EXPLAIN on SQLite and PostgreSQL)."""
    queue.issue("pdam-bayar")
    _fill_waiting(store, 1, 3000, WED, clock.now() - timedelta(hours=1))
    captured = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "FROM tickets" in statement and "ORDER BY" in statement and "LIMIT" in statement:
            captured.append((statement, parameters))

    engine = store.raw_engine()
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        queue.call_next("7")
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    assert len(captured) == 1  # one statement: (ktp, kk) x (priority, normal), each an index probe
    with engine.connect() as conn:
        if store.dialect == "sqlite":
            for statement, params in captured:
                plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
                assert "USING INDEX ix_tickets_waiting" in plan, plan
                assert "TEMP B-TREE" not in plan, plan
        else:
            conn.exec_driver_sql("ANALYZE tickets")
            for statement, params in captured:
                plan = " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
                assert "ix_tickets_waiting" in plan, plan
                assert "Seq Scan" not in plan, plan
                # the locking read sorts only its window (CANDIDATE_WINDOW per line, by primary key)
                assert "Sort" not in plan or ("LockRows" in plan and "tickets_pkey" in plan), plan
        conn.rollback()
