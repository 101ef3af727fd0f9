"""`mpp issue` without SQLAlchemy, alembic or pydantic (issue 11: the command's imports were most
of its 0.5 s). The same settings as antrian.bootstrap.build_context (command line, environment,
defaults), the hall from its prevalidated cache (antrian.hall_cache), the Issuing use case over
the DBAPI store (antrian.storage.dbapi_store): the same ticket, counts and events as the full
path. ``issue`` returns None when this is not a case for it (a station file, a database URL or
schema the full store must handle): the caller then takes the full path, nothing was written."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from antrian import paths
from antrian.domain.catalogue import Hall
from antrian.domain.model import IssuedTicket


def always_open(hall: Hall) -> Hall:
    """The hall with every service open all day, every day (demos and end-to-end tests run at any
    hour; set by `mpp demo` through MPP_ALWAYS_OPEN=1, never in a real hall)."""
    from datetime import time

    from antrian.domain.catalogue import Span, WeeklyHours

    all_day = WeeklyHours(days=((Span(time(0, 0), time(23, 59)),),) * 7)
    return replace(hall, services=tuple(replace(s, hours=all_day) for s in hall.services), _by_code={})


def hall_for_env(hall: Hall) -> Hall:
    """MPP_ALWAYS_OPEN and MPP_PUBLIC_URL applied (antrian.bootstrap.build_context does the same)."""
    if os.environ.get("MPP_ALWAYS_OPEN") == "1":
        hall = always_open(hall)
    if os.environ.get("MPP_PUBLIC_URL"):  # set by `mpp demo` for its stations: tickets open its web server
        hall = replace(hall, public_url=os.environ["MPP_PUBLIC_URL"].rstrip("/"), _by_code={})
    return hall


def issue(service: str, priority: str | None, db: str | None = None, config: str | None = None,
          station: str | None = None) -> tuple[Hall, IssuedTicket] | None:
    if station or os.environ.get("MPP_STATION"):
        return None  # a station file: the full path validates it against the hall
    from antrian.hall_cache import load_hall_cached
    from antrian.services.issuing import Issuing
    from antrian.storage.dbapi_store import DbapiStore, NeedsFullPath

    config_path = Path(config or os.environ.get("MPP_CONFIG") or paths.default_hall_config())
    hall = hall_for_env(load_hall_cached(config_path))
    db_url = db or os.environ.get("MPP_DB_URL") or paths.default_db_url()
    try:
        store = DbapiStore(db_url)
    except NeedsFullPath:
        return None
    try:
        return hall, Issuing(hall, store).issue(service, priority=priority)
    except NeedsFullPath:
        return None
    finally:
        store.dispose()
