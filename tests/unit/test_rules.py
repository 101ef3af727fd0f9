"""The queue's pure rules: which ticket a counter calls next, whether a service may issue now,
the waiting-time estimate, and the ticket references an officer types or a scanner reads."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antrian.domain import rules
from antrian.domain.catalogue import PriorityPolicy
from antrian.domain.errors import QuotaFull, ServiceClosed
from antrian.domain.model import (
    TOKEN_RE,
    Status,
    Ticket,
    TicketRef,
    make_token,
    parse_ticket_ref,
    qr_text,
)
from tests.conftest import make_hall

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 09:00 in Jakarta
POLICY = PriorityPolicy(ratio=2, max_wait_minutes=60)


def ticket(id_: int, waited_min: float = 5, priority: str | None = None, now: datetime = NOW) -> Ticket:
    at = now - timedelta(minutes=waited_min)
    return Ticket(
        id=id_, service_day=date(2026, 11, 25), prefix="K", seq=id_, number=f"K-{id_:03d}",
        service_code="ktp", agency_code="dukcapil", priority=priority, status=Status.WAITING,
        issued_at=at, arrival_at=at, token=f"MPP-20261125-K{id_:03d}-ABCDEF",
    )


def local(y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=JKT)


# =============================================================================================
# choose_next


class TestChooseNext:
    def test_nothing_waiting_gives_none(self):
        assert rules.choose_next(None, None, 0, POLICY, NOW) is None
        assert rules.choose_next(None, None, 5, POLICY, NOW) is None

    def test_only_normal_waiting(self):
        n = ticket(1)
        assert rules.choose_next(None, n, 0, POLICY, NOW) is n
        assert rules.choose_next(None, n, 9, POLICY, NOW) is n

    def test_only_priority_waiting_is_called_even_after_a_long_streak(self):
        p = ticket(1, priority="lansia")
        # the ratio only asks for a normal ticket "if one waits"
        assert rules.choose_next(p, None, 0, POLICY, NOW) is p
        assert rules.choose_next(p, None, 2, POLICY, NOW) is p
        assert rules.choose_next(p, None, 50, POLICY, NOW) is p

    def test_priority_goes_before_an_older_normal(self):
        p = ticket(2, waited_min=1, priority="disabilitas")
        n = ticket(1, waited_min=30)
        assert rules.choose_next(p, n, 0, POLICY, NOW) is p
        assert rules.choose_next(p, n, 1, POLICY, NOW) is p

    @pytest.mark.parametrize("ratio", [1, 2, 3, 5])
    def test_after_ratio_priority_calls_in_a_row_a_normal_one_is_called(self, ratio):
        policy = PriorityPolicy(ratio=ratio, max_wait_minutes=60)
        p = ticket(2, waited_min=10, priority="lansia")
        n = ticket(1, waited_min=5)
        for streak in range(ratio):
            assert rules.choose_next(p, n, streak, policy, NOW) is p, streak
        assert rules.choose_next(p, n, ratio, policy, NOW) is n
        assert rules.choose_next(p, n, ratio + 3, policy, NOW) is n

    def test_a_sequence_of_calls_alternates_two_priority_then_one_normal(self):
        """Driving choose_next + next_streak like a counter does: P P N P P N ..."""
        prio = [ticket(i, waited_min=30 - i, priority="anak") for i in range(1, 9)]
        normal = [ticket(100 + i, waited_min=20 - i) for i in range(1, 9)]
        streak, order = 0, []
        for _ in range(9):
            pick = rules.choose_next(prio[0] if prio else None, normal[0] if normal else None, streak, POLICY, NOW)
            (prio if pick.is_priority else normal).remove(pick)
            order.append("P" if pick.is_priority else "N")
            streak = rules.next_streak(streak, pick)
        assert "".join(order) == "PPNPPNPPN"

    def test_next_streak_counts_priority_and_resets_on_normal(self):
        assert rules.next_streak(0, ticket(1, priority="lansia")) == 1
        assert rules.next_streak(4, ticket(1, priority="lansia")) == 5
        assert rules.next_streak(4, ticket(1)) == 0

    def test_an_overdue_normal_ticket_beats_a_fresh_priority_one(self):
        p = ticket(2, waited_min=1, priority="lansia")
        n = ticket(1, waited_min=61)
        assert rules.choose_next(p, n, 0, POLICY, NOW) is n

    def test_max_wait_boundary_is_inclusive(self):
        p = ticket(2, waited_min=1, priority="lansia")
        assert rules.choose_next(p, ticket(1, waited_min=60), 0, POLICY, NOW).id == 1
        assert rules.choose_next(p, ticket(1, waited_min=59.9), 0, POLICY, NOW).id == 2

    def test_an_overdue_priority_ticket_beats_the_ratio(self):
        p = ticket(2, waited_min=70, priority="lansia")
        n = ticket(1, waited_min=5)
        assert rules.choose_next(p, n, 2, POLICY, NOW) is p

    def test_both_overdue_the_older_goes_first_whatever_its_class(self):
        p = ticket(2, waited_min=70, priority="lansia")
        n = ticket(1, waited_min=90)
        assert rules.choose_next(p, n, 0, POLICY, NOW) is n
        p2 = ticket(3, waited_min=95, priority="lansia")
        assert rules.choose_next(p2, n, 2, POLICY, NOW) is p2

    def test_both_overdue_same_arrival_lower_id_first(self):
        p = ticket(5, waited_min=80, priority="lansia")
        n = ticket(4, waited_min=80)
        assert rules.choose_next(p, n, 0, POLICY, NOW) is n
        p = ticket(3, waited_min=80, priority="lansia")
        assert rules.choose_next(p, n, 0, POLICY, NOW) is p

    def test_max_wait_zero_switches_the_override_off(self):
        policy = PriorityPolicy(ratio=2, max_wait_minutes=0)
        p = ticket(2, waited_min=1, priority="lansia")
        n = ticket(1, waited_min=600)
        assert rules.choose_next(p, n, 0, policy, NOW) is p
        assert rules.choose_next(p, n, 2, policy, NOW) is n

    @settings(max_examples=300, deadline=None)
    @given(
        pw=st.one_of(st.none(), st.integers(0, 200)),
        nw=st.one_of(st.none(), st.integers(0, 200)),
        streak=st.integers(0, 6),
        ratio=st.integers(1, 4),
        max_wait=st.sampled_from([0, 30, 60]),
    )
    def test_property_matches_the_documented_rule(self, pw, nw, streak, ratio, max_wait):
        policy = PriorityPolicy(ratio=ratio, max_wait_minutes=max_wait)
        p = ticket(1, waited_min=pw, priority="lansia") if pw is not None else None
        n = ticket(2, waited_min=nw) if nw is not None else None
        pick = rules.choose_next(p, n, streak, policy, NOW)
        # an independent statement of the README rule
        if p is None or n is None:
            expected = p or n
        else:
            overdue = [t for t in (p, n) if max_wait and (NOW - t.arrival_at) >= timedelta(minutes=max_wait)]
            if overdue:
                expected = min(overdue, key=lambda t: (t.arrival_at, t.id))
            elif streak >= ratio:
                expected = n
            else:
                expected = p
        assert pick is expected


# =============================================================================================
# availability / check_can_issue


@pytest.fixture
def test_hall():
    return make_hall()


class TestAvailability:
    def test_open_service_with_quota_left(self, test_hall):
        ktp = test_hall.service("ktp")
        av = rules.availability(ktp, test_hall, local(2026, 11, 25, 9), 10)
        assert av.open and av.reason is None and av.remaining == 390 and av.opens_at is None
        rules.check_can_issue(ktp, test_hall, local(2026, 11, 25, 9), 10)

    def test_unlimited_quota(self, test_hall):
        kk = test_hall.service("kk")
        av = rules.availability(kk, test_hall, local(2026, 11, 25, 9), 100_000)
        assert av.open and av.quota == 0 and av.remaining is None

    def test_quota_full_message_names_the_counts(self, test_hall):
        ktp = test_hall.service("ktp")
        av = rules.availability(ktp, test_hall, local(2026, 11, 25, 9), 400)
        assert not av.open and av.reason == "quota_full" and av.remaining == 0
        with pytest.raises(QuotaFull) as ei:
            rules.check_can_issue(ktp, test_hall, local(2026, 11, 25, 9), 400)
        assert str(ei.value) == "today's quota for 'KTP-el' is full (400/400)"
        assert ei.value.params == {"service": "KTP-el", "issued": 400, "quota": 400}
        assert ei.value.code == "quota_full"

    def test_quota_one_below_is_still_open(self, test_hall):
        ktp = test_hall.service("ktp")
        rules.check_can_issue(ktp, test_hall, local(2026, 11, 25, 9), 399)
        assert rules.availability(ktp, test_hall, local(2026, 11, 25, 9), 399).remaining == 1

    def test_closed_on_saturday_opens_monday_minus_issue_early_minutes(self, test_hall):
        pbb = test_hall.service("pbb")  # Mon/Tue 08:00-15:00
        assert test_hall.issue_early_minutes == 15
        sat = local(2026, 11, 28, 10)
        av = rules.availability(pbb, test_hall, sat, 0)
        assert not av.open and av.reason == "closed"
        assert av.opens_at == local(2026, 11, 30, 7, 45)
        assert av.opens_at.weekday() == 0
        with pytest.raises(ServiceClosed) as ei:
            rules.check_can_issue(pbb, test_hall, sat, 0)
        msg = str(ei.value)
        assert msg == "service 'PBB' is closed now (opens Monday 30 November 07:45)"
        assert ei.value.params["opens_at"] == local(2026, 11, 30, 7, 45)

    def test_closed_message_says_monday_08_00_without_early_issuing(self):
        hall = make_hall(issue_early_minutes=0)
        with pytest.raises(ServiceClosed, match=r"opens Monday 30 November 08:00"):
            rules.check_can_issue(hall.service("pbb"), hall, local(2026, 11, 28, 10), 0)

    def test_early_issuing_window_and_closing_time(self, test_hall):
        pbb = test_hall.service("pbb")
        mon = lambda h, m: local(2026, 11, 30, h, m)  # noqa: E731
        assert not rules.availability(pbb, test_hall, mon(7, 44), 0).open
        assert rules.availability(pbb, test_hall, mon(7, 45), 0).open
        assert rules.availability(pbb, test_hall, mon(14, 59), 0).open
        after = rules.availability(pbb, test_hall, mon(15, 0), 0)
        assert not after.open and after.opens_at == local(2026, 12, 1, 7, 45)  # Tuesday
        tue_evening = rules.availability(pbb, test_hall, local(2026, 12, 1, 16), 0)
        assert tue_evening.opens_at == local(2026, 12, 7, 7, 45)  # next Monday

    def test_closed_is_reported_before_quota(self, test_hall):
        pbb = replace(test_hall.service("pbb"), quota=1)
        av = rules.availability(pbb, test_hall, local(2026, 11, 28, 10), 5)
        assert av.reason == "closed"

    def test_a_holiday_is_skipped_for_the_next_opening(self):
        hall = make_hall(closed_dates=[date(2026, 11, 30)])
        pbb = hall.service("pbb")
        av = rules.availability(pbb, hall, local(2026, 11, 28, 10), 0)
        assert av.opens_at == local(2026, 12, 1, 7, 45)
        assert not rules.availability(pbb, hall, local(2026, 11, 30, 9), 0).open

    def test_never_open_gives_no_opening_time(self, test_hall):
        from antrian.domain.catalogue import WeeklyHours

        never = replace(test_hall.service("pbb"), hours=WeeklyHours(days=((),) * 7))
        av = rules.availability(never, test_hall, local(2026, 11, 28, 10), 0)
        assert av.reason == "closed" and av.opens_at is None
        with pytest.raises(ServiceClosed, match="no opening time in the next two weeks"):
            rules.check_can_issue(never, test_hall, local(2026, 11, 28, 10), 0)


# =============================================================================================
# estimate_wait_minutes


@pytest.mark.parametrize(
    "ahead, avg, counters, expected",
    [
        (0, 10, 1, 0),
        (-3, 10, 1, 0),
        (1, 10, 1, 10),
        (3, 10, 2, 15),
        (1, 10, 3, 4),  # 3.33 rounds up
        (5, 7.5, 2, 19),  # 18.75 rounds up
        (4, 10, 0, 40),  # no open counter: counted as one, never a division by zero
        (2, 0.0, 1, 0),
    ],
)
def test_estimate_wait_minutes(ahead, avg, counters, expected):
    assert rules.estimate_wait_minutes(ahead, avg, counters) == expected


@given(st.integers(0, 500), st.floats(0.1, 120), st.integers(0, 20))
def test_estimate_wait_is_monotonic_in_ahead_and_counters(ahead, avg, counters):
    e = rules.estimate_wait_minutes(ahead, avg, counters)
    assert isinstance(e, int) and e >= 0
    assert rules.estimate_wait_minutes(ahead + 1, avg, counters) >= e
    assert rules.estimate_wait_minutes(ahead, avg, counters + 1) <= e


# =============================================================================================
# parse_ticket_ref / make_token

TOKEN = "MPP-20261128-K012-7F3KQ2"


@pytest.mark.parametrize(
    "text, expected",
    [
        (TOKEN, TicketRef(token=TOKEN)),
        ("  " + TOKEN + "\n", TicketRef(token=TOKEN)),
        (TOKEN.lower(), TicketRef(token=TOKEN)),
        ("https://antrian.mpp.tangerangkota.go.id/t/" + TOKEN, TicketRef(token=TOKEN)),
        ("http://10.0.0.5:8080/t/" + TOKEN.lower(), TicketRef(token=TOKEN)),
        ("K-012", TicketRef(prefix="K", seq=12)),
        ("K012", TicketRef(prefix="K", seq=12)),
        ("k12", TicketRef(prefix="K", seq=12)),
        ("K 7", TicketRef(prefix="K", seq=7)),
        (" p-001 ", TicketRef(prefix="P", seq=1)),
        ("J-9999", TicketRef(prefix="J", seq=9999)),
        ("K-00012", TicketRef(prefix="K", seq=12)),
        ("K-12345", TicketRef(prefix="K", seq=12345)),
        ("MPP-20261128-K12345-7F3KQ2", TicketRef(token="MPP-20261128-K12345-7F3KQ2")),
    ],
)
def test_parse_ticket_ref_accepts(text, expected):
    assert parse_ticket_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "K",
        "K-",
        "K-0",
        "K-000",
        "12",
        "KK-12",
        "K--12",
        "K-12a",
        "K-1234567",
        "-12",
        "K-1.5",
        "hello world",
        "MPP-2026112-K012-7F3KQ2",  # 7-digit date
        "MPP-20261128-012-7F3KQ2",  # no prefix letter
        "MPP-20261128-K12-7F3KQ2",  # make_token always writes at least three digits
        "MPP-20261128-K012-7F3K",  # short random part
        "https://example.org/t/",
        "\x00K12",
        "K" + "1" * 5000,
        " " * 10_000,
        ("junk " * 200) + TOKEN,  # longer than any scanner line: refused before the regex
    ],
)
def test_parse_ticket_ref_rejects(text):
    assert parse_ticket_ref(text) is None


@pytest.mark.parametrize("value", [None, 12, b"K-012", ["K-012"]])
def test_parse_ticket_ref_rejects_non_strings(value):
    assert parse_ticket_ref(value) is None


def test_parse_ticket_ref_is_fast_on_hostile_input():
    import time

    hostile = ["K" + " " * 510 + "x", "K" + "-" * 510, "MPP-" * 128, "0" * 512, ("K " * 256)[:512]]
    t0 = time.perf_counter()
    for h in hostile:
        parse_ticket_ref(h)
    assert time.perf_counter() - t0 < 1.0


@given(st.text(max_size=600))
def test_parse_ticket_ref_never_raises(text):
    ref = parse_ticket_ref(text)
    if ref is not None:
        assert (ref.token is not None) != (ref.prefix is not None)
        if ref.token:
            assert TOKEN_RE.fullmatch(ref.token)
        else:
            assert re.fullmatch(r"[A-Z]", ref.prefix) and 1 <= ref.seq <= 999_999


def test_make_token_format():
    tok = make_token(date(2026, 11, 28), "K", 12)
    m = re.fullmatch(r"MPP-20261128-K012-([23456789ABCDEFGHJKLMNPRSTUVWXYZ]{6})", tok)
    assert m, tok
    assert TOKEN_RE.fullmatch(tok)
    assert parse_ticket_ref(tok) == TicketRef(token=tok)
    # no characters a person could misread (0/O, 1/I) in the random part
    assert not set(m.group(1)) & set("01OIQ")


def test_make_token_is_random():
    toks = {make_token(date(2026, 11, 28), "K", 1) for _ in range(200)}
    assert len(toks) == 200


@settings(max_examples=200)
@given(day=st.dates(date(2000, 1, 1), date(2099, 12, 31)), prefix=st.sampled_from("ABCKPJZ"),
       seq=st.integers(1, 999_999))
def test_token_round_trips_through_qr_text_and_parse(day, prefix, seq):
    tok = make_token(day, prefix, seq)
    assert parse_ticket_ref(tok) == TicketRef(token=tok)
    assert parse_ticket_ref(qr_text(tok, "https://mpp.example.go.id")) == TicketRef(token=tok)
    assert qr_text(tok) == tok


@pytest.mark.parametrize("seq", [10_000, 100_000, 999_999])
def test_numbers_past_9999_still_parse(seq):
    """The 100,000-ticket benchmark day goes past four digits: tokens and numbers must still parse."""
    tok = make_token(date(2026, 11, 28), "K", seq)
    assert parse_ticket_ref(tok) == TicketRef(token=tok)
    assert parse_ticket_ref(f"K-{seq}") == TicketRef(prefix="K", seq=seq)


def test_hall_number_format(test_hall):
    assert test_hall.format_number("K", 12) == "K-012"
    assert test_hall.format_number("P", 1) == "P-001"
    assert parse_ticket_ref(test_hall.format_number("K", 345)) == TicketRef(prefix="K", seq=345)
