"""The [booking] section of the hall file: the bundled values become the BookingPolicy that the
bootstrap hands to the web pages, the kiosk and `mpp booking`; a bad value stops the program with
one line naming booking.<key> and what to write instead."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from antrian.config import ConfigError, load_booking_policy, load_hall, load_hall_file
from antrian.domain import booking as B
from antrian.domain.booking import BookingPolicy
from antrian.paths import default_hall_config

BUNDLED = default_hall_config()


def hall_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The bundled hall file with lines of its [booking] section replaced."""
    text = Path(BUNDLED).read_text("utf-8")
    head, sep, tail = text.partition("\n[booking]\n")
    assert sep, "the bundled hall has a [booking] section"
    for old, new in changes:
        assert old in tail, old
        tail = tail.replace(old, new, 1)
    p = tmp_path / "hall.toml"
    p.write_text(head + sep + tail, "utf-8")
    return p


def test_the_bundled_section_gives_the_documented_policy():
    p = load_booking_policy(BUNDLED)
    assert (p.days_ahead, p.opens_at, p.slot_minutes) == (7, time(16, 0), 30)
    assert (p.checkin_before, p.checkin_after) == (30, 15)
    assert (p.per_ip_per_hour, p.per_person_per_hour, p.max_per_person_per_day) == (10, 10, 3)
    assert p.online_quotas == ()


def test_a_hall_file_without_the_section_gets_the_defaults(tmp_path):
    text = Path(BUNDLED).read_text("utf-8")
    head, _, tail = text.partition("\n[booking]\n")
    rest = tail[tail.index("\n# ===") :]  # the agencies after the section
    p = tmp_path / "hall.toml"
    p.write_text(head + "\n" + rest, "utf-8")
    assert load_booking_policy(p) == BookingPolicy(full_hint_seconds=1.0)


def test_changed_values_reach_the_policy_and_the_slots(tmp_path):
    path = hall_with(tmp_path, ('days_ahead = 7 ', 'days_ahead = 3 '), ('opens_at = "16:00"', 'opens_at = "17.30"'),
                     ("slot_minutes = 30 ", "slot_minutes = 20 "), ("checkin_before_minutes = 30", "checkin_before_minutes = 10"),
                     ("checkin_after_minutes = 15", "checkin_after_minutes = 5"), ("per_ip_per_hour = 10", "per_ip_per_hour = 500"),
                     ('online_quota = {}', 'online_quota = { "skck-baru" = 7, "ktp-el" = 0 }'))
    p = load_booking_policy(path)
    assert (p.days_ahead, p.opens_at, p.slot_minutes, p.checkin_before, p.checkin_after, p.per_ip_per_hour) == (
        3, time(17, 30), 20, 10, 5, 500)
    hall = load_hall(path)
    skck, ktp = hall.service("skck-baru"), hall.service("ktp-el")
    monday = next(d for d in B.bookable_days(datetime(2026, 11, 23, 8, tzinfo=hall.tz), p)
                  if d.weekday() == 0)
    assert sum(s.capacity for s in B.slots_on(skck, monday, p)) == 7  # exactly the hall's number
    assert {s.capacity for s in B.slots_on(ktp, monday, p)} == {0}  # not bookable online
    assert all((datetime_minutes(s.end) - datetime_minutes(s.start)) == 20 for s in B.slots_on(skck, monday, p))
    opens, closes = B.checkin_window(datetime(2026, 11, 23, 9, tzinfo=hall.tz), p)
    assert (opens.time(), closes.time()) == (time(8, 50), time(9, 5))


def datetime_minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@pytest.mark.parametrize("old,new,where,says", [
    ('opens_at = "16:00"', 'opens_at = "25:00"', "booking.opens_at", "'25:00' is not a time of day like '16:00'"),
    ('opens_at = "16:00"', 'opens_at = "sore"', "booking.opens_at", "is not a time of day"),
    ("days_ahead = 7 ", "days_ahead = 0 ", "booking.days_ahead", "greater than or equal to 1"),
    ("slot_minutes = 30 ", "slot_minutes = 2 ", "booking.slot_minutes", "greater than or equal to 5"),
    ("online_share = 0.20", "online_share = 1.5", "booking.online_share", "less than or equal to 1"),
    ("checkin_after_minutes = 15", "checkin_after_minutes = -1", "booking.checkin_after_minutes", "greater than or equal to 0"),
    ("per_ip_per_hour = 10", 'per_ip_per_hour = "banyak"', "booking.per_ip_per_hour", "valid integer"),
    ('online_quota = {}', 'online_quota = { "skck-baru" = -3 }', "booking.online_quota.skck-baru", "greater than or equal to 0"),
    ('online_quota = {}', 'online_quota = { "paspor" = 10 }', "booking.online_quota.paspor", "unknown service 'paspor'"),
    ("days_ahead = 7 ", "days_ahed = 7 ", "booking.days_ahed", "unknown key (check the spelling)"),
])
def test_a_bad_value_is_one_clear_line(tmp_path, old, new, where, says):
    path = hall_with(tmp_path, (old, new))
    with pytest.raises(ConfigError) as e:
        load_hall(path)
    assert len(e.value.problems) == 1, e.value.problems
    line = e.value.problems[0]
    assert line.startswith(f"{where}: ") and says in line, line
    assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_a_window_nobody_can_use_is_refused(tmp_path):
    path = hall_with(tmp_path, ("checkin_before_minutes = 30", "checkin_before_minutes = 0"),
                     ("checkin_after_minutes = 15", "checkin_after_minutes = 0"))
    with pytest.raises(ConfigError) as e:
        load_hall_file(path)
    assert e.value.problems == ["booking: checkin_before_minutes and checkin_after_minutes are both 0: nobody "
                                "could check in; give the window at least one minute (e.g. 30 and 15)"]


def test_bootstrap_hands_the_policy_to_the_kiosk_the_cli_and_the_web(tmp_path, monkeypatch):
    from antrian.bootstrap import build_context

    path = hall_with(tmp_path, ("checkin_before_minutes = 30", "checkin_before_minutes = 45"),
                     ("per_ip_per_hour = 10", "per_ip_per_hour = 77"))
    ctx = build_context(db=f"sqlite:///{tmp_path / 'q.sqlite3'}", config=str(path))
    try:
        assert ctx.booking_policy.checkin_before == 45
        assert ctx.booking.policy is ctx.booking_policy and ctx.booking.bstore is ctx.queue.store
        from kiosk.app import _booking_service

        assert _booking_service(ctx) is ctx.booking
        pytest.importorskip("fastapi")
        from web.server import build_deps

        deps = build_deps(ctx)
        assert deps.booking is ctx.booking and deps.booking.policy.per_ip_per_hour == 77
        assert len(deps.on_start) == 2 and len(deps.on_stop) == 2  # the notifier and the booking releaser
    finally:
        ctx.close()
