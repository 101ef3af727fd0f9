"""The hall's letterhead for PDF reports (ReportLab, A4): hall name, operator, logo if present,
the report's title and period, printed-at, and "Halaman n dari m" on every page; grid tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class Letterhead:
    hall_name: str
    operator: str
    city: str
    title: str
    period_label: str
    printed_at: datetime  # local time of the hall
    logo: Path | None = None


def styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    ss = getSampleStyleSheet()
    return {
        "h1": ParagraphStyle("h1", parent=ss["Heading1"], fontSize=14, spaceAfter=4, spaceBefore=2),
        "h2": ParagraphStyle("h2", parent=ss["Heading2"], fontSize=11, spaceAfter=3, spaceBefore=8),
        "body": ParagraphStyle("body", parent=ss["BodyText"], fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", parent=ss["BodyText"], fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", parent=ss["BodyText"], fontSize=7, leading=8.2),
    }


def table(data: Sequence[Sequence[Any]], col_widths: Sequence[float] | None = None, font_size: float = 7,
          header_rows: int = 1, bold_last: bool | int = False, align_numbers_from: int = 1,
          extra_style: Sequence[tuple[Any, ...]] = ()) -> Any:
    """A grid table; ``bold_last``: the last row (True) or the last n rows (an int) are totals."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(data, colWidths=col_widths, repeatRows=header_rows, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", font_size),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", font_size),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#DDE6F0")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#8899AA")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (align_numbers_from, header_rows), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    tail = int(bold_last)
    if tail:
        style.append(("FONT", (0, -tail), (-1, -1), "Helvetica-Bold", font_size))
        style.append(("BACKGROUND", (0, -tail), (-1, -1), colors.HexColor("#F0F0F0")))
    style.extend(extra_style)
    t.setStyle(TableStyle(style))
    return t


def build_pdf(out: Path, head: Letterhead, story: list[Any], landscape_page: bool = True) -> Path:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import SimpleDocTemplate

    pagesize = landscape(A4) if landscape_page else A4
    top = 30 * mm

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]  # ReportLab is untyped
        """Holds pages back until the end so each can say "Halaman n dari m"."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = pagesize
            x0 = 15 * mm
            x_text = x0
            if head.logo and Path(head.logo).is_file():
                try:
                    self.drawImage(str(head.logo), x0, h - 25 * mm, width=16 * mm, height=16 * mm,
                                   preserveAspectRatio=True, mask="auto")
                    x_text = x0 + 19 * mm
                except Exception:  # an unreadable logo never stops a report
                    pass
            self.setFont("Helvetica-Bold", 12)
            self.drawString(x_text, h - 14 * mm, head.hall_name.upper())
            self.setFont("Helvetica", 8.5)
            self.drawString(x_text, h - 19 * mm, head.operator)
            self.drawString(x_text, h - 23.5 * mm, f"{head.title} - Periode: {head.period_label}")
            self.setLineWidth(1.2)
            self.line(x0, h - 26.5 * mm, w - x0, h - 26.5 * mm)
            self.setLineWidth(0.4)
            self.line(x0, h - 27.3 * mm, w - x0, h - 27.3 * mm)
            self.setFont("Helvetica", 7.5)
            self.drawString(x0, 9 * mm, f"Dicetak {head.printed_at:%d-%m-%Y %H.%M} ({head.city})")
            self.drawRightString(w - x0, 9 * mm, f"Halaman {self._pageNumber} dari {total}")

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=pagesize, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=top, bottomMargin=15 * mm, title=f"{head.title} {head.period_label}",
                            author=head.operator)
    doc.build(story, canvasmaker=NumberedCanvas)
    return out
