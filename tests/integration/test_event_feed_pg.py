"""The event feed on PostgreSQL: ids in commit order, so a reader never skips an event that
commits late, and a ticket's events come in the order its changes happened. Forced
interleavings on separate connections, in one thread and in an explicit order: a writer holds its
transaction open while another commits, and the reader reads in between
(antrian.storage.sql_tx explains why the ids are taken at commit)."""

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

    def poll(self) -> list[str]:
        with self.store.read() as tx:
            got = tx.events_after(self.after)
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
