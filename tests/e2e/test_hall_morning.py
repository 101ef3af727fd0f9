"""Issue 6 section 3: one hall morning with the real processes, on SQLite and on PostgreSQL.

`mpp db upgrade`, two officers with `mpp user add`, then `mpp kiosk`, `mpp display --no-voice` and
two `mpp counter` windows (the first two lokets of Disdukcapil) as separate processes, driven
through their UI by the automation channel (tests.support.automation): about twelve tickets tapped on
the kiosk (some priority, several Disdukcapil services and one of another agency), the two
counters call (F1), start (F3) and finish (F4) in turns until Disdukcapil's queue is empty. In the
middle the database goes away for about four seconds (SQLite: this process holds an exclusive
lock; PostgreSQL: the stations' connections are terminated again and again) while a kiosk tap
and counter calls are in flight.

Then: every number the kiosk showed is in the database exactly once; every Disdukcapil ticket was
called exactly once and finished; the counters showed exactly those calls; the display shows the
last call of each loket; the announcement log holds one entry per call in event-id order; every
process is still alive and exits cleanly on `quit`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.stations import Hall, Station, poll

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.ui, pytest.mark.timeout(180)]

AGENCY = "disdukcapil"
OFFICERS = (("petugas1", "Petugas Satu", "1357"), ("petugas2", "Petugas Dua", "2468"))
OUTAGE_S = 4.0


# ----------------------------------------------------------------------------- drivers


class Kiosk:
    """A citizen at the kiosk: priority group (optional), agency tile, service button."""

    def __init__(self, station: Station):
        self.st = station
        self.shown: list[dict] = []  # every ticket the kiosk showed: {"number", "agency", "service", "group"}
        self.errors: list[str] = []  # messages shown instead of a number

    def tap(self, agency: str, service: str, group: str | None = None) -> None:
        """Taps up to the service button; the ticket is then in flight."""
        st = self.st.state()
        if st["screen"] != "home" or st["error"] or st["group"]:
            self.st.send("home")
        if group:
            self.st.send("tap_priority", group=group)
        self.st.send("tap_agency", code=agency)
        self.st.send("tap_service", code=service)

    def outcome(self, agency: str, service: str, group: str | None, timeout: float = 40.0) -> str | None:
        """The number shown for the tap in flight, or None (a message said why); back home."""
        st = self.st.wait_state(lambda s: not s["busy"] and (s["screen"] == "result" or bool(s["error"])),
                                timeout, "the kiosk's answer to a tap")
        number = st["number"] if st["screen"] == "result" else None
        if number:
            assert st["service"] == service, st
            assert bool(st["priority_label"]) == bool(group), st
            self.shown.append({"number": number, "agency": agency, "service": service, "group": group})
        else:
            self.errors.append(st["error"])
        self.st.send("home")
        return number

    def issue(self, agency: str, service: str, group: str | None = None, timeout: float = 40.0) -> str:
        """A ticket, trying again (as a citizen would) while the kiosk says it cannot issue one."""
        deadline = time.monotonic() + timeout
        while True:
            self.tap(agency, service, group)
            number = self.outcome(agency, service, group, timeout=max(1.0, deadline - time.monotonic()))
            if number:
                return number
            if time.monotonic() >= deadline:
                raise AssertionError(f"the kiosk issued no {service} ticket within {timeout:.0f} s: {self.errors}")
            time.sleep(0.3)


class Officer:
    """One counter window: F1 when no ticket is open, F3 on a called ticket, F4 on one being served.
    Every new number the window shows is a call (collected in ``calls``)."""

    def __init__(self, station: Station, counter: str):
        self.st = station
        self.counter = counter
        self.calls: list[str] = []
        self.current: str | None = None
        self.last: dict = {}
        self.pressed: str | None = None
        self.guards = 0  # "ticket still open" dialogs met

    def observe(self, st: dict) -> dict:
        self.last = st
        number = st["number"]
        if number != self.current:
            if number:
                self.calls.append(number)
            self.current = number
        return st

    def idle(self, st: dict | None = None) -> bool:
        st = st or self.last
        return st["number"] is None and sum(st["waiting"].values()) == 0 and st["online"]

    def next_key(self, st: dict) -> str | None:
        if st["dialog"] == "open_ticket":
            # F1 found a ticket still open here (a call that was saved although the answer was lost
            # with the connection): "do not call yet" (Esc), then carry on with that ticket
            self.guards += 1
            return "Escape"
        if st["dialog"]:
            raise AssertionError(f"unexpected dialog at counter {self.counter}: {st}")
        if st["number"] is None:
            return None if self.idle(st) else "F1"
        return "F3" if st["ticket_status"] == "called" else "F4"

    def press(self) -> str | None:
        """The next key for what the window shows (nothing when there is nothing to do)."""
        st = self.observe(self.st.state())
        key = self.next_key(st)
        self.pressed = key
        if key is not None:
            self.observe(self.st.send("key", name=key))
        return key

    def settle(self, timeout: float = 40.0) -> dict:
        return self.observe(self.st.wait_state(lambda s: not s["busy"] and not s["refreshing"], timeout,
                                               f"counter {self.counter} to finish its action"))


def serve_round(officers: list[Officer]) -> bool:
    """Both counters press their next key at about the same time; True if anyone did something."""
    pressed = [o.press() for o in officers]
    for o in officers:
        o.settle()
    return any(pressed)


def serve_until_empty(officers: list[Officer], expected: set[str], timeout: float = 60.0) -> None:
    """Rounds until both counters are idle and every expected number has been called."""
    deadline = time.monotonic() + timeout
    while True:
        busy = serve_round(officers)
        called = {n for o in officers for n in o.calls}
        if not busy and expected <= called and all(o.idle() for o in officers):
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"the counters did not empty the queue within {timeout:.0f} s: missing "
                                 f"{sorted(expected - called)}; last states {[o.last for o in officers]}")
        if not busy:
            time.sleep(0.1)  # waiting counts follow the event feed


# ----------------------------------------------------------------------------- outages


class SqliteLock:
    """This process holds ``BEGIN EXCLUSIVE`` on the database file: writers wait (busy timeout)."""

    def __init__(self, url: str):
        self.path = url.split("sqlite:///", 1)[1]
        self.conn: sqlite3.Connection | None = None

    def __enter__(self):
        self.conn = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        try:
            self.conn.execute("ROLLBACK")
        finally:
            self.conn.close()


class PgTerminator:
    """Terminates every other connection to the test database, again and again, until stopped."""

    def __init__(self, url: str, interval: float = 0.005):
        from sqlalchemy.engine import make_url

        self.url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.interval = interval
        self.killed = 0
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-terminator", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                while not self._stop.is_set():
                    rows = conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
                    self.killed += sum(1 for (ok,) in rows if ok)
                    self.rounds += 1
                    self._stop.wait(self.interval)
        except BaseException as e:  # reported by __exit__
            self.error = e

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        if self.error is not None:
            raise AssertionError(f"terminating connections failed: {self.error}")


def timed_state(station: Station, lag: list[float]) -> dict:
    t0 = time.monotonic()
    st = station.state()
    lag.append(time.monotonic() - t0)
    return st


# ----------------------------------------------------------------------------- database checks


def db_rows(url: str):
    from sqlalchemy import create_engine, text

    from antrian.storage.db import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            tickets = [dict(r._mapping) for r in conn.execute(text(
                "SELECT id, service_day, prefix, seq, number, status, agency_code, service_code, priority "
                "FROM tickets ORDER BY id"))]
            events = [dict(r._mapping) for r in conn.execute(text(
                "SELECT id, type, ticket_id, number, counter_code FROM events ORDER BY id"))]
    finally:
        engine.dispose()
    return tickets, events


# ----------------------------------------------------------------------------- the morning


def run_morning(db_url: str, tmp_path: Path, kind: str) -> dict:
    t_start = time.monotonic()
    seen: dict = {"database": kind}
    with Hall(db_url, tmp_path) as hall:
        hall.mpp("db", "upgrade")
        # account commands need an admin login (issue 10, 11): the first admin needs none
        hall.mpp("user", "add", "kepala", "--name", "Kepala MPP", "--role", "admin", "--pin", "135790")
        hall.env.update(MPP_USER="kepala", MPP_PIN="135790")
        for username, name, pin in OFFICERS:
            hall.mpp("user", "add", username, "--name", name, "--role", "officer", "--pin", pin)
        cat = hall.mpp("catalogue", json_out=True)
        agency = next(a for a in cat["agencies"] if a["code"] == AGENCY)
        lokets = agency["counters"][:2]
        served_by = [set(next(c for c in cat["counters"] if c["code"] == code)["services"]) for code in lokets]
        services = [s["code"] for s in agency["services"] if all(s["code"] in sv for sv in served_by)]
        assert len(services) >= 4, services
        other = next(a for a in cat["agencies"] if a["code"] != AGENCY and a["services"]
                     and not set(a["counters"]) & set(lokets))
        other_service = other["services"][0]["code"]

        display = hall.start_display()
        kiosk_st = hall.start_kiosk()
        counters = [hall.start_counter(code, user, pin) for code, (user, _n, pin) in zip(lokets, OFFICERS)]
        display.wait_state(lambda s: s["ready"] and s["online"], 30, "the display to follow the feed")
        kiosk_st.wait_state(lambda s: s["online"] is True and s["screen"] == "home", 30, "the kiosk to be online")
        for c in counters:
            c.wait_state(lambda s: s["page"] == "counter" and s["loaded"] and s["online"], 30,
                         "the counter to be logged in and loaded")
        seen["startup_s"] = round(time.monotonic() - t_start, 1)

        kiosk = Kiosk(kiosk_st)
        officers = [Officer(c, code) for c, code in zip(counters, lokets)]
        d0, d1, d2, d3 = services[:4]
        d4 = services[4] if len(services) > 4 else d0

        # -- the first citizens
        for group, service in ((None, d0), (None, d1), ("lansia", d0), (None, d2), (None, d0)):
            kiosk.issue(AGENCY, service, group)
        kiosk.issue(other["code"], other_service)
        for _ in range(3):  # each counter calls (F1), starts (F3) and finishes (F4) one ticket
            serve_round(officers)

        # -- the outage: a kiosk tap and the counters' next actions in flight
        lag: list[float] = []
        outage: dict = {"kiosk": [], "counters": {o.counter: [] for o in officers}, "display": []}
        t0 = time.monotonic()
        if kind == "sqlite":
            with SqliteLock(db_url):
                kiosk.tap(AGENCY, d3, "ibu-hamil")
                keys = [o.press() for o in officers]
                seen["keys_during_lock"] = keys
                while time.monotonic() - t0 < OUTAGE_S:
                    outage["kiosk"].append(timed_state(kiosk_st, lag))
                    for o in officers:
                        outage["counters"][o.counter].append(timed_state(o.st, lag))
                    outage["display"].append(timed_state(display, lag))
                    time.sleep(0.2)
            n = kiosk.outcome(AGENCY, d3, "ibu-hamil")
            for o in officers:
                o.settle()
            seen["sqlite_outage_ticket"] = n
            # what the stations did while the lock was held
            seen["kiosk_busy_during_lock"] = all(s["busy"] for s in outage["kiosk"][1:])
            seen["counters_busy_during_lock"] = {c: sum(s["busy"] for s in sts) for c, sts in outage["counters"].items()}
            seen["display_online_during_lock"] = all(s["online"] for s in outage["display"])
            assert n, f"the kiosk tap made during the lock issued nothing: {kiosk.errors}"
            assert seen["kiosk_busy_during_lock"], outage["kiosk"]
            for o, key in zip(officers, keys):  # an action pressed during the lock waits for it
                assert not key or any(s["busy"] for s in outage["counters"][o.counter]), (o.counter, key)
        else:
            issued = None
            with PgTerminator(db_url) as term:
                kiosk.tap(AGENCY, d3, "ibu-hamil")
                in_flight = True
                seen["keys_at_outage_start"] = [o.press() for o in officers]
                while time.monotonic() - t0 < OUTAGE_S:
                    ks = timed_state(kiosk_st, lag)
                    outage["kiosk"].append(ks)
                    if in_flight and not ks["busy"] and (ks["screen"] == "result" or ks["error"]):
                        issued = kiosk.outcome(AGENCY, d3, "ibu-hamil")
                        in_flight = False
                        if issued is None:  # refused: the citizen tries again at once
                            kiosk.tap(AGENCY, d3, "ibu-hamil")
                            in_flight = True
                    for o in officers:
                        cs = timed_state(o.st, lag)
                        outage["counters"][o.counter].append(cs)
                        o.observe(cs)
                        if not cs["busy"] and not cs["refreshing"]:
                            o.press()
                    outage["display"].append(timed_state(display, lag))
                    time.sleep(0.1)
            seen["pg_connections_terminated"] = term.killed
            if in_flight:
                issued = kiosk.outcome(AGENCY, d3, "ibu-hamil")
            for o in officers:
                o.settle()
            seen["pg_outage_ticket"] = issued
            if issued is None:
                kiosk.issue(AGENCY, d3, "ibu-hamil")
            seen["kiosk_errors_during_outage"] = sorted(set(kiosk.errors))
            seen["kiosk_offline_banner_seen"] = any(s["offline_banner"] for s in outage["kiosk"])
            seen["counter_offline_seen"] = {c: sum(not s["online"] for s in sts) for c, sts in outage["counters"].items()}
            seen["counter_messages"] = sorted({s["message"] for sts in outage["counters"].values() for s in sts
                                              if s["message_kind"] == "error"})
            seen["display_offline_seen"] = sum(not s["online"] for s in outage["display"])
            seen["open_ticket_dialogs"] = {o.counter: o.guards for o in officers}
        seen["outage_state_replies"] = len(lag)
        seen["outage_max_reply_s"] = round(max(lag), 3)
        assert max(lag) < 2.0, f"a station was slow to answer during the outage: {max(lag):.2f} s"

        # -- everyone is back: online again, by themselves
        kiosk_st.wait_state(lambda s: s["online"] is True and not s["offline_banner"], 20, "the kiosk back online")
        for o in officers:
            o.observe(o.st.wait_state(lambda s: s["online"], 20, "the counter back online"))
        display.wait_state(lambda s: s["online"], 20, "the display back online")
        seen["recovered_after_s"] = round(time.monotonic() - t0, 1)

        # -- the rest of the morning, served as it comes
        for group, service in ((None, d0), ("disabilitas", d1), (None, d4), (None, d0), (None, d2)):
            kiosk.issue(AGENCY, service, group)
            serve_round(officers)
        expected = {t["number"] for t in kiosk.shown if t["agency"] == AGENCY}
        serve_until_empty(officers, expected)

        # ------------------------------------------------------------------ checks
        tickets, events = db_rows(db_url)
        by_id = {t["id"]: t for t in tickets}
        keys = Counter((t["service_day"], t["prefix"], t["seq"]) for t in tickets)
        assert all(n == 1 for n in keys.values()), f"a number was issued twice: {keys}"
        numbers = Counter(t["number"] for t in tickets)
        shown = [t["number"] for t in kiosk.shown]
        assert len(shown) == len(set(shown)) == 12, f"the kiosk showed {shown}"
        for number in shown:
            assert numbers[number] == 1, f"{number} shown by the kiosk is {numbers[number]} times in the database"
        seen["tickets_in_db_not_shown"] = sorted(set(numbers) - set(shown))

        called = [e for e in events if e["type"] == "called"]
        per_ticket = Counter(e["ticket_id"] for e in called)
        ours = [t for t in tickets if t["agency_code"] == AGENCY]
        for t in ours:
            assert per_ticket[t["id"]] == 1, f"{t['number']} was called {per_ticket[t['id']]} times"
            assert t["status"] == "done", f"{t['number']} is {t['status']}, not finished"
        assert set(per_ticket) == {t["id"] for t in ours}, "a ticket of another agency was called"
        assert all(t["status"] == "waiting" for t in tickets if t["agency_code"] != AGENCY)
        priority_order = [by_id[e["ticket_id"]]["priority"] for e in called]
        seen["calls"] = [(e["counter_code"], e["number"]) for e in called]
        seen["priority_calls"] = sum(1 for p in priority_order if p)

        # the counters showed exactly these calls, each once, in order per loket
        for o in officers:
            assert o.calls == [e["number"] for e in called if e["counter_code"] == o.counter], (o.counter, o.calls)

        # the display: the last call of each loket on the panel, the newest on top of the history
        last = {o.counter: [e["number"] for e in called if e["counter_code"] == o.counter][-1] for o in officers}
        ds = display.wait_state(lambda s: all(s["panel"].get(c) == n for c, n in last.items())
                                and s["history"][:1] == [called[-1]["number"]], 15, "the display's panel")
        ds = display.wait_state(lambda s: s["current"] == called[-1]["number"], 40,
                                "the big number to reach the last call")
        seen["display"] = ds

        # the announcement log: one entry per call, in event-id order
        poll(lambda: len(hall.announcements()) >= len(called), 20, "an announcement for every call")
        time.sleep(0.3)  # nothing more may come
        log = hall.announcements()
        assert [e["event_id"] for e in log] == [e["id"] for e in called], (log, called)
        assert [e["number"] for e in log] == [e["number"] for e in called]
        assert all(e["status"] == "silent" for e in log)

        # -- every station alive, then a clean exit on quit
        for st in hall.stations:
            assert st.alive(), st.stderr_tail()
        for st in [*counters, kiosk_st, display]:
            assert st.quit() == 0, st.stderr_tail()
        for st in hall.stations:
            assert not [line for line in st.stderr_tail(400).splitlines() if "Traceback" in line], st.stderr_tail(400)
    seen["seconds"] = round(time.monotonic() - t_start, 1)
    (tmp_path / "observations.json").write_text(json.dumps(seen, indent=2, default=str))
    print(json.dumps(seen, default=str))
    return seen


def test_hall_morning_sqlite(tmp_path):
    run_morning(f"sqlite:///{tmp_path / 'mpp.sqlite3'}", tmp_path, "sqlite")


@pytest.mark.pg
def test_hall_morning_postgresql(pg_url, tmp_path):
    seen = run_morning(pg_url, tmp_path, "pg")
    assert seen["pg_connections_terminated"] > 0
