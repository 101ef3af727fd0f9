"""What the hall display shows, without Qt: calls, the zone, the board and the spotlight.

- ``Call``: one call event resolved against the hall (number, loket, agency, colour).
- ``Zone``: the counters this screen covers (whole hall, some agencies, or some counters).
- ``Board``: the latest call of each counter in the zone and a short history; it only moves
  forward (a call with an older event id never replaces a newer one), so a rebuild from the
  events table and the live feed can arrive in any order and still agree.
- ``Spotlight``: the big "current call". Calls queue up so each gets its highlight turn
  (at least ``min_turn`` seconds when others are waiting, ``highlight`` seconds otherwise).
- ``format_clock()``: "Sabtu, 28 November 2026 08.15" with hand-written names (no locale).

Times given to ``Spotlight`` are monotonic seconds from the caller; nothing here reads a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from antrian.domain.catalogue import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID, Hall
from antrian.domain.model import CALL_EVENTS, Event

MONTH_NAMES_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def format_clock(local: datetime, lang: str = "id") -> tuple[str, str]:
    """(date, time) for the header: ("Sabtu, 28 November 2026", "08.15") in Indonesian,
    ("Saturday, 28 November 2026", "08:15") in English."""
    if lang == "en":
        days, months, sep = WEEKDAY_NAMES_EN, MONTH_NAMES_EN, ":"
    else:
        days, months, sep = WEEKDAY_NAMES_ID, MONTH_NAMES_ID, "."
    day = f"{days[local.weekday()]}, {local.day} {months[local.month - 1]} {local.year}"
    return day, f"{local.hour:02d}{sep}{local.minute:02d}"


def format_clock_line(local: datetime, lang: str = "id") -> str:
    """"Sabtu, 28 November 2026 08.15"."""
    return " ".join(format_clock(local, lang))


@dataclass(frozen=True)
class Call:
    event_id: int
    kind: str  # the event type: called, recalled, unparked, called_number
    number: str  # as printed on the ticket, e.g. "K-012"
    prefix: str
    seq: int
    counter_code: str
    counter_number: int
    agency_code: str
    agency_short: str
    agency_spoken: str
    colour: str
    at: datetime

    @property
    def recall(self) -> bool:
        return self.kind == "recalled"


def call_from_event(hall: Hall, event: Event) -> Call | None:
    """The call an event announces, or None (not a call, unknown counter, no number)."""
    if event.type not in CALL_EVENTS or event.id is None or not event.counter_code:
        return None
    counter = hall.find_counter(str(event.counter_code))
    if counter is None:
        return None
    payload = event.payload or {}
    prefix = payload.get("prefix")
    seq = payload.get("seq")
    if (not prefix or seq is None) and event.number:
        # older events without prefix/seq in the payload: read them back from the number
        from antrian.domain.model import parse_ticket_ref

        ref = parse_ticket_ref(event.number)
        if ref is not None and ref.prefix:
            prefix, seq = ref.prefix, ref.seq
    if not prefix or seq is None:
        return None
    seq = int(seq)
    # The ticket's agency speaks its own number (a transferred ticket keeps its letter), but the
    # citizen walks to the loket: name and colour follow the counter's agency.
    agency = hall.find_agency(counter.agency_code)
    return Call(
        event_id=int(event.id),
        kind=event.type,
        number=event.number or hall.format_number(prefix, seq),
        prefix=str(prefix),
        seq=seq,
        counter_code=counter.code,
        counter_number=counter.number,
        agency_code=counter.agency_code,
        agency_short=agency.short_name if agency else "",
        agency_spoken=agency.spoken_name if agency else "",
        colour=agency.colour if agency else "#2255aa",
        at=event.at,
    )


class ZoneError(ValueError):
    """A zone names an agency or counter the hall does not have, or covers no counter."""


@dataclass(frozen=True)
class Zone:
    """The counters one screen covers, in display order (by loket number)."""

    counter_codes: tuple[str, ...]
    whole_hall: bool = True
    label: str = ""  # e.g. "Disdukcapil, Dinsos" for a zone; "" for the whole hall

    def __contains__(self, counter_code: object) -> bool:
        return counter_code in self._set

    @property
    def _set(self) -> frozenset[str]:
        return frozenset(self.counter_codes)

    @classmethod
    def build(cls, hall: Hall, agencies: Sequence[str] = (), counters: Sequence[str] = ()) -> "Zone":
        """Agencies and counters from the station config (or ``--zone``). Both empty = whole hall;
        agencies only = their counters; counters only = those; both = the counters listed that
        belong to those agencies."""
        problems = []
        for a in agencies:
            if hall.find_agency(a) is None:
                problems.append(f"unknown agency '{a}' (agencies: {', '.join(x.code for x in hall.agencies)})")
        for c in counters:
            if hall.find_counter(str(c)) is None:
                problems.append(f"unknown counter '{c}' (counters: {', '.join(x.code for x in hall.counters)})")
        if problems:
            raise ZoneError("; ".join(problems))
        chosen = list(hall.counters)
        if agencies:
            chosen = [c for c in chosen if c.agency_code in set(agencies)]
        if counters:
            wanted = {str(c) for c in counters}
            chosen = [c for c in chosen if c.code in wanted]
        if not chosen:
            raise ZoneError("the zone covers no counter (the counters listed are not of the agencies listed)")
        chosen.sort(key=lambda c: c.number)
        whole = not agencies and not counters
        label = ""
        if not whole:
            names = []
            for counter in chosen:
                name = hall.agency(counter.agency_code).short_name
                if name not in names:
                    names.append(name)
            label = ", ".join(names)
        return cls(tuple(c.code for c in chosen), whole, label)


class Board:
    """The latest call of each counter of the zone and the recent calls, newest first."""

    def __init__(self, zone: Zone, history_size: int = 6):
        self.zone = zone
        self.history_size = history_size
        self.latest: dict[str, Call] = {}
        self.history: list[Call] = []
        self.last_id = 0  # the highest event id applied (from the feed or a rebuild)

    def accepts(self, call: Call) -> bool:
        return call.counter_code in self.zone

    def apply(self, call: Call) -> bool:
        """A live call. True if it is new and in the zone (so it is shown and announced)."""
        if not self.accepts(call) or call.event_id <= self.last_id:
            return False
        self.last_id = call.event_id
        self._put(call)
        # the recent calls show each number once: a recall moves it to the top
        self.history = [c for c in self.history if c.number != call.number]
        self.history.insert(0, call)
        del self.history[self.history_size:]
        return True

    def _put(self, call: Call) -> None:
        cur = self.latest.get(call.counter_code)
        if cur is None or cur.event_id < call.event_id:
            self.latest[call.counter_code] = call

    def rebuild(self, calls: Iterable[Call], upto_id: int) -> None:
        """Replace the state by ``calls`` (today's calls with ids up to ``upto_id``, from the
        events table), keeping any live call newer than ``upto_id`` that arrived meanwhile."""
        newer = [c for c in self.history if c.event_id > upto_id]
        newer_latest = {k: c for k, c in self.latest.items() if c.event_id > upto_id}
        mine = sorted((c for c in calls if self.accepts(c) and c.event_id <= upto_id), key=lambda c: c.event_id)
        self.latest = {}
        for c in mine:
            self._put(c)
        for c in newer_latest.values():
            self._put(c)
        seen: set = set()
        numbers: set = set()
        merged = []
        for c in sorted(newer + mine, key=lambda c: c.event_id, reverse=True):
            if c.event_id not in seen and c.number not in numbers:  # each number once, newest
                seen.add(c.event_id)
                numbers.add(c.number)
                merged.append(c)
        self.history = merged[: self.history_size]
        self.last_id = max(self.last_id, upto_id)

    def clear(self) -> None:
        """A new service day: nothing called yet."""
        self.latest.clear()
        self.history.clear()

    def newest(self) -> Call | None:
        return self.history[0] if self.history else None


# the most calls waiting for their turn as the big current call (min_turn seconds each)
MAX_PENDING = 50


class Spotlight:
    """The big current call. Each call gets its turn: ``highlight`` seconds of highlight when
    nobody is waiting, cut to ``min_turn`` seconds when more calls are queued behind it.

    A call being announced is *held*: the big number stays on it until its announcement has been
    spoken (``release``), so what the hall sees and what it hears stay together in a burst; a
    hold never lasts longer than ``max_hold`` seconds after the call came up."""

    def __init__(self, highlight: float = 6.0, min_turn: float = 2.0, max_hold: float = 30.0,
                 max_pending: int = MAX_PENDING):
        self.highlight = float(highlight)
        self.min_turn = min(float(min_turn), self.highlight)
        self.max_hold = float(max_hold)
        self.current: Call | None = None
        self.shown_at: float | None = None
        # bounded: a burst (the feed catching up on hours of calls) keeps the newest turns only;
        # the older calls are already on the counter panel and in the history (issue 11: a day
        # of 100k calls once queued here was 48 MB and hours of stale turns)
        self.pending: deque[Call] = deque(maxlen=max(1, max_pending))
        self.held: set = set()

    def hold(self, event_id) -> None:
        self.held.add(event_id)

    def release(self, event_id) -> None:
        self.held.discard(event_id)

    def push(self, call: Call, now: float) -> bool:
        """Queue a call; True if it became the current call at once."""
        if self.current is None or (not self.pending and not self.is_highlighted(now)):
            self._show(call, now)
            return True
        self.pending.append(call)
        return False

    def set_quiet(self, call: Call | None) -> None:
        """Show ``call`` without a highlight (after a rebuild: the last call before we started)."""
        if self.current is None or (call is not None and call.event_id > self.current.event_id):
            self.current = call
            self.shown_at = None

    def tick(self, now: float) -> bool:
        """Move to the next queued call when this one's turn is over; True if it changed."""
        if not self.pending:
            return False
        if (self.current is not None and self.shown_at is not None and self.current.event_id in self.held
                and now - self.shown_at < self.max_hold):
            return False
        if self.current is None or self.shown_at is None or now - self.shown_at >= self.min_turn:
            self._show(self.pending.popleft(), now)
            return True
        return False

    def _show(self, call: Call, now: float) -> None:
        self.current = call
        self.shown_at = now

    def is_highlighted(self, now: float) -> bool:
        return self.shown_at is not None and now - self.shown_at < self.highlight

    def next_change_in(self, now: float) -> float | None:
        """Seconds until the current call's turn or highlight ends; None if nothing will change."""
        if self.shown_at is None:
            return 0.0 if self.pending else None
        if self.pending:
            return max(0.0, self.shown_at + self.min_turn - now)
        if self.is_highlighted(now):
            return max(0.0, self.shown_at + self.highlight - now)
        return None

    def clear(self) -> None:
        self.held.clear()
        self.current = None
        self.shown_at = None
        self.pending.clear()
