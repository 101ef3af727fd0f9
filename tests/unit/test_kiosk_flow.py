"""The kiosk's timing and guard rules (kiosk/flow.py) on a fake monotonic clock, without Qt."""

from __future__ import annotations

import pytest

from kiosk.flow import PIN_LOCK_SECONDS, PIN_MAX_FAILURES, KioskFlow


class Stopwatch:
    def __init__(self):
        self.t = 500.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return Stopwatch()


def test_the_second_touch_of_a_double_tap_is_swallowed(clock):
    flow = KioskFlow(tap_guard_s=0.35, monotonic=clock)
    assert not flow.swallows_touch()  # nothing changed yet
    flow.screen_changed()
    clock.t += 0.05
    assert flow.swallows_touch()
    clock.t += 0.30
    assert not flow.swallows_touch()  # 0.35 s after the change: a deliberate tap


def test_no_guard_when_it_is_zero(clock):
    flow = KioskFlow(tap_guard_s=0.0, monotonic=clock)
    flow.screen_changed()
    assert not flow.swallows_touch()


def test_result_countdown(clock):
    flow = KioskFlow(monotonic=clock)
    flow.start_result(8)
    clock.t += 3
    assert flow.result_left() == pytest.approx(5)
    clock.t += 5
    assert flow.result_left() <= 0


def test_pin_locks_after_too_many_failures_and_unlocks_after_a_minute(clock):
    flow = KioskFlow(monotonic=clock)
    for _ in range(PIN_MAX_FAILURES - 1):
        assert flow.pin_checked(False) == "wrong"
    assert not flow.pin_locked()
    assert flow.pin_checked(False) == "locked"
    assert flow.pin_locked()
    clock.t += PIN_LOCK_SECONDS - 1
    assert flow.pin_locked()
    clock.t += 1
    assert not flow.pin_locked()
    assert flow.pin_checked(False) == "wrong"  # the count starts again
    assert flow.pin_checked(True) == "ok"
    for _ in range(PIN_MAX_FAILURES - 1):
        assert flow.pin_checked(False) == "wrong"  # a good PIN reset the count


@pytest.mark.parametrize("where,expected", [
    (dict(on_home=True, group=None, lang="id", message_shown=False), "nothing"),
    (dict(on_home=False, group=None, lang="id", message_shown=False), "reset"),
    (dict(on_home=True, group="lansia", lang="id", message_shown=False), "reset"),
    (dict(on_home=True, group=None, lang="en", message_shown=False), "reset"),
    (dict(on_home=True, group=None, lang="id", message_shown=True), "reset"),
])
def test_idle_resets_only_what_needs_resetting(clock, where, expected):
    flow = KioskFlow(monotonic=clock)
    assert flow.idle_action(default_lang="id", **where) == expected


def test_idle_waits_while_an_issue_is_in_flight(clock):
    flow = KioskFlow(monotonic=clock)
    flow.busy = True
    assert flow.idle_action(on_home=False, group=None, lang="id", default_lang="id", message_shown=False) == "wait"
