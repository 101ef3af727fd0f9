""""Hadir kembali": a ticket marked no-show is called again when its citizen comes back (they
stepped out for a photocopy), within a hall setting (``no_show_return_minutes``, default 30).

One use case, one transaction, built on the ports like the other counter actions: the ticket goes
from no-show straight to called at the officer's counter (``claim_for_counter`` guarded on the
no-show status, so two counters cannot both take it back). The event is a ``called_number`` with
``returned=True``, so the display announces it like any call by number.

The hall setting is read with ``getattr(hall, "no_show_return_minutes", 30)``: a hall file
without it keeps the default; 0 turns "hadir kembali" off."""

from __future__ import annotations

from datetime import datetime, timedelta

from antrian.domain.errors import CounterBusy, InvalidTransition, TicketNotFound
from antrian.domain.model import Status, Ticket
from antrian.services.counter_actions import CounterActions

DEFAULT_RETURN_MINUTES = 30


def return_window_minutes(hall: object) -> int:
    """How long after a no-show the ticket may still be called back (hall setting, default 30)."""
    value = getattr(hall, "no_show_return_minutes", DEFAULT_RETURN_MINUTES)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_RETURN_MINUTES


def may_return(ticket: Ticket, now: datetime, minutes: int) -> bool:
    """A no-show ticket of today may come back within ``minutes`` of being marked no-show."""
    if ticket.status != Status.NO_SHOW or minutes <= 0:
        return False
    since = ticket.finished_at or ticket.called_at or ticket.issued_at
    return now - since <= timedelta(minutes=minutes)


class ReturnFromNoShow(CounterActions):
    """Mixed into a queue service (or used on its own with a hall, a store and a clock)."""

    def return_from_no_show(self, counter_code: str, ref_text: str, officer: str | None = None) -> Ticket:
        """Call the no-show ticket ``ref_text`` (number or QR text) again at ``counter_code``."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            t = self.resolve_ref(tx, ref_text, day)
            if t.service_day != day:
                raise TicketNotFound(f"ticket {t.number} was for {t.service_day}, not today", ref=t.number)
            if t.status != Status.NO_SHOW:
                raise InvalidTransition(f"ticket {t.number} is {t.status.value}, not a no-show",
                                        number=t.number, status=t.status.value, action="return")
            minutes = return_window_minutes(self.hall)
            if not may_return(t, now, minutes):
                raise InvalidTransition(
                    f"ticket {t.number} was marked no-show more than {minutes} min ago: "
                    "please take a new number at the kiosk",
                    number=t.number, status=t.status.value, action="return", minutes=minutes)
            if t.service_code not in counter.service_codes and t.target_counter != counter.code:
                raise InvalidTransition(
                    f"ticket {t.number} is for '{self.hall.service(t.service_code).name}', which counter "
                    f"{counter.code} does not serve",
                    number=t.number, status=t.status.value, action="return")
            st = tx.counter_state(counter.code)
            if st.current_ticket_id is not None:
                raise CounterBusy(f"counter {counter.code} still has a ticket open", counter=counter.code)
            assert t.id is not None
            self._applied(tx, tx.claim_for_counter(t.id, Status.NO_SHOW, counter.code, officer, now), t, "return")
            back = t.evolve(status=Status.CALLED, counter_code=counter.code,
                            officer=officer if officer is not None else t.officer, called_at=now)
            self._seat(tx, st, back, officer, now)
            self._event(tx, "called_number", now, back, counter=counter.code, officer=officer,
                        prefix=back.prefix, seq=back.seq, priority=back.priority, returned=True)
            return back
