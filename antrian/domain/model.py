"""Tickets, counters and events: the queue's vocabulary. Pure Python."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    EXPIRED = "expired"


OPEN_STATUSES = frozenset({Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED})
AT_COUNTER = frozenset({Status.CALLED, Status.SERVING})

# action -> statuses it may start from
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "call": frozenset({Status.WAITING}),
    "recall": frozenset({Status.CALLED}),
    "start": frozenset({Status.CALLED}),
    "finish": frozenset({Status.SERVING, Status.CALLED}),
    "no_show": frozenset({Status.CALLED}),
    "park": frozenset({Status.CALLED, Status.SERVING}),
    "unpark": frozenset({Status.PARKED}),
    "transfer": frozenset({Status.CALLED, Status.SERVING}),
    "cancel": frozenset({Status.WAITING, Status.CALLED, Status.PARKED}),
}


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True)
class Ticket:
    id: int | None
    service_day: date
    prefix: str
    seq: int
    number: str
    service_code: str
    agency_code: str
    priority: str | None
    status: Status
    issued_at: datetime
    arrival_at: datetime
    token: str
    counter_code: str | None = None
    officer: str | None = None
    target_counter: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recall_count: int = 0
    transferred_from: int | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is not None

    def evolve(self, **changes: Any) -> "Ticket":
        return replace(self, **changes)


@dataclass(frozen=True)
class CounterState:
    code: str
    status: CounterStatus = CounterStatus.CLOSED
    officer: str | None = None
    current_ticket_id: int | None = None
    priority_streak: int = 0
    pause_reason: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Event:
    type: str
    at: datetime
    ticket_id: int | None = None
    number: str | None = None
    counter_code: str | None = None
    officer: str | None = None
    service_code: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


# Event types that mean "announce this number at this counter".
CALL_EVENTS = frozenset({"called", "recalled", "unparked", "called_number"})


@dataclass(frozen=True)
class IssuedTicket:
    """What a new ticket's holder is told (kiosk screen, printed ticket, `mpp issue --json`)."""

    ticket: Ticket
    ahead: int
    eta_minutes: int
    qr_text: str


# ---------------------------------------------------------------------------------------------
# Tokens: what the QR code carries; a USB scanner types it back into the counter window.

TOKEN_RE = re.compile(r"MPP-(\d{8})-([A-Z])(\d{3,6})-([0-9A-Z]{6})")
_TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPRSTUVWXYZ"
NUMBER_RE = re.compile(r"^\s*([A-Za-z])\s*[-\s]?\s*0*(\d{1,6})\s*$")


def make_token(day: date, prefix: str, seq: int) -> str:
    pre, width, post = token_parts(day, prefix)
    return f"{pre}{seq:0{width}d}{post}"


def token_parts(day: date, prefix: str) -> tuple[str, int, str]:
    """A new token around its number: (text before, the number's zero-padded width, text after),
    with a fresh random part; for a store that numbers the ticket itself (PostgreSQL)."""
    rand = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(6))
    return f"MPP-{day:%Y%m%d}-{prefix}", 3, f"-{rand}"


def qr_text(token: str, public_url: str = "") -> str:
    return f"{public_url}/t/{token}" if public_url else token


@dataclass(frozen=True)
class TicketRef:
    """A parsed reference typed by an officer or a scanner: a token, or prefix + seq."""

    token: str | None = None
    prefix: str | None = None
    seq: int | None = None


def parse_ticket_ref(text: str) -> TicketRef | None:
    """'MPP-20261128-K012-7F3KQ2', a URL ending in one, 'K-012', 'k12' -> TicketRef; else None."""
    if not isinstance(text, str) or len(text) > 512:
        return None
    m = TOKEN_RE.search(text.strip().upper())
    if m:
        return TicketRef(token=m.group(0))
    m = NUMBER_RE.match(text)
    if m:
        seq = int(m.group(2))
        if seq >= 1:
            return TicketRef(prefix=m.group(1).upper(), seq=seq)
    return None
