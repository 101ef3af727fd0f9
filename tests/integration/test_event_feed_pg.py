"""The event feed on PostgreSQL without a hall-wide lock (issue 11): a reader never skips an
event that commits late. Forced interleavings on separate connections, in one thread and in
an explicit order: a writer holds its transaction open while another commits, and the reader
reads in between (antrian.storage.sql_tx explains the horizon these tests check)."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timezone

import psycopg
import pytest
from sqlalchemy.engine import make_url

from antrian.domain.model import Event
from antrian.storage.db import SqlStore, normalise_url, upgrade

pytestmark = pytest.mark.pg

AT = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def stores(pg_url):
    upgrade(pg_url)
    made = [SqlStore(pg_url) for _ in range(3)]  # writer A, writer B, the reader: 3 connections
    yield made
    for s in made:
        s.dispose()


def _event(kind: str) -> Event:
    return Event(type=kind, at=AT, payload={"by": kind})


class Reader:
    """A display's feed: a cursor that only moves forward."""

    def __init__(self, store: SqlStore):
        self.store = store
        self.after = 0
        self.seen: list[int] = []

    def poll(self) -> list[int]:
        with self.store.read() as tx:
            got = [e.id for e in tx.events_after(self.after)]
        if got:
            self.after = got[-1]
        self.seen.extend(got)
        return got


def test_a_later_commit_is_not_returned_past_an_open_writer(stores):
    a_store, b_store, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as a_open:
        a = a_open.enter_context(a_store.transaction())
        a_id = a.append_event(_event("A"))  # A writes first and stays open
        with b_store.transaction() as b:
            b_id = b.append_event(_event("B"))  # B writes later and commits
        assert b_id > a_id  # B's transaction came later, so its id does too
        assert reader.poll() == []  # B is committed, but A's earlier event could still commit
        with r_store.read() as tx:
            assert tx.last_event_id() < a_id  # a new reader would not start past A either
    # A committed: the reader gets both, in order, nothing skipped
    assert reader.poll() == [a_id, b_id]
    assert reader.poll() == []
    with r_store.read() as tx:
        assert tx.last_event_id() == b_id


def test_a_writer_that_began_first_but_appends_last(stores):
    """B takes its transaction id first (it locks its counter), then A appends and stays open,
    then B appends and commits: B's event is older than A's by id, so the reader may have it at
    once; A's comes after it when A commits."""
    a_store, b_store, r_store = stores
    reader = Reader(r_store)
    with ExitStack() as b_open:
        b = b_open.enter_context(b_store.transaction())
        b.lock_counter("1")  # B has its xid now
        with ExitStack() as a_open:
            a = a_open.enter_context(a_store.transaction())
            a_id = a.append_event(_event("A"))
            b_id = b.append_event(_event("B"))
            b_open.close()  # B commits while A is still open
            assert b_id < a_id
            assert reader.poll() == [b_id]  # safe: nothing can commit below it any more
            assert reader.poll() == []
        # A committed
    assert reader.poll() == [a_id]
    assert reader.seen == [b_id, a_id] and reader.seen == sorted(reader.seen)


def test_a_rolled_back_writer_releases_the_feed(stores):
    a_store, b_store, r_store = stores
    reader = Reader(r_store)
    with pytest.raises(RuntimeError):
        with a_store.transaction() as a:
            a.append_event(_event("A"))
            with b_store.transaction() as b:
                b_id = b.append_event(_event("B"))
            assert reader.poll() == []
            raise RuntimeError("A fails")
    assert reader.poll() == [b_id]


def test_a_transaction_in_another_database_does_not_hold_the_feed(stores, pg_admin_url):
    """The horizon counts only this database's writers (pg_snapshot_xmin alone would wait for
    every transaction on the server)."""
    _, b_store, r_store = stores
    reader = Reader(r_store)
    dsn = make_url(normalise_url(pg_admin_url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as other:  # the admin database, not the hall's
        other.execute("SELECT pg_current_xact_id()")  # holds an xid, transaction left open
        with b_store.transaction() as b:
            b_id = b.append_event(_event("B"))
        assert reader.poll() == [b_id]
        other.rollback()


def test_many_writers_interleaved_the_reader_sees_each_event_once_in_order(stores):
    """Three writers open at once, committing in the reverse order of their appends; the reader
    polls after every step, gets nothing while the oldest is open, then every event once."""
    a_store, b_store, r_store = stores
    c_store = SqlStore(a_store.url)
    try:
        reader = Reader(r_store)
        ids = []
        with ExitStack() as c_open:
            c = c_open.enter_context(c_store.transaction())
            ids.append(c.append_event(_event("C")))
            assert reader.poll() == []
            with ExitStack() as b_open:
                b = b_open.enter_context(b_store.transaction())
                ids.append(b.append_event(_event("B")))
                assert reader.poll() == []
                with a_store.transaction() as a:
                    ids.append(a.append_event(_event("A")))
                assert reader.poll() == []  # A committed; B and C (older) are still open
            assert reader.poll() == []  # B committed; C is still open
        assert reader.poll() == sorted(ids)  # C committed: all three, in order
        assert reader.seen == sorted(ids)
    finally:
        c_store.dispose()
