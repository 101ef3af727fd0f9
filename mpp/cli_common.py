"""What the `mpp` command modules share: the one-line argument parser, JSON/text output, the
application context of a command, a ticket as JSON, and the checks of typed values against the
schema (dates, ids, text). Imports nothing heavy: every `mpp` command loads this module."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

from antrian.domain.errors import UsageError

OFFICER_HELP = ("log in as this account (default: env MPP_USER, else asked); the PIN is asked without echo "
                "or read from env MPP_PIN; the account is recorded in the audit trail")

class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump on stderr noise
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _json_default(o: Any):
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    if hasattr(o, "value"):
        return o.value
    return str(o)


def emit(args, data: Any, text: str | None = None) -> None:
    """Print ``data`` as JSON with --json, else ``text`` (or a plain rendering)."""
    if getattr(args, "json", False):
        print(json.dumps(data, default=_json_default, ensure_ascii=False, indent=None))
    elif text is not None:
        print(text)
    else:
        print(data)


def context_from(args):
    from antrian.bootstrap import build_context

    ctx = getattr(args, "_ctx", None)
    if ctx is None:
        ctx = build_context(db=args.db, config=args.config, station=args.station)
        ctx.window_hooks = tuple(getattr(args, "_window_hooks", ()))
        args._ctx = ctx
    return ctx


def ticket_json(ticket, hall) -> dict:
    service = hall.service(ticket.service_code)
    agency = hall.agency(ticket.agency_code)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": service.code,
        "service_name": service.name,
        "agency": agency.code,
        "agency_name": agency.name,
        "priority": ticket.priority,
        "status": ticket.status.value,
        "counter": ticket.counter_code,
        "issued_at": ticket.issued_at,
        "arrival_at": ticket.arrival_at,
        "called_at": ticket.called_at,
        "recall_count": ticket.recall_count,
        "token": ticket.token,
    }


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # a day +-1 and its time zone always exist
MAX_ID = 2**63 - 1  # the event ids are BIGINT
MAX_TEXT = 120  # counters.pause_reason String(120); a cancel reason is kept as short


def check_day(d: date, what: str) -> date:
    if not FIRST_DAY <= d <= LAST_DAY:
        raise UsageError(f"{what} {d.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return d


def check_text(text: str | None, what: str, limit: int = MAX_TEXT) -> str:
    text = text or ""
    if len(text) > limit:
        raise UsageError(f"{what} is {len(text)} characters; at most {limit}")
    if any(ord(ch) < 32 for ch in text):
        raise UsageError(f"{what} must be one line of text (no control characters)")
    return text


def _date(text: str) -> date:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date like 2026-11-30") from None
    if not FIRST_DAY <= d <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{d.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return d


def _bounded_int(limit: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
        if v < 0:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' must not be negative")
        if v > limit:
            raise argparse.ArgumentTypeError(f"{text[:40]} is too large (at most {limit})")
        return v

    return parse


def _nonneg_int(text: str) -> int:
    return _bounded_int(MAX_ID)(text)


def _positive_minutes(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of minutes") from None
    if not 1 <= v <= 1440:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 1440 minutes")
    return v


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and 1")
    return v

