"""Ticket printers, as one name space: the ``TicketPrinter`` port (printer.port), the status
decoding (printer.status), the shared python-escpos job logic (printer.escpos_base), one module
per transport (printer.transports.*) and the factory (printer.factory). Callers may import from
here or from the modules themselves."""

from __future__ import annotations

from printer.escpos_base import _EscposBackend
from printer.factory import build_ticket_printer, resolve_logo, use_escpos_cache
from printer.port import TicketPrinter
from printer.status import DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER, DLE_EOT_PRINTER, decode_status
from printer.transports.cups import CupsTicketPrinter
from printer.transports.dummy import DummyTicketPrinter
from printer.transports.file import FileTicketPrinter
from printer.transports.network import NetworkTicketPrinter, unsent_bytes
from printer.transports.preview import PreviewTicketPrinter
from printer.transports.serial import SerialTicketPrinter
from printer.transports.usb import UsbTicketPrinter
from printer.transports.win32raw import Win32RawTicketPrinter

__all__ = [
    "DLE_EOT_OFFLINE_CAUSE", "DLE_EOT_PAPER", "DLE_EOT_PRINTER", "CupsTicketPrinter", "DummyTicketPrinter",
    "FileTicketPrinter", "NetworkTicketPrinter", "PreviewTicketPrinter", "SerialTicketPrinter", "TicketPrinter",
    "UsbTicketPrinter", "Win32RawTicketPrinter", "_EscposBackend", "build_ticket_printer", "decode_status",
    "resolve_logo", "unsent_bytes", "use_escpos_cache",
]
