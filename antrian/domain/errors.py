"""Errors the queue reports to people. Each carries a stable ``code`` and its parameters so a
UI can word it in Bahasa Indonesia or English; ``str()`` is a plain English sentence for logs
and the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class QueueError(Exception):
    code = "queue_error"
    exit_code = 1

    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.params = params


class UnknownService(QueueError):
    code = "unknown_service"
    exit_code = 2


class UnknownCounter(QueueError):
    code = "unknown_counter"
    exit_code = 2


class UnknownPriorityGroup(QueueError):
    code = "unknown_priority"
    exit_code = 2


class PriorityNotAllowed(QueueError):
    code = "priority_not_allowed"
    exit_code = 2


class ServiceClosed(QueueError):
    code = "service_closed"
    exit_code = 4

    def __init__(self, service_name: str, opens_at: datetime | None):
        when = f"opens {opens_at:%A %d %B %H:%M}" if opens_at else "no opening time in the next two weeks"
        super().__init__(f"service '{service_name}' is closed now ({when})", service=service_name, opens_at=opens_at)


class QuotaFull(QueueError):
    code = "quota_full"
    exit_code = 4

    def __init__(self, service_name: str, issued: int, quota: int):
        super().__init__(
            f"today's quota for '{service_name}' is full ({issued}/{quota})",
            service=service_name,
            issued=issued,
            quota=quota,
        )


class NothingWaiting(QueueError):
    code = "nothing_waiting"
    exit_code = 3


class CounterBusy(QueueError):
    code = "counter_busy"
    exit_code = 5


class CounterNotOpen(QueueError):
    code = "counter_not_open"
    exit_code = 5


class NoCurrentTicket(QueueError):
    code = "no_current_ticket"
    exit_code = 5


class InvalidTransition(QueueError):
    code = "invalid_transition"
    exit_code = 5


class TooManyRecalls(QueueError):
    code = "too_many_recalls"
    exit_code = 5


class TicketNotFound(QueueError):
    code = "ticket_not_found"
    exit_code = 6


class BadTicketRef(QueueError):
    code = "bad_ticket_ref"
    exit_code = 2


class StoreUnavailable(QueueError):
    """The database cannot be reached (or refused the work). Nothing was changed."""

    code = "store_unavailable"
    exit_code = 7


class StoreConflict(QueueError):
    """The database broke a deadlock or a serialization conflict between stations, and the
    retries did not get through. Nothing was changed; trying again usually works."""

    code = "store_conflict"
    exit_code = 5


class DayRolledOver(StoreConflict):
    """This station read its clock before the hall's service day rolled over and wrote after:
    retried with a fresh clock reading; when it persists, the station's clock is behind."""

    code = "day_rolled_over"


class ClockJump(QueueError):
    """SQLite (one PC): the clock jumped more than a day past the last service day, over a day the
    hall was open (a weekend or holiday between is no jump: QueueCore._begin). Nothing
    expires until someone confirms the new day (``confirm_new_day``) or fixes the clock."""

    code = "clock_jump"
    exit_code = 5


class SchemaMissing(QueueError):
    code = "schema_missing"
    exit_code = 7


class UsageError(QueueError):
    """A bad command-line argument or value; the message says what is wrong and what to do."""

    code = "usage"
    exit_code = 2
