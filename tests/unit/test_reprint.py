"""Reprints say what is true now (issue 15, points 6-7): a priority ticket counts only the
priority line ahead of it; a called or served ticket prints its state; an expired, cancelled or
earlier day's ticket is refused."""

from __future__ import annotations


import pytest

from antrian.domain.model import Status
from antrian.services.reprint import TicketNotReprintable, reprint_view


def test_priority_reprint_counts_the_priority_line_as_issue_did(queue):
    queue.issue("ktp")
    queue.issue("ktp")
    first = queue.issue("ktp", priority="lansia")
    second = queue.issue("ktp", priority="lansia")
    assert (first.ahead, second.ahead) == (0, 1)
    assert reprint_view(queue, first.ticket).ahead == 0
    view = reprint_view(queue, second.ticket)
    assert view.ahead == 1 and view.state == Status.WAITING and view.waiting


def test_normal_reprint_counts_everyone_ahead_and_later_priority(queue):
    a = queue.issue("ktp")
    b = queue.issue("ktp")
    assert reprint_view(queue, b.ticket).ahead == 1 == b.ahead
    queue.issue("ktp", priority="lansia")  # a later priority ticket is called before b
    assert reprint_view(queue, b.ticket).ahead == 2
    queue.call_next("7")  # the priority ticket
    queue.finish("7")
    queue.call_next("7")  # a
    assert reprint_view(queue, b.ticket).ahead == 0
    assert reprint_view(queue, a.ticket).state == Status.CALLED


def test_called_and_served_tickets_print_their_state(queue):
    issued = queue.issue("ktp")
    queue.call_next("7")
    view = reprint_view(queue, queue.find_ticket(issued.ticket.number))
    assert view.state == Status.CALLED and view.counter_code == "7" and not view.waiting
    queue.finish("7")
    view = reprint_view(queue, queue.find_ticket(issued.ticket.number))
    assert view.state == Status.DONE and view.qr_text == issued.qr_text


def test_stale_ticket_object_is_reread(queue):
    issued = queue.issue("ktp")
    queue.call_next("7")
    view = reprint_view(queue, issued.ticket)  # the object still says waiting
    assert view.state == Status.CALLED


def test_cancelled_and_yesterdays_tickets_are_refused(queue, clock):
    issued = queue.issue("ktp")
    queue.cancel(issued.ticket.number)
    with pytest.raises(TicketNotReprintable) as e:
        reprint_view(queue, queue.find_ticket(issued.ticket.number))
    assert "cancelled" in str(e.value) and e.value.exit_code == 5
    old = queue.issue("ktp")
    clock.advance(days=1)
    with pytest.raises(TicketNotReprintable) as e:
        reprint_view(queue, queue.find_ticket(old.qr_text))
    assert "expired" in str(e.value)


def test_state_lines_for_the_printed_ticket():
    from printer.commands import reprint_state_lines

    assert reprint_state_lines("waiting", None) == ()
    assert reprint_state_lines("called", "7") == ("Sudah dipanggil: segera ke Loket 7",
                                                  "Already called: go to counter 7 now")
    assert reprint_state_lines("done", "7")[0] == "Sudah dilayani di Loket 7"
    assert reprint_state_lines("called", None)[0] == "Sudah dipanggil: segera ke loket"


def test_for_reprint_puts_state_or_requirements_on_the_ticket():
    from printer.commands import for_reprint
    from tests.printer.conftest import make_ticket

    t = make_ticket(reprint=True)
    called = for_reprint(t, "called", "7", ("KTP-el",))
    assert called.state_lines[0] == "Sudah dipanggil: segera ke Loket 7" and called.requirements == ()
    waiting = for_reprint(t, "waiting", None, ("KTP-el",))
    assert waiting.state_lines == () and waiting.requirements == ("KTP-el",)
