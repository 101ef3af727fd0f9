"""Real-time printer status: the DLE EOT queries and how their answer bytes are read."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeGuard

from printer.model import PaperState, PrinterStatus

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------
# Real-time status (DLE EOT n). Every answer byte has bits 1 and 4 set and bits 0 and 7 clear.

DLE_EOT_PRINTER = b"\x10\x04\x01"  # bit 3: offline
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"  # bit 2: cover open, bit 5: stopped by paper end
DLE_EOT_PAPER = b"\x10\x04\x04"  # bits 2-3: paper near end, bits 5-6: paper end


def _valid(b: int | None) -> TypeGuard[int]:
    return b is not None and (b & 0x93) == 0x12


def decode_status(printer: int | None, offline: int | None, paper: int | None) -> PrinterStatus:
    """A ``PrinterStatus`` from the answers to DLE EOT 1, 2 and 4 (None = no answer).

    Same bit reading as python-escpos's ``is_online``/``paper_status``, but an empty answer is
    not taken for 'plenty of paper' and a byte that is not a status byte is 'unknown'.
    ``online`` means "answering and not stopped by an error": the printer's offline bit caused
    by an open cover or paper end is reported in ``cover_open``/``paper`` instead.
    """
    offline_bit = bool(printer & 0x08) if _valid(printer) else False
    cover = bool(offline & 0x04) if _valid(offline) else None
    state: PaperState
    if not _valid(paper):
        state = "unknown"
    elif paper & 0x60:
        state = "out"
    elif paper & 0x0C:
        state = "near_end"
    else:
        state = "ok"
    if _valid(offline) and offline & 0x20:
        state = "out"
    online = not (offline_bit and not cover and state != "out")
    if cover:
        msg = "the printer cover is open: close it"
    elif state == "out":
        msg = "the printer is out of paper: load a new roll"
    elif not online:
        msg = "the printer is offline (error): check its lights, then switch it off and on"
    elif state == "near_end":
        msg = "the paper roll is nearly finished: have a new roll ready"
    elif state == "unknown":
        msg = "the printer is online (it did not report its paper)"
    else:
        msg = "the printer is ready"
    return PrinterStatus(online=online, paper=state, cover_open=cover, message=msg)
