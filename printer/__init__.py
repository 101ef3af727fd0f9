"""Queue tickets on ESC/POS thermal printers: layout (python-escpos calls), backends, preview.

Importing this package does no I/O and imports neither escpos nor Qt; they load on first use.

- ``printer.model``: TicketPrint, PaperProfile / profile_for, PrinterStatus, PrinterError
- ``printer.layout``: render(p, t, paper, logo) - the one ticket layout
- ``printer.preview``: the layout's bytes drawn as a PNG (render_png)
- ``printer.backends``: TicketPrinter port, build_ticket_printer(settings)
- ``printer.fakes``: FakeTicketPrinter for tests
- ``printer.commands``: test_ticket, status_text for `mpp printer test|status`
"""

from printer.model import (
    PAPER_58MM,
    PAPER_80MM,
    PaperProfile,
    PrinterError,
    PrinterStatus,
    TicketPrint,
    profile_for,
)

__all__ = [
    "PAPER_58MM",
    "PAPER_80MM",
    "PaperProfile",
    "PrinterError",
    "PrinterStatus",
    "TicketPrint",
    "profile_for",
]
