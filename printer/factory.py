"""Builds the station's printer from its [printer] settings."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from printer.model import PrinterError, profile_for
from printer.escpos_base import _EscposBackend
from printer.transports.cups import CupsTicketPrinter
from printer.transports.dummy import DummyTicketPrinter
from printer.transports.file import FileTicketPrinter
from printer.transports.network import NetworkTicketPrinter
from printer.transports.preview import PreviewTicketPrinter
from printer.transports.serial import SerialTicketPrinter
from printer.transports.usb import UsbTicketPrinter
from printer.transports.win32raw import Win32RawTicketPrinter
from printer.port import TicketPrinter

if TYPE_CHECKING:

    from antrian.config import PrinterSettings

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------
# composition


def resolve_logo(value: str) -> Path | None:
    """[printer] logo: '' = none; an absolute path; or a file name in the data folder (then the
    bundled assets)."""
    if not value.strip():
        return None
    from antrian.paths import asset, data_dir

    path = Path(value).expanduser()
    if not path.is_absolute():
        path = data_dir().joinpath(*Path(value).parts)
        if not path.is_file():
            path = asset(*Path(value).parts)
    if not path.is_file():
        raise PrinterError(
            "config", f"logo image {path} not found: set [printer] logo to a path or a file in the data folder"
        )
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
    except Exception as e:
        raise PrinterError("config", f"logo image {path} cannot be read ({e}): use a PNG, BMP or JPEG") from e
    return path


def _check_profile(name: str) -> None:
    from escpos.capabilities import get_profile

    try:
        get_profile(name)
    except KeyError:
        raise PrinterError(
            "config",
            f"unknown printer profile '{name}' in [printer] profile: use a python-escpos profile "
            "such as TM-T88III, TM-T20II or POS-5890 (`python-escpos` lists them)",
        ) from None


_BACKENDS: dict[str, type[_EscposBackend]] = {
    "network": NetworkTicketPrinter,
    "usb": UsbTicketPrinter,
    "serial": SerialTicketPrinter,
    "file": FileTicketPrinter,
    "cups": CupsTicketPrinter,
    "win32raw": Win32RawTicketPrinter,
}


def use_escpos_cache() -> None:
    """python-escpos parses its printer database (YAML, about 0.3 s) in every new process unless
    its pickle lives in a folder that outlasts the process (by default a fresh temp dir). Called by
    ``build_ticket_printer``, before the first escpos import."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ or "escpos.capabilities" in sys.modules:
        return
    from antrian import paths

    cache = paths.data_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


def build_ticket_printer(settings: "PrinterSettings", *,
                         on_preview: Callable[[Path], None] | None = None) -> TicketPrinter:  # fmt: skip
    """The station's printer from its [printer] settings. Raises PrinterError('config').

    ``on_preview`` (preview backend only) is called with each PNG path, e.g. to show it when
    ``preview_show`` is set; it runs on the printing thread.
    """
    use_escpos_cache()
    paper = profile_for(settings.paper)
    logo = resolve_logo(settings.logo)
    _check_profile(settings.profile)
    backend = settings.backend
    if backend == "preview":
        directory = Path(settings.preview_dir).expanduser() if settings.preview_dir else None
        return PreviewTicketPrinter(paper, directory, logo, settings.profile, on_preview)
    if backend == "dummy":
        return DummyTicketPrinter(paper, logo, settings.profile)
    if backend == "cups":
        from escpos.printer import cups as escpos_cups

        if not escpos_cups.is_usable():
            raise PrinterError(
                "config",
                "backend 'cups' needs pycups (pip install pycups; it builds against libcups2-dev): "
                "install it or use backend 'usb', 'file' or 'network'",
            )
    if backend == "win32raw":
        if sys.platform != "win32":
            raise PrinterError(
                "config", f"backend 'win32raw' works only on Windows (this is {sys.platform}): use 'usb', 'file' or 'cups'"
            )
        from escpos.printer import win32raw as escpos_win32

        if not escpos_win32.is_usable():
            raise PrinterError("config", "backend 'win32raw' needs pywin32: pip install pywin32")
    try:
        cls = _BACKENDS[backend]
    except KeyError:
        raise PrinterError("config", f"unknown printer backend '{backend}' in [printer] backend") from None
    return cls(settings, paper, logo)

