"""Opening, pausing and closing a counter."""

from __future__ import annotations

from antrian.domain.errors import CounterBusy
from antrian.domain.model import AT_COUNTER, CounterState, CounterStatus
from antrian.services.queue_base import QueueCore, retry_conflicts


class CounterStatusActions(QueueCore):
    def open_counter(self, counter_code: str, officer: str | None = None) -> CounterState:
        return self._set_counter_status(counter_code, CounterStatus.OPEN, officer, None, "counter_opened")

    def pause_counter(self, counter_code: str, reason: str, officer: str | None = None) -> CounterState:
        return self._set_counter_status(counter_code, CounterStatus.PAUSED, officer, reason or "istirahat",
                                        "counter_paused")

    @retry_conflicts
    def close_counter(self, counter_code: str, officer: str | None = None, force: bool = False) -> CounterState:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            st = tx.lock_counter(counter.code)  # lock order: the counter row, then its ticket
            if st.current_ticket_id is not None:
                t = tx.get_ticket(st.current_ticket_id)
                if not force:
                    raise CounterBusy(
                        f"counter {counter.code} still has {t.number if t else 'a ticket'} open; finish or "
                        "transfer it, or close with force to put it back in the queue",
                        counter=counter.code,
                    )
                if t is not None and t.id is not None and t.status in AT_COUNTER:
                    self._applied(tx, tx.requeue(t.id, t.status), t, "requeue")
                    self._event(tx, "requeued", now, t, counter=counter.code, officer=officer)
            if not tx.close_counter(counter.code, st.current_ticket_id, now):
                raise CounterBusy(f"counter {counter.code} was changed by another station; try again",
                                  counter=counter.code)
            self._event(tx, "counter_closed", now, counter=counter.code, officer=officer or st.officer)
            return tx.counter_state(counter.code)

    @retry_conflicts
    def _set_counter_status(self, counter_code: str, status: CounterStatus, officer: str | None,
                            reason: str | None, event_type: str) -> CounterState:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            st = tx.lock_counter(counter.code)
            tx.set_counter_status(counter.code, status, officer, reason, now)
            self._event(tx, event_type, now, counter=counter.code, officer=officer or st.officer,
                        reason=reason)
            return tx.counter_state(counter.code)
