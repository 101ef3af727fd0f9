"""What a ticket says: the ``TicketPrint`` composed from an issued ticket and the hall.

Shared by the kiosk (printing after issue), ``mpp printer reprint`` and any later face (a web
page showing the ticket): they all print or show the same facts. Pure: no Qt, no storage, no I/O.
Printed tickets are always in Bahasa Indonesia, in the hall's local time.
"""

from __future__ import annotations

from antrian.domain.catalogue import Hall
from antrian.domain.model import IssuedTicket
from printer.model import TicketPrint

PRIORITY_LABELS_ID = {
    "lansia": "Lansia",
    "disabilitas": "Disabilitas",
    "ibu-hamil": "Ibu Hamil",
    "anak": "Anak",
    "korban-bencana": "Korban Bencana",
}


def priority_label_id(group: str | None) -> str | None:
    """The Indonesian label of a priority group ("ibu-hamil" -> "Ibu Hamil"); None for none."""
    if not group:
        return None
    return PRIORITY_LABELS_ID.get(group, group.replace("-", " ").title())


def ticket_print_for(issued: IssuedTicket, hall: Hall, *, reprint: bool = False) -> TicketPrint:
    """The ``TicketPrint`` for an issued ticket: Indonesian, hall-local time."""
    t = issued.ticket
    service = hall.service(t.service_code)
    agency = hall.agency(t.agency_code)
    return TicketPrint(
        hall_name=hall.name,
        city=hall.city,
        number=t.number,
        agency=agency.short_name,
        service=service.name,
        priority_label=priority_label_id(t.priority),
        issued_at=t.issued_at.astimezone(hall.tz),
        ahead=max(0, issued.ahead),
        eta_minutes=max(0, issued.eta_minutes),
        qr_text=issued.qr_text,
        footer=hall.ticket_footer,
        reprint=reprint,
        requirements=tuple(getattr(service, "requirements", ()) or ()),
    )
