"""A two-day scenario through the real queue engine, worked by hand in test_reports.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conftest import FakeClock


def play_two_days(queue, clock: FakeClock) -> None:
    """Wednesday 2026-11-25 and Thursday 2026-11-26, Jakarta time (UTC+7)."""
    clock.t = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # 09:00 WIB
    queue.issue("ktp")  # K-001
    queue.issue("ktp")  # K-002
    queue.issue("kk")  # K-003
    queue.issue("pdam-bayar")  # P-001
    clock.advance(minutes=10)  # 09:10
    queue.call_next("7", officer="budi")  # K-001, waited 10
    clock.advance(minutes=2)  # 09:12
    queue.start("7", officer="budi")
    clock.advance(minutes=8)  # 09:20
    queue.finish("7", officer="budi")  # served 8
    queue.call_next("7", officer="budi")  # K-002, waited 20
    clock.advance(minutes=5)  # 09:25
    queue.no_show("7", officer="budi")
    queue.pause_counter("7", "sholat", officer="budi")
    clock.advance(minutes=5)  # 09:30
    queue.cancel("P-001")
    clock.advance(minutes=10)  # 09:40
    queue.open_counter("7", officer="budi")
    queue.call_next("7", officer="budi")  # K-003 (kk), waited 40
    queue.start("7", officer="budi")
    clock.advance(minutes=10)  # 09:50
    queue.finish("7", officer="budi")  # served 10
    clock.advance(minutes=10)  # 10:00
    queue.close_counter("7", officer="budi")

    clock.t = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # Thursday 09:00
    queue.issue("ktp")  # K-001
    clock.advance(minutes=5)  # 09:05
    queue.call_next("8", officer="sari")  # waited 5
    clock.advance(minutes=5)  # 09:10
    queue.transfer("8", to_service="kk", officer="sari")
    clock.advance(minutes=5)  # 09:15
    queue.call_next("8", officer="sari")  # the transferred-in ticket: waited 5 since the transfer
    clock.advance(minutes=10)  # 09:25
    queue.finish("8", officer="sari")  # served 10 (called -> finished)


@pytest.fixture
def two_days(queue, clock):
    play_two_days(queue, clock)
    return queue
