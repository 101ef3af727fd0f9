"""What a ticket printer is asked to print, and what it can say back.

Pure data: no escpos, no Qt, no I/O. The kiosk builds a ``TicketPrint`` from an issued ticket and
hands it to a ``TicketPrinter`` (see ``printer.backends``); failures come back as ``PrinterError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

PaperState = Literal["ok", "near_end", "out", "unknown"]
ErrorKind = Literal["offline", "refused", "timeout", "paper_out", "cover_open", "lost", "config"]

ERROR_KINDS: tuple[str, ...] = get_args(ErrorKind)


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one queue ticket (already formatted; the layout adds no facts)."""

    hall_name: str  # "Mal Pelayanan Publik Kota Tangerang"
    city: str  # "Kota Tangerang"
    number: str  # "K-012"
    agency: str  # "Disdukcapil"
    service: str  # "KTP-el"
    priority_label: str | None  # "Lansia", or None for the normal queue
    issued_at: datetime  # aware, in the hall's local time zone
    ahead: int  # people waiting ahead of this ticket
    eta_minutes: int  # estimated wait
    qr_text: str  # "" = no QR code
    footer: str  # "Terima kasih atas kunjungan Anda"
    reprint: bool = False
    test: bool = False
    # A reprint of a ticket no longer waiting: its state, Indonesian then English, e.g.
    # ("Sudah dipanggil ke Loket 7", "Called to counter 7"); printed instead of "please wait".
    state_lines: tuple[str, ...] = ()
    # Short requirements (persyaratan) of the service; printed as a list when not empty.
    requirements: tuple[str, ...] = ()
    # Where the citizen waits ("Loket 17-20 (Disdukcapil)" or the agency's zone text); printed when set.
    where: str = ""

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("TicketPrint.issued_at must be timezone-aware (the hall's local time)")
        if not self.number.strip():
            raise ValueError("TicketPrint.number must not be empty")
        if self.ahead < 0 or self.eta_minutes < 0:
            raise ValueError("TicketPrint.ahead and eta_minutes must not be negative")


@dataclass(frozen=True)
class PaperProfile:
    """A roll width: characters per line in font A (12x24 dots) and printable dots per line."""

    name: str
    chars: int
    dots: int
    number_scale: int  # character magnification (GS !) of the big queue number
    qr_fraction: float  # how much of the printable width the QR code may take

    @property
    def char_dots(self) -> int:
        """Width of one font-A character in dots (12 on 203-dpi printers)."""
        return self.dots // self.chars


PAPER_58MM = PaperProfile("58mm", chars=32, dots=384, number_scale=4, qr_fraction=0.55)
PAPER_80MM = PaperProfile("80mm", chars=48, dots=576, number_scale=6, qr_fraction=0.45)
PAPERS: dict[str, PaperProfile] = {p.name: p for p in (PAPER_58MM, PAPER_80MM)}


def profile_for(paper: str) -> PaperProfile:
    """The paper profile for ``"58mm"`` or ``"80mm"`` (PrinterSettings.paper)."""
    try:
        return PAPERS[paper.strip().lower()]
    except KeyError:
        raise PrinterError(
            "config", f"unknown paper width '{paper}': use '58mm' or '80mm' in [printer] paper"
        ) from None


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself.

    ``online``: reachable and not stopped by an error (an open cover or paper end is reported in
    ``cover_open``/``paper``, not as offline). ``cover_open`` is None when it cannot tell.
    ``message``: one line for staff (English). ``checked``: False when the printer was not asked
    (status checks are off): then ``online`` only means "it accepted a connection".
    """

    online: bool
    paper: PaperState = "unknown"
    cover_open: bool | None = None
    message: str = ""
    checked: bool = True

    @property
    def can_print(self) -> bool:
        return self.online and self.paper != "out" and not self.cover_open

    @property
    def needs_attention(self) -> bool:
        """True when staff should look at the printer (offline, paper low or out, cover open)."""
        return not self.can_print or self.paper == "near_end"


class PrinterError(Exception):
    """A ticket could not be printed. ``str(e)`` is one line: what is wrong and what to do.

    ``kind`` is one of ``ERROR_KINDS``; the kiosk picks the citizen-facing text from it.
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown PrinterError kind {kind!r} (expected one of {ERROR_KINDS})")
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"PrinterError({self.kind!r}, {self.message!r})"
