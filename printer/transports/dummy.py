"""An in-memory printer keeping the bytes of the last ticket (tests, dry runs)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from printer.model import PaperProfile, PrinterStatus, TicketPrint

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


class DummyTicketPrinter:
    """Keeps the bytes of every ticket in memory (``jobs``); prints nothing."""

    def __init__(self, paper: PaperProfile, logo: Path | None = None, profile: str | None = None):
        self.paper = paper
        self.logo = logo
        self.profile = profile
        self.jobs: list[bytes] = []
        self.tickets: list[TicketPrint] = []

    def print_ticket(self, t: TicketPrint) -> None:
        from printer.layout import ticket_bytes

        self.jobs.append(ticket_bytes(t, self.paper, self.logo, self.profile))
        self.tickets.append(t)

    @property
    def last_bytes(self) -> bytes | None:
        return self.jobs[-1] if self.jobs else None

    def status(self) -> PrinterStatus:
        return PrinterStatus(True, "ok", False, "dummy printer: tickets are kept in memory")

    def describe(self) -> str:
        return f"dummy printer ({self.paper.name}, nothing is printed)"


# ------------------------------------------------------------------------------------------
# composition


