"""Hypothesis drives a real QueueService through random sequences of issue / call / recall /
start / finish / no-show / park / unpark / call-number / transfer / cancel / the composite
"close and call next" / counter open-pause-close and clock moves (within the day and across
midnight), keeps a plain model of what must be true, and checks the store against it after every
step. The same machine runs on the in-memory fake store (antrian.fakes), on a fresh SQLite file
and on PostgreSQL (MPP_TEST_PG_URL), so the fake answers like the real thing:

* each ticket is in exactly one state, the one the model expects;
* numbers are unique per (prefix, day) among original tickets, and run 1, 2, 3 ... without gaps;
* a counter holds at most one ticket, and ``counters.current_ticket_id`` points at a called or
  serving ticket at that counter (and every called/serving ticket is some counter's current);
* call-next picks what an independent statement of the rule picks: oldest arrival first within
  a class, priority first, a normal ticket after ``ratio`` priority calls in a row, and any ticket
  waiting ``max_wait_minutes`` first;
* no ticket is lost: every issued number is still findable, with exactly one live ticket;
* every state change appended exactly one event of the right type (ticket, counter, officer),
  with ids increasing (by one on SQLite and the fake; a PostgreSQL sequence may skip the ids of
  rolled-back transactions), and a failed action appended nothing.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from antrian.domain.errors import (
    BadTicketRef,
    CounterBusy,
    InvalidTransition,
    NoCurrentTicket,
    NothingWaiting,
    QueueError,
    QuotaFull,
    ServiceClosed,
    TicketNotFound,
    TooManyRecalls,
    UnknownPriorityGroup,
)
from antrian.domain.model import parse_ticket_ref
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from antrian.storage import tables as T
from antrian.storage.db import SqlStore, upgrade
from tests.conftest import FakeClock, make_hall

JKT = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)  # Tuesday 08:00 in Jakarta: pbb is open
LATEST_LOCAL = time(23, 30)  # the test hall's services close at 23:59
OPEN = ("waiting", "called", "serving", "parked")
AT_COUNTER = ("called", "serving")
OFFICERS = ("ani", "budi")
PRIORITIES = (None, None, None, "lansia", "disabilitas", "ibu-hamil", "anak", "vip")

HALL = make_hall()
SERVICES = tuple(s.code for s in HALL.services)
COUNTERS = tuple(c.code for c in HALL.counters)
RATIO = HALL.priority.ratio
MAX_WAIT = timedelta(minutes=HALL.priority.max_wait_minutes)
PARTNER = {"7": "8", "8": "7", "3": "4", "4": "3"}  # counters sharing a service



def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=80,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# examples per backend: the fake is cheap, the databases keep the suite fast with fewer
EXAMPLES = {"fake": 150, "sqlite": 40, "pg": 20}


@dataclass
class MTicket:
    id: int
    day: date
    prefix: str
    seq: int
    number: str
    token: str
    service: str
    priority: str | None
    arrival: datetime
    status: str = "waiting"
    counter: str | None = None
    target: str | None = None
    recalls: int = 0
    transferred_from: int | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None


@dataclass
class MCounter:
    current: int | None = None
    streak: int = 0
    status: str = "closed"


class Expect(Exception):
    """Raised by a prediction: the action must fail with this QueueError subclass."""

    def __init__(self, exc: type[QueueError]):
        self.exc = exc


# ---------------------------------------------------------------------------------- backends
# Each gives a fresh store per example and reads back what is stored, in one shape:
#   tickets(): (id, day, prefix, seq, number, service, priority, prio, status, arrival, counter,
#               target, recalls, transferred_from, token) by id
#   counters(): {code: (current_ticket_id, priority_streak, status)} for the counters written
#   events_after(id): [(id, type, ticket_id, counter_code, officer, payload)] by id


class FakeBackend:
    gapless_ids = True

    def open(self):
        store = FakeStore()
        return store, FakeInspector(store), lambda: None


class FakeInspector:
    def __init__(self, store: FakeStore):
        self.store = store

    def tickets(self) -> list[tuple]:
        s = self.store.snapshot().s
        return [(t.id, t.service_day, t.prefix, t.seq, t.number, t.service_code, t.priority,
                 1 if t.priority else 0, t.status.value, t.arrival_at, t.counter_code, t.target_counter,
                 t.recall_count, t.transferred_from, t.token) for t in sorted(s.tickets.values(), key=lambda t: t.id)]

    def counters(self) -> dict[str, tuple]:
        s = self.store.snapshot().s
        return {c.code: (c.current_ticket_id, c.priority_streak, c.status.value) for c in s.counters.values()}

    def events_after(self, after: int) -> list[tuple]:
        return [(e.id, e.type, e.ticket_id, e.counter_code, e.officer, e.payload)
                for e in self.store.snapshot().events_after(after, 100_000)]


class SqlInspector:
    def __init__(self, url: str):
        from sqlalchemy import create_engine

        from antrian.storage.db import normalise_url

        self.engine = create_engine(normalise_url(url))

    def _rows(self, query) -> list:
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
            conn.rollback()
        return rows

    def tickets(self) -> list[tuple]:
        from sqlalchemy import select

        c = T.tickets.c
        return [tuple(r) for r in self._rows(
            select(c.id, c.service_day, c.prefix, c.seq, c.number, c.service_code, c.priority, c.prio, c.status,
                   c.arrival_at, c.counter_code, c.target_counter, c.recall_count, c.transferred_from, c.token)
            .order_by(c.id))]

    def counters(self) -> dict[str, tuple]:
        from sqlalchemy import select

        c = T.counters.c
        return {r[0]: (r[1], r[2], r[3]) for r in self._rows(
            select(c.code, c.current_ticket_id, c.priority_streak, c.status))}

    def events_after(self, after: int) -> list[tuple]:
        from sqlalchemy import select

        c = T.events.c
        return [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in self._rows(
            select(c.id, c.type, c.ticket_id, c.counter_code, c.officer, c.payload)
            .where(c.id > after).order_by(c.id))]

    def dispose(self) -> None:
        self.engine.dispose()


class SqliteBackend:
    """A copy of a migrated template file per example (in RAM when /dev/shm exists)."""

    gapless_ids = True

    def __init__(self, template: Path, workdir: Path):
        self.template, self.workdir = template, workdir

    def open(self):
        folder = Path(tempfile.mkdtemp(prefix="mpp-lifecycle-", dir=self.workdir))
        path = folder / "mpp.sqlite3"
        shutil.copyfile(self.template, path)
        url = f"sqlite:///{path}"
        store = SqlStore(url)
        inspector = SqlInspector(url)

        def close():
            inspector.dispose()
            store.dispose()
            shutil.rmtree(folder, ignore_errors=True)

        return store, inspector, close


class PgBackend:
    """One migrated database per test; each example starts from emptied tables."""

    gapless_ids = False  # a sequence does not give back the ids of rolled-back inserts

    def __init__(self, url: str):
        self.url = url
        self.inspector = SqlInspector(url)

    def open(self):
        from sqlalchemy import text

        with self.inspector.engine.begin() as conn:
            conn.execute(text("TRUNCATE tickets, counters, daily_counts, events, users RESTART IDENTITY CASCADE"))
            conn.execute(text("UPDATE meta SET value = '' WHERE key = 'service_day'"))
        store = SqlStore(self.url)
        return store, self.inspector, store.dispose


class LifecycleMachine(RuleBasedStateMachine):
    backend: FakeBackend | SqliteBackend | PgBackend  # set by the test function

    # ------------------------------------------------------------------ set-up / tear-down
    @initialize()
    def fresh_database(self):
        self.store, self.db, self._close = self.backend.open()
        self.clock = FakeClock(START)
        self.q = QueueService(HALL, self.store, self.clock)
        self.tickets: dict[int, MTicket] = {}
        self.seqs: dict[tuple[date, str], int] = {}
        self.issued: dict[tuple[date, str], int] = {}
        self.done: dict[tuple[date, str], tuple[int, int]] = {}
        self.counters = {c: MCounter() for c in COUNTERS}
        self.db_day: date | None = None
        self.last_event = 0
        self.midnights = 0

    def teardown(self):
        if hasattr(self, "store"):
            self._close()

    # ------------------------------------------------------------------ model helpers
    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return self.now.astimezone(JKT).date()

    def _state(self):
        return (self.tickets, self.seqs, self.issued, self.done, self.counters, self.db_day)

    def _copy_state(self):
        """``copy.deepcopy(self._state())``, in a tenth of the time (it was half of this test's):
        the tickets and counters are records of immutable values and the other maps hold ints,
        tuples and dates, so a copy of each record and map is a deep copy."""
        return ({k: copy.copy(t) for k, t in self.tickets.items()}, dict(self.seqs), dict(self.issued),
                dict(self.done), {k: copy.copy(c) for k, c in self.counters.items()}, self.db_day)

    def _restore(self, state):
        self.tickets, self.seqs, self.issued, self.done, self.counters, self.db_day = state

    def _rollover(self) -> list[tuple]:
        """What the first successful write of a new service day does, applied to the model."""
        if self.db_day == self.today:
            return []
        expired = 0
        for t in self.tickets.values():
            if t.day < self.today and t.status in OPEN:
                t.status = "expired"
                expired += 1
        for c in self.counters.values():
            c.current, c.streak, c.status = None, 0, "closed"
        self.db_day = self.today
        if expired:
            event("rollover expired open tickets")
        return [("day_rollover", None, None, None, {"day": self.today.isoformat(), "expired": expired})]

    def _assign(self, code: str, officer: str) -> list[tuple]:
        c = self.counters[code]
        opened = [] if c.status == "open" else [("counter_opened", None, code, officer)]
        c.status = "open"
        return opened

    def _resolve(self, ref: str) -> MTicket:
        """Mirror of resolve_ref: a token finds its newest row, a number today's newest row."""
        r = parse_ticket_ref(ref)
        if r is None:
            raise Expect(BadTicketRef)
        if r.token:
            rows = [t for t in self.tickets.values() if t.token == r.token]
        else:
            rows = [t for t in self.tickets.values() if t.day == self.today and t.prefix == r.prefix
                    and t.seq == r.seq]
        if not rows:
            raise Expect(TicketNotFound)
        return max(rows, key=lambda t: t.id)

    def _current(self, code: str) -> MTicket:
        cur = self.counters[code].current
        if cur is None:
            raise Expect(NoCurrentTicket)
        t = self.tickets[cur]
        assert t.status in AT_COUNTER
        return t

    def _release(self, code: str, t: MTicket) -> None:
        if self.counters[code].current == t.id:
            self.counters[code].current = None

    def _eligible(self, code: str) -> list[MTicket]:
        services = HALL.counter(code).service_codes
        return [t for t in self.tickets.values()
                if t.status == "waiting" and t.service in services and t.target in (None, code)]

    def _expected_pick(self, code: str) -> tuple[MTicket | None, bool]:
        """The documented rule, stated independently of antrian.domain.rules.choose_next.
        Returns (pick, whether the max-wait rule decided)."""
        waiting = self._eligible(code)
        key = lambda t: (t.arrival, t.id)  # noqa: E731
        prio = min((t for t in waiting if t.priority), key=key, default=None)
        normal = min((t for t in waiting if not t.priority), key=key, default=None)
        if prio is None or normal is None:
            return prio or normal, False
        overdue = [t for t in (prio, normal) if self.now - t.arrival >= MAX_WAIT]
        if overdue:
            return min(overdue, key=key), True
        if self.counters[code].streak >= RATIO:
            return normal, False
        return prio, False

    def _ahead_eta(self, service: str, priority: str | None) -> tuple[int, int]:
        ahead = sum(1 for t in self.tickets.values()
                    if t.status == "waiting" and t.service == service and (priority is None or t.priority))
        n, s = self.done.get((self.today, service), (0, 0))
        avg = s / n / 60.0 if n else HALL.service(service).service_minutes
        open_ = sum(1 for c in HALL.counters_serving(service) if self.counters[c.code].status == "open")
        eta = 0 if ahead <= 0 else int(math.ceil(ahead * avg / max(1, open_)))
        return ahead, eta

    def _is_open(self, service: str) -> bool:
        local = self.now.astimezone(JKT)
        if service == "pbb":  # Mon/Tue 08:00-15:00, issuing from 07:45
            return local.weekday() in (0, 1) and time(7, 45) <= local.time() < time(15, 0)
        return local.time() < time(23, 59)

    # ------------------------------------------------------------------ running an action
    def run(self, action, predict):
        """Predict on a copy of the model (rolled over to today), run, compare, keep or undo."""
        saved = self._copy_state()
        events = self._rollover()
        try:
            expected = predict()
            error = None
        except Expect as e:
            error = e.exc
        try:
            result = action()
        except QueueError as e:
            event(f"refused: {type(e).__name__}")
            assert error is not None, f"unexpected {type(e).__name__}: {e}"
            assert type(e) is error, f"expected {error.__name__}, got {type(e).__name__}: {e}"
            self._restore(saved)
            self.check_events([])
            return None
        assert error is None, f"expected {error.__name__}, the action succeeded: {result}"
        apply, new_events = expected
        apply(result)
        self.check_events(events + [e(result) if callable(e) else e for e in new_events])
        return result

    def check_events(self, expected: list[tuple]) -> None:
        rows = self.db.events_after(self.last_event)
        got = [(r[1], r[2], r[3], r[4]) for r in rows]
        want = [e[:4] for e in expected]
        assert got == want, f"events {got} != expected {want}"
        ids = [r[0] for r in rows]
        if self.backend.gapless_ids:
            assert ids == list(range(self.last_event + 1, self.last_event + 1 + len(ids))), ids
        else:
            assert ids == sorted(set(ids)) and all(i > self.last_event for i in ids), ids
        for r, e in zip(rows, expected):
            if len(e) > 4:
                payload = r[5]
                assert {k: payload.get(k) for k in e[4]} == e[4], (payload, e[4])
        if ids:
            self.last_event = ids[-1]

    def pick_ref(self, kind: str, index: int, pool: list[MTicket] | None = None) -> str:
        pool = pool if pool else sorted(self.tickets.values(), key=lambda t: t.id)
        if kind == "junk" or (not pool and kind != "missing"):
            return "not-a-ticket"
        if kind == "missing":
            return "K-987"
        t = pool[index % len(pool)]
        return {"number": t.number, "short": f"{t.prefix.lower()}{t.seq}", "token": t.token,
                "url": f"https://mpp.example.go.id/t/{t.token.lower()}"}[kind]

    def choose_counter(self, pick: int, pool: list[str]) -> str:
        """Mostly a counter where the action makes sense (so runs get far), sometimes any counter
        (so the refusals are exercised too)."""
        if pool and pick % 8:
            return sorted(pool)[pick % len(pool)]
        return COUNTERS[pick % len(COUNTERS)]

    def busy(self, *statuses: str) -> list[str]:
        if not hasattr(self, "counters"):
            return []
        return [code for code, c in self.counters.items()
                if c.current is not None and self.tickets[c.current].status in (statuses or AT_COUNTER)]

    # ------------------------------------------------------------------ rules: citizens
    @rule(tickets=st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from(PRIORITIES),
                                     st.sampled_from([0, 0, 20, 60])), min_size=1, max_size=4))
    def issue(self, tickets):
        """Citizens arriving, some seconds apart (or at the same moment)."""
        for service, priority, gap_s in tickets:
            target = self.now + timedelta(seconds=gap_s)
            if target.astimezone(JKT).time() <= LATEST_LOCAL:
                self.clock.t = target
            self.issue_one(service, priority)

    def issue_one(self, service, priority):
        svc = HALL.service(service)
        prefix = HALL.agency(svc.agency_code).prefix

        def predict():
            if priority is not None and priority not in HALL.priority.groups:
                raise Expect(UnknownPriorityGroup)
            if not self._is_open(service):
                raise Expect(ServiceClosed)
            if svc.quota and self.issued.get((self.today, service), 0) >= svc.quota:
                raise Expect(QuotaFull)
            ahead, eta = self._ahead_eta(service, priority)
            seq = self.seqs.get((self.today, prefix), 0) + 1

            def apply(issued):
                t = issued.ticket
                assert (t.seq, t.number, t.prefix) == (seq, f"{prefix}-{seq:03d}", prefix)
                assert (issued.ahead, issued.eta_minutes) == (ahead, eta)
                assert t.arrival_at == self.now and t.service_day == self.today
                self.seqs[(self.today, prefix)] = seq
                self.issued[(self.today, service)] = self.issued.get((self.today, service), 0) + 1
                self.tickets[t.id] = MTicket(t.id, self.today, prefix, seq, t.number, t.token, service,
                                             priority, self.now)

            return apply, [lambda r: ("issued", r.ticket.id, None, None, {"seq": seq, "prefix": prefix})]

        self.run(lambda: self.q.issue(service, priority=priority), predict)

    # ------------------------------------------------------------------ rules: counters
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def call_next(self, pick, officer):
        counter = self.choose_counter(
            pick, [c for c in COUNTERS if self.counters[c].current is None and self._eligible(c)])
        self.call_next_at(counter, officer)

    def call_next_at(self, counter, officer):
        self.run(lambda: self.q.call_next(counter, officer=officer), lambda: self._predict_call_next(counter, officer))

    def _predict_call_next(self, counter, officer):
        c = self.counters[counter]
        if c.current is not None:
            raise Expect(CounterBusy)
        pick, by_max_wait = self._expected_pick(counter)
        if pick is None:
            raise Expect(NothingWaiting)
        normal_waits = any(not t.priority for t in self._eligible(counter))
        streak = c.streak
        if by_max_wait:
            event("call-next: max-wait rule decided")
        elif streak >= RATIO and normal_waits:
            event("call-next: normal after a priority streak")
        elif pick.priority and normal_waits:
            event("call-next: priority before a waiting normal")
        opened = self._assign(counter, officer)

        def apply(t):
            # the priority ratio: after RATIO priority calls in a row at this counter, a waiting
            # normal ticket goes next unless the max-wait rule picked an older ticket
            if streak >= RATIO and normal_waits and t.priority:
                assert by_max_wait and t.id == pick.id, (
                    f"counter {counter} made priority call {streak + 1} in a row ({t.number}) while a "
                    "normal ticket waited")
            assert t.id == pick.id, (
                f"counter {counter} called {t.number} (id {t.id}), the rule says {pick.number} (id {pick.id}); "
                f"streak {streak}, waiting {[(x.number, x.priority, x.arrival.time()) for x in self._eligible(counter)]}"
            )
            pick.status, pick.counter, pick.called_at = "called", counter, self.now
            c.current = pick.id
            c.streak = c.streak + 1 if pick.priority else 0

        return apply, opened + [("called", pick.id, counter, officer)]

    @rule(pick=st.integers(0, 7), officer=st.sampled_from(OFFICERS),
          outcomes=st.lists(st.sampled_from(["finish", "finish", "finish", "transfer", "park"]), min_size=1,
                            max_size=4),
          to=st.integers(0, 1000))
    def serve_next(self, pick, officer, outcomes, to):
        """A counter working through its line: call next, then finish (or transfer or park) it, a
        few times in a row. This is what builds priority streaks at one counter, and sends
        transferred tickets into lines where later arrivals already wait."""
        counter = COUNTERS[pick % 4]  # 7, 8, 3, 4: the counters that share services
        for outcome in outcomes:
            if self.counters[counter].current is not None:
                if outcome == "finish":
                    self.finish_at(counter, officer)
                elif outcome == "park":
                    self.park_at(counter, officer)
                elif to % 2:
                    self.transfer_at(counter, officer, to, None)
                else:  # to the other counter of the pair, which alone may call it
                    self.transfer_at(counter, officer, None, PARTNER[counter])
            if not self._eligible(counter):
                break
            self.call_next_at(counter, officer)

    @precondition(lambda self: self.busy('called'))
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def recall(self, pick, officer):
        counter = self.choose_counter(pick, self.busy("called"))

        def predict():
            t = self._current(counter)
            if t.status == "called" and t.recalls >= HALL.max_recalls:
                raise Expect(TooManyRecalls)
            if t.status != "called":
                raise Expect(InvalidTransition)

            def apply(r):
                t.recalls += 1
                assert r.recall_count == t.recalls

            return apply, [("recalled", t.id, counter, officer, {"recall_count": t.recalls + 1})]

        self.run(lambda: self.q.recall(counter, officer=officer), predict)

    @precondition(lambda self: self.busy('called'))
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def start(self, pick, officer):
        counter = self.choose_counter(pick, self.busy("called"))

        def predict():
            t = self._current(counter)
            if t.status != "called":
                raise Expect(InvalidTransition)

            def apply(r):
                t.status, t.started_at = "serving", self.now

            return apply, [("started", t.id, counter, officer)]

        self.run(lambda: self.q.start(counter, officer=officer), predict)

    @precondition(lambda self: self.busy())
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def finish(self, pick, officer):
        self.finish_at(self.choose_counter(pick, self.busy()), officer)

    def finish_at(self, counter, officer):
        self.run(lambda: self.q.finish(counter, officer=officer), lambda: self._predict_finish(counter, officer))

    def _predict_finish(self, counter, officer):
        t = self._current(counter)
        started = t.started_at or t.called_at or self.now
        seconds = max(0, int((self.now - started).total_seconds()))

        def apply(r):
            t.status = "done"
            self._release(counter, t)
            n, s = self.done.get((self.today, t.service), (0, 0))
            self.done[(self.today, t.service)] = (n + 1, s + seconds)

        return apply, [("finished", t.id, counter, officer, {"service_s": seconds})]

    @precondition(lambda self: self.busy('called'))
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def no_show(self, pick, officer):
        counter = self.choose_counter(pick, self.busy("called"))
        self.run(lambda: self.q.no_show(counter, officer=officer), lambda: self._predict_no_show(counter, officer))

    def _predict_no_show(self, counter, officer):
        t = self._current(counter)
        if t.status != "called":
            raise Expect(InvalidTransition)

        def apply(r):
            t.status = "no_show"
            self._release(counter, t)

        return apply, [("no_show", t.id, counter, officer)]

    @precondition(lambda self: self.busy())
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS))
    def park(self, pick, officer):
        self.park_at(self.choose_counter(pick, self.busy()), officer)

    def park_at(self, counter, officer):
        self.run(lambda: self.q.park(counter, officer=officer), lambda: self._predict_park(counter, officer))

    def _predict_park(self, counter, officer):
        t = self._current(counter)

        def apply(r):
            t.status = "parked"
            self._release(counter, t)

        return apply, [("parked", t.id, counter, officer)]

    @precondition(lambda self: self.busy())
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS),
          first=st.sampled_from(["finish", "finish", "no_show", "park"]))
    def close_and_call_next(self, pick, officer, first):
        """The composite officer action: close the open ticket and call the next, in one
        transaction; with nobody waiting the first step still counts."""
        counter = self.choose_counter(pick, self.busy())
        CLOSED_AS = {"finish": "done", "no_show": "no_show", "park": "parked"}  # noqa: N806
        first_predict = {"finish": self._predict_finish, "no_show": self._predict_no_show,
                         "park": self._predict_park}[first]

        def predict():
            apply_first, events_first = first_predict(counter, officer)
            apply_first(None)  # the first step's change, which the call then sees
            try:
                apply_call, events_call = self._predict_call_next(counter, officer)
            except Expect as e:
                if e.exc is not NothingWaiting:
                    raise
                event("close-and-call: nobody waiting")

                def apply_none(r):
                    assert r.called is None and r.closed.status.value == CLOSED_AS[first]

                return apply_none, events_first

            def apply(r):
                assert r.closed.status.value == CLOSED_AS[first]
                apply_call(r.called)

            return apply, events_first + [(lambda r, e=e: e(r.called)) if callable(e) else e for e in events_call]

        self.run(lambda: self.q.close_and_call_next(counter, first, officer=officer), predict)

    def _predict_unpark(self, counter, officer, t: MTicket):
        if self.counters[counter].current is not None:
            raise Expect(CounterBusy)
        if t.status != "parked":
            raise Expect(InvalidTransition)
        if t.service not in HALL.counter(counter).service_codes and t.target != counter:
            raise Expect(InvalidTransition)  # issue 10, defect 10: only at a counter serving it
        opened = self._assign(counter, officer)

        def apply(r):
            assert r.id == t.id
            t.status, t.counter, t.called_at = "called", counter, self.now
            self.counters[counter].current = t.id

        return apply, opened + [("unparked", t.id, counter, officer)]

    @precondition(lambda self: any(t.status == 'parked' for t in getattr(self, 'tickets', {}).values()))
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS),
          kind=st.sampled_from(["number", "short", "token", "url", "missing", "junk"]),
          index=st.integers(0, 1000), prefer_parked=st.booleans())
    def unpark(self, pick, officer, kind, index, prefer_parked):
        counter = self.choose_counter(pick, [c for c in COUNTERS if self.counters[c].current is None])
        parked = [t for t in self.tickets.values() if t.status == "parked"] if prefer_parked else None
        ref = self.pick_ref(kind, index, parked)

        def predict():
            return self._predict_unpark(counter, officer, self._resolve(ref))

        self.run(lambda: self.q.unpark(counter, ref, officer=officer), predict)

    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS),
          kind=st.sampled_from(["number", "short", "token", "url", "missing", "junk"]),
          index=st.integers(0, 1000), prefer_waiting=st.booleans())
    def call_number(self, pick, officer, kind, index, prefer_waiting):
        counter = self.choose_counter(pick, [c for c in COUNTERS if self.counters[c].current is None])
        pool = [t for t in self.tickets.values() if t.status == "waiting"] if prefer_waiting else None
        ref = self.pick_ref(kind, index, pool)

        def predict():
            t = self._resolve(ref)
            if t.day != self.today:
                raise Expect(TicketNotFound)
            if t.status == "parked":
                return self._predict_unpark(counter, officer, t)
            if t.status != "waiting":
                raise Expect(InvalidTransition)
            if t.service not in HALL.counter(counter).service_codes and t.target != counter:
                raise Expect(InvalidTransition)
            if self.counters[counter].current is not None:
                raise Expect(CounterBusy)
            opened = self._assign(counter, officer)

            def apply(r):
                assert r.id == t.id
                t.status, t.counter, t.called_at = "called", counter, self.now
                self.counters[counter].current = t.id

            return apply, opened + [("called_number", t.id, counter, officer)]

        self.run(lambda: self.q.call_number(counter, ref, officer=officer), predict)

    @precondition(lambda self: self.busy())
    @rule(pick=st.integers(0, 1000), officer=st.sampled_from(OFFICERS),
          to_service=st.one_of(st.none(), st.sampled_from(SERVICES), st.integers(0, 1000)),
          to_counter=st.one_of(st.none(), st.sampled_from(COUNTERS)))
    def transfer(self, pick, officer, to_service, to_counter):
        self.transfer_at(self.choose_counter(pick, self.busy()), officer, to_service, to_counter)

    def transfer_at(self, counter, officer, to_service, to_counter):
        if isinstance(to_service, int):
            # a service where people are already waiting: the transferred ticket must go before
            # those who arrived after it
            busy = sorted({t.service for t in self.tickets.values() if t.status == "waiting"})
            to_service = busy[to_service % len(busy)] if busy else None
        if to_service is None and to_counter is None:
            to_service = "kk"

        def predict():
            t = self._current(counter)
            tc = HALL.counter(to_counter) if to_counter else None
            if to_service:
                service = to_service
            else:
                service = t.service if t.service in tc.service_codes else tc.service_codes[0]
            if tc and service not in tc.service_codes:
                raise Expect(InvalidTransition)

            def apply(new):
                assert new.transferred_from == t.id and new.id != t.id
                assert (new.number, new.seq, new.prefix, new.token) == (t.number, t.seq, t.prefix, t.token)
                assert new.arrival_at == t.arrival and new.priority == t.priority
                assert new.service_code == service and new.target_counter == to_counter
                t.status = "transferred"
                self._release(counter, t)
                self.tickets[new.id] = MTicket(new.id, t.day, t.prefix, t.seq, t.number, t.token, service,
                                               t.priority, t.arrival, target=to_counter, transferred_from=t.id)

            return apply, [("transferred", t.id, counter, officer),
                           lambda new: ("transferred_in", new.id, to_counter, officer)]

        self.run(lambda: self.q.transfer(counter, to_service=to_service, to_counter=to_counter,
                                         officer=officer), predict)

    @rule(kind=st.sampled_from(["number", "short", "token", "url", "missing", "junk"]),
          index=st.integers(0, 1000), prefer_open=st.booleans())
    def cancel(self, kind, index, prefer_open):
        pool = [t for t in self.tickets.values() if t.status in OPEN] if prefer_open else None
        ref = self.pick_ref(kind, index, pool)

        def predict():
            t = self._resolve(ref)
            was_at = t.counter if t.status in AT_COUNTER else None
            if t.status not in ("waiting", "called", "parked"):
                raise Expect(InvalidTransition)

            def apply(r):
                assert r.id == t.id
                t.status = "cancelled"
                if was_at:
                    self._release(was_at, t)

            return apply, [("cancelled", t.id, was_at, "spv")]

        self.run(lambda: self.q.cancel(ref, officer="spv", reason="test"), predict)

    @rule(counter=st.sampled_from(COUNTERS), officer=st.sampled_from(OFFICERS),
          state=st.sampled_from(["open", "pause", "close", "close-force"]))
    def counter_state(self, counter, officer, state):
        def predict():
            c = self.counters[counter]
            if state in ("open", "pause"):
                def apply(r):
                    c.status = "open" if state == "open" else "paused"
                    assert r.status.value == c.status

                return apply, [("counter_opened" if state == "open" else "counter_paused", None, counter, officer)]
            events = []
            requeued = None
            if c.current is not None:
                if state == "close":
                    raise Expect(CounterBusy)
                requeued = self.tickets[c.current]
                events.append(("requeued", requeued.id, counter, officer))

            def apply(r):
                if requeued is not None:
                    requeued.status, requeued.counter = "waiting", None
                    requeued.called_at = requeued.started_at = None
                c.current, c.status, c.streak = None, "closed", 0

            return apply, events + [("counter_closed", None, counter, officer)]

        if state == "open":
            action = lambda: self.q.open_counter(counter, officer=officer)  # noqa: E731
        elif state == "pause":
            action = lambda: self.q.pause_counter(counter, "istirahat", officer=officer)  # noqa: E731
        else:
            action = lambda: self.q.close_counter(counter, officer=officer, force=state == "close-force")  # noqa: E731
        self.run(action, predict)

    # ------------------------------------------------------------------ rules: time
    @rule(minutes=st.sampled_from([1, 2, 5, 10, 20, 45, 65, 65]))
    def advance_clock(self, minutes):
        target = self.now + timedelta(minutes=minutes)
        local = target.astimezone(JKT)
        if local.date() == self.today and local.time() <= LATEST_LOCAL:
            self.clock.t = target

    @precondition(lambda self: self.midnights < 2 and any(
        t.status in OPEN for t in getattr(self, "tickets", {}).values()))
    @rule(hour=st.integers(0, 10), counter=st.sampled_from(COUNTERS))
    def cross_midnight(self, hour, counter):
        """The next day: nothing is reset by a job; the first write expires yesterday's tickets."""
        self.midnights += 1
        next_day = self.today + timedelta(days=1)
        self.clock.t = datetime.combine(next_day, time(hour, 7), tzinfo=JKT).astimezone(timezone.utc)
        # before any write, the read models already show an empty new day
        status = self.q.status()
        assert all(s.waiting == 0 for s in status.services)
        open_before = sum(1 for t in self.tickets.values() if t.status in OPEN)

        def predict():
            def apply(r):
                pass

            return apply, [("counter_opened", None, counter, "ani")]

        self.run(lambda: self.q.open_counter(counter, officer="ani"), predict)
        assert sum(1 for t in self.tickets.values() if t.status == "expired") >= open_before
        assert not any(t.status in OPEN for t in self.tickets.values() if t.day < self.today)
        self.counters[counter].status = "open"

    # ------------------------------------------------------------------ invariants
    @invariant()
    def store_matches_the_model(self):
        """One read of the stored tickets per step, checked four ways."""
        if not hasattr(self, "db"):
            return
        rows = self.db.tickets()
        self.tickets_match_the_model(rows)
        self.numbers_unique_and_gapless_per_prefix_and_day(rows)
        self.counters_hold_at_most_one_ticket(rows)
        self.no_ticket_is_lost(rows)

    def tickets_match_the_model(self, rows):
        assert [r[0] for r in rows] == sorted(self.tickets), "a ticket appeared or disappeared"
        valid = {"waiting", "called", "serving", "parked", "done", "no_show", "cancelled", "transferred", "expired"}
        for (id_, day, prefix, seq, number, service, priority, prio, status, arrival, counter, target,
             recalls, tfrom, token) in rows:
            m = self.tickets[id_]
            assert status in valid
            assert (status, day, prefix, seq, number, service, priority, target, recalls, tfrom, token) == (
                m.status, m.day, m.prefix, m.seq, m.number, m.service, m.priority, m.target,
                m.recalls, m.transferred_from, m.token), f"ticket {number} (id {id_})"
            assert prio == (1 if priority else 0)
            assert arrival == m.arrival
            if status in AT_COUNTER:
                assert counter == m.counter and counter is not None
            if status == "waiting":
                assert counter is None, f"waiting ticket {number} still names counter {counter}"

    def numbers_unique_and_gapless_per_prefix_and_day(self, rows):
        seqs: dict[tuple[date, str], list[int]] = {}
        for r in rows:
            if r[13] is None:  # an original ticket, not a transfer's linked one
                seqs.setdefault((r[1], r[2]), []).append(r[3])
        for (day, prefix), got in seqs.items():
            assert len(got) == len(set(got)), (day, prefix, got)
            assert len(got) == max(got) == self.seqs[(day, prefix)], (day, prefix, got)

    def counters_hold_at_most_one_ticket(self, rows):
        status = {r[0]: r[8] for r in rows}
        at = {r[0]: r[10] for r in rows}
        current = {}
        written = self.db.counters()
        for code, (cur, streak, cstatus) in written.items():
            m = self.counters[code]
            assert (cur, streak, cstatus) == (m.current, m.streak, m.status), code
            if cur is not None:
                assert status[cur] in AT_COUNTER and at[cur] == code, (code, cur, status[cur], at[cur])
                current[cur] = code
        for code, m in self.counters.items():
            if code not in written:
                assert m == MCounter(), f"counter {code} never written but the model changed it"
        for id_, s in status.items():
            if s in AT_COUNTER:
                assert current.get(id_) == at[id_], f"ticket {id_} is {s} but no counter holds it"

    def no_ticket_is_lost(self, rows):
        chains: dict[tuple[date, str, int], list[tuple]] = {}
        for r in rows:
            chains.setdefault((r[1], r[2], r[3]), []).append((r[0], r[8], r[13]))
        for (day, prefix), top in self.seqs.items():
            for seq in range(1, top + 1):
                chain = chains.get((day, prefix, seq))
                assert chain, f"{prefix}-{seq:03d} of {day} is gone"
                assert chain[0][2] is None
                for prev, nxt in zip(chain, chain[1:]):
                    assert nxt[2] == prev[0] and prev[1] == "transferred", chain
                assert chain[-1][1] != "transferred", chain
        assert sum(self.seqs.values()) == len(chains)
        today = [(k, v) for k, v in self.seqs.items() if k[0] == self.today]
        if today:  # the number a citizen holds still finds the live ticket
            (day, prefix), top = today[-1]
            assert self.q.find_ticket(f"{prefix}-{top}").id == chains[(day, prefix, top)][-1][0]


def _run(backend) -> None:
    machine = type("Lifecycle", (LifecycleMachine,), {"backend": backend})
    name = type(backend).__name__.removesuffix("Backend").lower()
    run_state_machine_as_test(machine, settings=_settings(EXAMPLES[name]))


def test_queue_lifecycle_invariants_on_the_fake_store():
    _run(FakeBackend())


def test_queue_lifecycle_invariants_on_sqlite(tmp_path_factory):
    template = tmp_path_factory.mktemp("lifecycle") / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    con = sqlite3.connect(template)
    con.execute("PRAGMA journal_mode=DELETE")  # fold the WAL into the file so a copy is complete
    con.close()
    shm = Path("/dev/shm")
    workdir = Path(tempfile.mkdtemp(prefix="mpp-lifecycle-", dir=shm)) if shm.is_dir() else template.parent
    try:
        _run(SqliteBackend(template, workdir))
    finally:
        if workdir != template.parent:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.pg
def test_queue_lifecycle_invariants_on_postgresql(pg_url):
    upgrade(pg_url)
    backend = PgBackend(pg_url)
    try:
        _run(backend)
    finally:
        backend.inspector.dispose()
