"""The display's model without Qt: calls from events, the zone, the board, the spotlight, the
Indonesian clock line."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from display.board import (
    Board,
    Spotlight,
    Zone,
    ZoneError,
    call_from_event,
    format_clock,
    format_clock_line,
)
from antrian.domain.model import Event

AT = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


def ev(id_, counter="7", seq=12, prefix="K", type_="called"):
    return Event(type=type_, at=AT, ticket_id=id_, number=f"{prefix}-{seq:03d}", counter_code=counter,
                 payload={"prefix": prefix, "seq": seq}, id=id_)


def test_clock_line_in_indonesian_and_english():
    jkt = ZoneInfo("Asia/Jakarta")
    t = datetime(2026, 11, 28, 8, 15, tzinfo=jkt)  # a Saturday
    assert format_clock_line(t) == "Sabtu, 28 November 2026 08.15"
    assert format_clock(t, "en") == ("Saturday, 28 November 2026", "08:15")
    assert format_clock_line(datetime(2027, 2, 1, 7, 5, tzinfo=jkt)) == "Senin, 1 Februari 2027 07.05"
    assert format_clock_line(datetime(2026, 8, 17, 23, 59, tzinfo=jkt)) == "Senin, 17 Agustus 2026 23.59"


def test_call_from_event_follows_the_counter(hall):
    c = call_from_event(hall, ev(5, counter="3", prefix="P", seq=7))
    assert (c.number, c.counter_number, c.agency_code, c.agency_spoken) == ("P-007", 3, "pdam", "P D A M")
    assert c.colour.startswith("#") and not c.recall
    assert call_from_event(hall, ev(6, type_="recalled")).recall
    assert call_from_event(hall, ev(7, type_="finished")) is None
    assert call_from_event(hall, ev(8, counter="99")) is None
    # an event without prefix/seq in its payload is read back from its number
    bare = Event(type="called", at=AT, number="K-004", counter_code="8", id=9)
    assert (call_from_event(hall, bare).prefix, call_from_event(hall, bare).seq) == ("K", 4)


def test_zone_whole_hall_agencies_counters(hall):
    assert Zone.build(hall).counter_codes == ("3", "4", "7", "8", "10")
    assert Zone.build(hall).whole_hall
    z = Zone.build(hall, agencies=["pdam"])
    assert z.counter_codes == ("3", "4") and "3" in z and "7" not in z and z.label == "PDAM Tirta Benteng"
    assert Zone.build(hall, counters=["8", "3"]).counter_codes == ("3", "8")
    assert Zone.build(hall, agencies=["dukcapil"], counters=["7", "3"]).counter_codes == ("7",)
    with pytest.raises(ZoneError, match="unknown agency 'nope'"):
        Zone.build(hall, agencies=["nope"])
    with pytest.raises(ZoneError, match="covers no counter"):
        Zone.build(hall, agencies=["pdam"], counters=["7"])


def test_board_applies_new_calls_once_and_filters_the_zone(hall):
    b = Board(Zone.build(hall, agencies=["dukcapil"]), history_size=3)
    assert b.apply(call_from_event(hall, ev(1, "7", 1)))
    assert not b.apply(call_from_event(hall, ev(1, "7", 1)))  # seen already
    assert not b.apply(call_from_event(hall, ev(2, "3", 1, "P")))  # outside the zone
    for i, counter in ((3, "8"), (4, "7"), (5, "8")):
        assert b.apply(call_from_event(hall, ev(i, counter, i)))
    assert {k: c.number for k, c in b.latest.items()} == {"7": "K-004", "8": "K-005"}
    assert [c.event_id for c in b.history] == [5, 4, 3]


def test_rebuild_keeps_live_calls_newer_than_the_snapshot(hall):
    b = Board(Zone.build(hall), history_size=5)
    b.apply(call_from_event(hall, ev(10, "7", 10)))  # arrived live while the rebuild was reading
    b.rebuild([call_from_event(hall, ev(i, "7" if i % 2 else "8", i)) for i in range(1, 7)], upto_id=6)
    assert b.latest["7"].event_id == 10 and b.latest["8"].event_id == 6
    assert [c.event_id for c in b.history] == [10, 6, 5, 4, 3]
    assert b.last_id == 10
    assert not b.apply(call_from_event(hall, ev(6, "8", 6)))  # in the snapshot: not again


def test_spotlight_gives_each_call_its_turn(hall):
    s = Spotlight(highlight=6, min_turn=2)
    calls = [call_from_event(hall, ev(i, "7", i)) for i in (1, 2, 3)]
    assert s.push(calls[0], 0.0)
    assert not s.push(calls[1], 0.1) and not s.push(calls[2], 0.2)
    assert s.is_highlighted(1.0) and not s.tick(1.9)
    assert s.tick(2.0) and s.current is calls[1]
    assert not s.tick(3.5) and s.tick(4.0) and s.current is calls[2]
    assert not s.tick(20.0)  # the last one stays, its highlight runs out
    assert s.is_highlighted(9.9) and not s.is_highlighted(10.0)
    assert s.push(call_from_event(hall, ev(4, "8", 4)), 11.0)  # nothing highlighted: at once


def test_spotlight_quiet_after_rebuild(hall):
    s = Spotlight(highlight=6, min_turn=2)
    s.set_quiet(call_from_event(hall, ev(1)))
    assert s.current.event_id == 1 and not s.is_highlighted(0.0)
    assert s.push(call_from_event(hall, ev(2)), 0.0)  # a quiet call gives way at once


def test_spotlight_holds_a_call_until_it_has_been_spoken(hall):
    """In a burst, the big number stays on the call the hall is hearing."""
    s = Spotlight(highlight=6, min_turn=2, max_hold=30)
    a, b = call_from_event(hall, ev(1, "7", 1)), call_from_event(hall, ev(2, "8", 2))
    s.hold(a.event_id)
    s.hold(b.event_id)
    s.push(a, 0.0)
    s.push(b, 0.1)
    assert not s.tick(5.0) and s.current is a  # min_turn is over, but `a` is still being spoken
    s.release(a.event_id)
    assert s.tick(5.1) and s.current is b
    # a hold never freezes the display: after max_hold the next call comes up anyway
    c = call_from_event(hall, ev(3, "7", 3))
    s.push(c, 5.2)
    assert not s.tick(20.0)
    assert s.tick(35.2) and s.current is c


def test_a_burst_of_calls_keeps_only_the_newest_turns():
    """Issue 11: the feed catching up on a day of calls must not queue every one of them for its
    turn as the big number (memory, and hours of stale numbers): the newest MAX_PENDING wait."""
    from display.board import MAX_PENDING, Spotlight

    spot = Spotlight(highlight=6, min_turn=2)
    first = _burst_call(1)
    assert spot.push(first, 0.0)
    for i in range(2, 2 + 3 * MAX_PENDING):
        spot.push(_burst_call(i), 0.0)
    assert len(spot.pending) == MAX_PENDING
    assert spot.pending[-1].event_id == 1 + 3 * MAX_PENDING  # the newest is kept, the oldest went
    assert spot.pending[0].event_id == 2 + 2 * MAX_PENDING
    assert spot.tick(2.0) and spot.current.event_id == 2 + 2 * MAX_PENDING


def _burst_call(i: int):
    from datetime import datetime, timezone

    from display.board import Call

    return Call(event_id=i, kind="called", number=f"K-{i:03d}", prefix="K", seq=i, counter_code="1",
                counter_number=1, agency_code="a", agency_short="A", agency_spoken="A", colour="#2255aa",
                at=datetime.now(timezone.utc))
