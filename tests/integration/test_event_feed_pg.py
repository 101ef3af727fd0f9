"""The event feed on PostgreSQL without a hall-wide lock: a reader never skips an event that
commits late, never hands one over twice, always in id order, and a ticket's events come in the
order its changes happened. Forced interleavings on separate connections, in one thread and in an
explicit order: writers hold their transactions open (before or after their events are written,
``before_commit``) while others commit, and the reader reads in between (antrian.storage.sql_tx
explains the scheme: shared locks keyed by the sequence, a reader bound below them). Two writers
hold their written events open at once in several tests: under the old exclusive event lock the
second would wait for the first."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from antrian.domain.model import Event
from antrian.storage.db import SqlStore, upgrade

pytestmark = pytest.mark.pg

AT = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def stores(pg_url):
    upgrade(pg_url)
    made = [SqlStore(pg_url) for _ in range(4)]  # writers A, B, C and the reader
    yield made
    for s in made:
        s.dispose()


def _event(kind: str) -> Event:
    return Event(type="note", at=AT, payload={"by": kind})


class Reader:
    """A display's feed: a cursor that only moves forward."""

    def __init__(self, store: SqlStore):
        self.store = store
        self.after = 0
        self.seen: list[str] = []
        self.ids: list[int] = []

    def poll(self, limit: int = 500) -> list[str]:
        with self.store.read() as tx:
            got = tx.events_after(self.after, limit)
        ids = [e.id or 0 for e in got]
        assert ids == sorted(ids) and all(i > self.after for i in ids)  # id order, never back
        self.ids.extend(ids)
        if got:
            self.after = got[-1].id or 0
        names = [str(e.payload["by"]) for e in got]
        self.seen.extend(names)
        return names


def test_a_writer_held_open_is_not_skipped_when_a_later_one_commits(stores):
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as a_open:
        a = a_open.enter_context(a_store.transaction())
        a.append_event(_event("A"))  # A appends first and stays open
        with b_store.transaction() as b:
            b.append_event(_event("B"))  # B appends later and commits
        assert reader.poll() == ["B"]  # the reader moves past B ...
    assert reader.poll() == ["A"]  # ... and still gets A, which committed after it
    assert reader.seen == ["B", "A"]


def test_an_action_that_read_a_commit_comes_after_it_even_if_its_transaction_began_first(stores):
    """The chaos run's case: B (a counter calling) began and wrote before A (the kiosk issuing)
    committed, then read A's ticket and appended its call. The call must follow the issue."""
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as b_open:
        b = b_open.enter_context(b_store.transaction())
        b.conn.execute(text("SELECT value FROM meta WHERE key = 'service_day' FOR SHARE"))  # B has an xid now
        with a_store.transaction() as a:
            a.append_event(_event("issued"))
        b.append_event(_event("called"))  # after B saw A's commit
    assert reader.poll() == ["issued", "called"]


def test_a_rolled_back_writer_leaves_no_event_and_holds_nothing(stores):
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with pytest.raises(RuntimeError):
        with a_store.transaction() as a:
            a.append_event(_event("A"))
            raise RuntimeError("roll back")
    with b_store.transaction() as b:
        b.append_event(_event("B"))
    assert reader.poll() == ["B"]


def test_writers_committing_in_reverse_order_are_read_in_commit_order_each_once(stores):
    a_store, b_store, c_store, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as open_a, ExitStack() as open_b:
        a = open_a.enter_context(a_store.transaction())
        a.append_event(_event("A1"))
        b = open_b.enter_context(b_store.transaction())
        b.append_event(_event("B1"))
        a.append_event(_event("A2"))
        with c_store.transaction() as c:
            c.append_event(_event("C"))
        assert reader.poll() == ["C"]
        open_b.close()  # B commits
        assert reader.poll() == ["B1"]
    assert reader.poll() == ["A1", "A2"]
    assert reader.poll() == []
    assert reader.seen == ["C", "B1", "A1", "A2"]


def _written(store: SqlStore, stack: ExitStack, *names: str, xid_first: bool = False):
    """A transaction of ``store`` held open in ``stack`` with its events appended and, unless
    ``xid_first``, already written (their ids drawn, as at commit)."""
    tx = stack.enter_context(store.transaction())
    if xid_first:
        tx.conn.execute(text("SELECT value FROM meta WHERE key = 'service_day' FOR SHARE"))  # an xid now
        return tx
    for n in names:
        tx.append_event(_event(n))
    tx.before_commit()  # the events are in the table now, uncommitted
    return tx


def _all_ids(store: SqlStore) -> list[int]:
    with store.read() as tx:
        return [int(r[0]) for r in tx.conn.execute(text("SELECT id FROM events ORDER BY id"))]


def test_a_writer_holding_written_events_holds_the_reader_below_them_until_it_commits(stores):
    a_store, b_store, c_store, r_store = stores
    reader = Reader(r_store)
    with b_store.transaction() as b0:
        b0.append_event(_event("before"))
    with ExitStack() as a_open:
        _written(a_store, a_open, "A1", "A2")  # ids drawn, not committed
        with b_store.transaction() as b:
            b.append_event(_event("B"))  # a larger id, committed
        with c_store.transaction() as c:
            c.append_event(_event("C"))
        assert reader.poll() == ["before"]  # nothing past A's ids ...
        assert reader.poll() == []  # ... however often it asks
        late = Reader(r_store)
        with r_store.read() as tx:
            late.after = tx.last_event_id()  # a reader starting now starts below A too
    assert reader.poll() == ["A1", "A2", "B", "C"]  # A committed: everything, in id order
    assert late.poll() == ["A1", "A2", "B", "C"]
    assert reader.poll() == []
    assert reader.ids == _all_ids(r_store)  # each committed event once


def test_a_writer_open_before_its_events_holds_nothing(stores):
    """The xid horizon's weakness: a transaction that took its xid early but has not written its
    events yet does not hold the feed (its ids will be drawn later, larger)."""
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as a_open:
        a = _written(a_store, a_open, xid_first=True)
        for n in ("B1", "B2"):
            with b_store.transaction() as b:
                b.append_event(_event(n))
        assert reader.poll() == ["B1", "B2"]
        a.append_event(_event("A"))
    assert reader.poll() == ["A"]
    assert reader.ids == _all_ids(r_store)


def test_ids_drawn_against_xid_order_with_a_third_writer_open_skip_nothing(stores):
    """A takes its xid first, B and C later; B draws its ids first, then A, then C; A commits
    first, C stays open longest. Nothing is skipped, nothing handed over twice, id order."""
    a_store, b_store, c_store, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as a_open, ExitStack() as b_open, ExitStack() as c_open:
        a = _written(a_store, a_open, xid_first=True)
        b = _written(b_store, b_open, xid_first=True)
        c = _written(c_store, c_open, xid_first=True)
        for tx, name in ((b, "B"), (a, "A"), (c, "C")):  # ids: B < A < C, xids: A < B < C
            tx.append_event(_event(name))
            tx.before_commit()
        a_open.close()  # A commits first
        assert reader.poll() == []  # B's smaller id is still open
        b_open.close()
        assert reader.poll() == ["B", "A"]  # C still open
        assert reader.poll() == []
    assert reader.poll() == ["C"]
    assert reader.ids == _all_ids(r_store) and len(set(reader.ids)) == 3


def test_the_limit_cuts_in_id_order_and_never_past_an_open_writer(stores):
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with b_store.transaction() as b:
        for n in ("1", "2", "3"):
            b.append_event(_event(n))
    with ExitStack() as a_open:
        _written(a_store, a_open, "A")
        with b_store.transaction() as b:
            b.append_event(_event("4"))
        assert reader.poll(limit=2) == ["1", "2"]
        assert reader.poll(limit=2) == ["3"]  # the open writer's id is the edge
        assert reader.poll(limit=2) == []
    assert reader.poll(limit=1) == ["A"]
    assert reader.poll(limit=1) == ["4"]
    assert reader.ids == _all_ids(r_store)


def test_a_writer_rolled_back_after_its_events_were_written_leaves_a_gap_and_holds_nothing(stores):
    a_store, b_store, _, r_store = stores
    reader = Reader(r_store)
    with pytest.raises(RuntimeError):
        with ExitStack() as a_open:
            _written(a_store, a_open, "A")
            raise RuntimeError("roll back")
    with b_store.transaction() as b:
        b.append_event(_event("B"))
    assert reader.poll() == ["B"]
    with r_store.read() as tx:
        assert tx.last_event_id() == reader.ids[-1] > 1  # id 1 was A's: a gap


def test_the_feed_refuses_a_snapshot_taken_before_its_bound(stores):
    """REPEATABLE READ would read the events in a snapshot older than the bound: refused."""
    r_store = stores[3]
    with r_store.read() as tx:
        tx.conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        with pytest.raises(RuntimeError, match="READ COMMITTED"):
            tx.events_after(0)
