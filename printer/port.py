"""The ``TicketPrinter`` port: what the kiosk and the commands need from a ticket printer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from printer.model import PrinterStatus, TicketPrint

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


@runtime_checkable
class TicketPrinter(Protocol):
    """Port: prints one ticket per call. Implementations may block (run them in a worker)."""

    def print_ticket(self, t: TicketPrint) -> None:
        """Print ``t`` or raise ``PrinterError``."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer how it is. Never raises: problems come back as ``online=False``."""
        ...

    def describe(self) -> str:
        """One line naming the printer, e.g. 'network printer 10.0.0.21:9100 (80mm, TM-T88III)'."""
        ...

