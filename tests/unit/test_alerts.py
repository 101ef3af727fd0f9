"""Service-level alerts and device health: the pure rules, then the log and the heartbeats on
the real store (SQLite and PostgreSQL; ages on the database's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from antrian.domain.model import CounterStatus
from antrian.services.alerts import AlertService, AlertSettings, evaluate
from antrian.services.health import (
    AMBER,
    GREEN,
    RED,
    DeviceStatus,
    HealthService,
    Heartbeat,
    HeartbeatWriter,
    colour_for,
    counter_presence,
)
from antrian.storage import tables_manager as M
from antrian.storage.manager_store import ManagerStore, write_connection


def dev(kind, name, colour=GREEN, printer=None, age=1.0):
    return DeviceStatus(Heartbeat(kind, name, printer_state=printer), age, colour)


# ------------------------------------------------------------------ pure rules


def test_colour_by_age():
    assert [colour_for(a) for a in (0, 15, 15.1, 60, 61)] == [GREEN, GREEN, AMBER, AMBER, RED]


def test_overdue_ticket_alert(queue, clock, hall):
    queue.issue("ktp")
    queue.open_counter("7")
    clock.advance(minutes=31)
    [a] = evaluate(hall, queue.status())
    assert (a.key, a.kind, a.severity) == ("overdue:ktp", "overdue", "warning")
    assert "31 menit (target 30 menit)" in a.message
    clock.advance(minutes=30)  # 61 >= 2 x 30
    assert evaluate(hall, queue.status())[0].severity == "critical"


def test_closed_counters_with_people_waiting(queue, hall):
    queue.issue("pdam-baru")  # only counter 4 serves it, and it is closed
    [a] = evaluate(hall, queue.status())
    assert a.key == "unstaffed:pdam-baru" and "loket 4 tutup" in a.message
    queue.open_counter("4")
    assert evaluate(hall, queue.status()) == []


def test_paused_too_long(queue, clock, hall):
    queue.pause_counter("7", "sholat")
    clock.advance(minutes=20)
    assert evaluate(hall, queue.status(), settings=AlertSettings(pause_minutes=20)) == []
    clock.advance(minutes=1)
    [a] = evaluate(hall, queue.status(), settings=AlertSettings(pause_minutes=20))
    assert a.key == "paused:7" and "sholat" in a.message and "21 menit" in a.message


def test_printer_paper_and_silent_stations(queue, hall):
    devices = [dev("kiosk", "kiosk-1", printer="paper_near_end"), dev("kiosk", "kiosk-2", printer="paper_out"),
               dev("display", "hall", colour=RED, age=300), dev("kiosk", "kiosk-3", printer="ok"),
               dev("monitor", "sup", colour=RED, age=300)]
    got = {a.key: a for a in evaluate(hall, queue.status(), devices)}
    assert set(got) == {"paper:kiosk/kiosk-1", "paper:kiosk/kiosk-2", "silent:display/hall"}
    assert got["paper:kiosk/kiosk-1"].severity == "warning" and "hampir habis" in got["paper:kiosk/kiosk-1"].message
    assert got["paper:kiosk/kiosk-2"].severity == "critical"
    assert "5 menit" in got["silent:display/hall"].message


def test_a_counter_whose_window_died_is_offline_not_serving(queue, hall):
    queue.issue("ktp")
    queue.call_next("7")
    queue.start("7")
    queue.open_counter("8")
    counters = queue.status().counters
    assert counter_presence(counters, [])["7"] == "serving"  # no heartbeats in use yet
    beats = [dev("counter", "7", colour=RED, age=120), dev("counter", "8")]
    p = counter_presence(counters, beats)
    assert p["7"] == "offline" and p["8"] == "open" and p["10"] == "closed"


# ------------------------------------------------------------------ log and heartbeats on the store


@pytest.fixture
def mstore(store):
    return ManagerStore(store)


def test_alert_log_raise_ack_resolve(queue, hall, mstore):
    svc = AlertService(hall, queue, mstore, HealthService(mstore))
    assert svc.check().alerts == ()
    queue.issue("pdam-baru")
    view = svc.check()
    [a] = view.alerts
    assert a.key == "unstaffed:pdam-baru" and not a.acknowledged and view.sound
    assert svc.check().alerts[0].id == a.id  # still the same alert, not a new one
    assert svc.acknowledge("unstaffed:pdam-baru", "sup1")
    assert not svc.acknowledge("unstaffed:pdam-baru", "sup1")
    view = svc.check()
    assert view.alerts[0].acknowledged_by == "sup1" and not view.sound
    queue.open_counter("4")
    assert svc.check().alerts == ()
    [logged] = svc.log()
    assert logged.resolved_at is not None and logged.acknowledged_by == "sup1"
    queue.close_counter("4")  # it comes back: a new alert, unacknowledged
    again = svc.check()
    assert again.alerts[0].id != a.id and again.sound
    assert len(svc.log()) == 2


def test_heartbeats_are_aged_on_the_database_clock(mstore):
    health = HealthService(mstore)
    w = HeartbeatWriter(health, "counter", "7", "0.1.0", last_event_id=lambda: 42, printer_state=lambda: None)
    assert w.beat()
    health.beat(Heartbeat("kiosk", "kiosk-1", "0.1.0", 40, "paper_near_end"))
    [kiosk, counter] = health.devices()  # kinds in KINDS order
    assert (counter.kind, counter.name, counter.colour, counter.heartbeat.last_event_id) == ("counter", "7", GREEN, 42)
    assert kiosk.heartbeat.printer_state == "paper_near_end"
    with write_connection(mstore.sql) as conn:  # make the kiosk's last beat 30 s and the counter's 5 min old
        for name, secs in (("kiosk-1", 30), ("7", 300)):
            old = counter.heartbeat.written_at - timedelta(seconds=secs)
            conn.execute(update(M.heartbeats).where(M.heartbeats.c.name == name).values(written_at=old))
    colours = {d.name: d.colour for d in health.devices()}
    assert colours == {"7": RED, "kiosk-1": AMBER}
    assert w.beat()  # a beat brings it back
    assert {d.name: d.colour for d in health.devices()}["7"] == GREEN


def test_heartbeat_writer_never_raises(mstore):
    class Broken:
        def beat(self, hb):
            raise RuntimeError("database away")

    w = HeartbeatWriter(Broken(), "display", "hall")
    assert w.beat() is False
    with pytest.raises(ValueError):
        HeartbeatWriter(HealthService(mstore), "toaster", "x")
    with pytest.raises(ValueError):
        HealthService(mstore).beat(Heartbeat("kiosk", "k", printer_state="jammed"))


def test_counter_status_enum_is_what_presence_reads():
    assert CounterStatus.CLOSED.value == "closed"


def test_the_same_alert_raised_twice_is_one_open_alert(mstore):
    from antrian.services.alerts import Alert

    a = Alert("overdue:ktp", "overdue", "warning", "KTP-el", "KTP-el: antrean terlama menunggu 31 menit")
    with mstore.transaction() as tx:
        tx.raise_alert(a)
    with mstore.transaction() as tx:  # a second monitor that had not seen the first one's insert
        tx.raise_alert(a)
        assert len(tx.open_alerts()) == 1


def test_make_heartbeat_writer_for_a_station(store, mstore):
    from antrian.storage.manager_store import make_heartbeat_writer

    w = make_heartbeat_writer(store, "display", "hall-1", last_event_id=lambda: 7)
    assert w.beat("ok")
    [d] = HealthService(mstore).devices()
    assert (d.kind, d.name, d.heartbeat.last_event_id, d.heartbeat.detail, d.colour) == ("display", "hall-1", 7, "ok", GREEN)
