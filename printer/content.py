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


def counter_numbers_text(numbers) -> str:
    """Loket numbers as people read them: runs joined with a dash ("17-20"), others with commas
    ("3, 7-9")."""
    nums = sorted(set(int(n) for n in numbers))
    runs: list[list[int]] = []
    for n in nums:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def where_to_wait_id(hall: Hall, agency_code: str, service_code: str) -> str:
    """Where a ticket's holder waits, in Indonesian: the agency's zone text, else the lokets that
    call the service (\"Loket 17-20 (Disdukcapil)\"); '' when the hall names none."""
    agency = hall.agency(agency_code)
    zone = (getattr(agency, "zone", "") or "").strip()
    if zone:
        return zone
    numbers = [c.number for c in hall.counters_serving(service_code)]
    if not numbers:
        return ""
    return f"Loket {counter_numbers_text(numbers)} ({agency.short_name})"


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
        where=where_to_wait_id(hall, t.agency_code, t.service_code),
    )
