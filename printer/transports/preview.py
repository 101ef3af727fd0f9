"""The preview transport: draws each ticket to a PNG (demos without a printer)."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from printer.model import PaperProfile, PrinterError, PrinterStatus, TicketPrint

if TYPE_CHECKING:

    pass

log = logging.getLogger(__name__)


class PreviewTicketPrinter:
    """Saves each ticket as a PNG (``<dir>/<YYYYmmdd-HHMMSS>-<number>.png``), drawn from the bytes."""

    def __init__(self, paper: PaperProfile, directory: Path | None = None, logo: Path | None = None,
                 profile: str | None = None, on_preview: Callable[[Path], None] | None = None):  # fmt: skip
        self.paper = paper
        self._directory = directory
        self.logo = logo
        self.profile = profile
        self.on_preview = on_preview
        self.last_path: Path | None = None
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        if self._directory is None:
            from antrian.paths import data_dir

            self._directory = data_dir() / "tickets"
        return self._directory

    def print_ticket(self, t: TicketPrint) -> None:
        from printer.preview import render_png

        with self._lock:
            stamp = datetime.now(t.issued_at.tzinfo).strftime("%Y%m%d-%H%M%S")
            safe = re.sub(r"[^A-Za-z0-9_-]+", "_", t.number.strip()) or "ticket"
            path = self.directory / f"{stamp}-{safe}.png"
            n = 2
            while path.exists():
                path = self.directory / f"{stamp}-{safe}-{n}.png"
                n += 1
            try:
                render_png(t, self.paper, path, self.logo, self.profile)
            except PrinterError:
                raise
            except OSError as e:
                raise PrinterError(
                    "config", f"cannot save the ticket preview in {self.directory} ({e}): check [printer] preview_dir"
                ) from e
            except Exception as e:
                log.exception("previewing ticket %s failed", t.number)
                raise PrinterError("config", f"cannot draw the preview of ticket {t.number}: {e}") from e
            self.last_path = path
        if self.on_preview is not None:
            self.on_preview(path)

    def status(self) -> PrinterStatus:
        return PrinterStatus(True, "ok", False, f"preview: tickets are saved as images in {self.directory}")

    def describe(self) -> str:
        return f"preview printer ({self.paper.name}; PNG files in {self._directory or 'the data folder/tickets'})"


