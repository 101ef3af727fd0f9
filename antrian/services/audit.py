"""The audit listing: every event of one local service day, for `mpp audit`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from antrian.domain.catalogue import Hall
from antrian.services.ports import QueueStore


def day_bounds(hall: Hall, day: date) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar day ``day`` in aware UTC (DST-safe)."""
    tz = hall.tz
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def audit_rows(store: QueueStore, hall: Hall, day: date) -> list[dict[str, Any]]:
    """One dict per event of ``day`` (hall local time), in the order they were recorded.

    Keys: id, at (ISO, local with offset), time (HH:MM:SS local), type, number, counter,
    officer, service, payload."""
    start, end = day_bounds(hall, day)
    with store.read() as tx:
        events = tx.events_between(start, end)
    tz = hall.tz
    rows = []
    for e in events:
        local = e.at.astimezone(tz)
        rows.append(
            {
                "id": e.id,
                "at": local.isoformat(timespec="seconds"),
                "time": local.strftime("%H:%M:%S"),
                "type": e.type,
                "number": e.number,
                "counter": e.counter_code,
                "officer": e.officer,
                "service": e.service_code,
                "payload": dict(e.payload or {}),
            }
        )
    return rows


def format_payload(payload: dict[str, Any]) -> str:
    """``{'reason': 'x', 'attempt': 2}`` -> ``reason=x attempt=2`` for the text listing."""
    return " ".join(f"{k}={v}" for k, v in payload.items() if v not in (None, "", [], {}))
