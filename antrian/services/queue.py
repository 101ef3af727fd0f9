"""Use cases of the queue: issue, call, recall, start, finish, no-show, park, transfer, cancel,
open/pause/close a counter, the composite officer actions, and the read models the windows show.

Every state change is one transaction that also appends its event; leaving early by an
exception rolls everything back (no half-issued ticket, no number used twice).

The use cases live by concern in issuing, counter_actions, counter_status, handover and
read_models; ``QueueService`` is all of them over one hall, store and clock."""

from __future__ import annotations

from antrian.services.counter_actions import CLAIM_ATTEMPTS
from antrian.services.counter_status import CounterStatusActions
from antrian.services.handover import FirstStep, Handover, Handovers
from antrian.services.issuing import Issuing
from antrian.services.maintenance import DoctorReport, Drift, Maintenance
from antrian.services.service_day import ClockSkew, ServiceDayActions
from antrian.services.read_models import CounterView, HallStatus, ReadModels, ServiceStatus

__all__ = [
    "CLAIM_ATTEMPTS",
    "ClockSkew",
    "CounterView",
    "DoctorReport",
    "Drift",
    "FirstStep",
    "Handover",
    "HallStatus",
    "QueueService",
    "ServiceStatus",
]


class QueueService(Issuing, Handovers, CounterStatusActions, ReadModels, Maintenance,
                   ServiceDayActions):
    """The queue's use cases (see the modules named above)."""
