"""The SKM/IKM report in the regulation's table form (PermenPAN-RB 14/2017): per agency or
service and for the whole scope, the NRR of each element (U1..U9), the IKM, the mutu and the
number of respondents; then, per group, the sum of scores, NRR and weighted NRR per element.
XLSX (openpyxl) and PDF (ReportLab, the hall's letterhead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from antrian.domain.survey import ELEMENTS, LAPOR_URL, to_decimal
from antrian.reports.period import NoReportData, Period
from antrian.services.survey import IkmRow

if TYPE_CHECKING:
    from antrian.domain.catalogue import Hall
    from antrian.services.survey import SurveyService


@dataclass(frozen=True)
class SkmReport:
    hall_name: str
    operator: str
    city: str
    period: Period
    by: str
    agency: str | None
    generated_at: datetime
    rows: tuple[IkmRow, ...]  # groups, then the whole scope last

    @property
    def overall(self) -> IkmRow:
        return self.rows[-1]

    @property
    def groups(self) -> tuple[IkmRow, ...]:
        return self.rows[:-1]


def load_skm(survey_service: SurveyService, hall: Hall, period: Period, by: str = "service", agency: str | None = None,
             now: datetime | None = None) -> SkmReport:
    from antrian.reports.queries import check_agency

    check_agency(hall, agency)
    rows = tuple(survey_service.ikm_table(period.start, period.end, by=by, agency=agency))
    if rows[-1].result.respondents == 0:
        scope = f" for agency '{agency}'" if agency else ""
        raise NoReportData(f"no survey responses in {period.label()}{scope}: nothing to report",
                           period=period.slug())
    from datetime import timezone

    return SkmReport(hall.name, hall.operator, hall.city, period, by, agency,
                     (now or datetime.now(timezone.utc)).astimezone(hall.tz), rows)


def fmt3(v: Fraction) -> str:
    return f"{to_decimal(v, 3)}"


def fmt2(v: Fraction) -> str:
    return f"{to_decimal(v, 2)}"


def _f(v: Fraction, places: int) -> float:
    return float(to_decimal(v, places))


def write_skm_xlsx(rep: SkmReport, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "IKM"
    ws["A1"] = "Indeks Kepuasan Masyarakat (PermenPAN-RB 14/2017)"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"{rep.hall_name} - {rep.operator}"
    ws["A3"] = f"Periode: {rep.period.label()}"
    headers = ["Kode", "Instansi" if rep.by == "agency" else "Layanan"] + [e.code for e in ELEMENTS] + \
        ["IKM", "Mutu", "Kinerja", "Responden"]
    fill = PatternFill("solid", fgColor="DDE6F0")
    for i, h in enumerate(headers, start=1):
        c = ws.cell(row=5, column=i, value=h)
        c.font = Font(bold=True)
        c.fill = fill
        c.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "C6"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44
    r = 6
    for row in rep.rows:
        res = row.result
        ws.cell(row=r, column=1, value=row.code if row.level != "hall" else "Jumlah")
        ws.cell(row=r, column=2, value=row.name)
        for j, v in enumerate(res.nrr):
            ws.cell(row=r, column=3 + j, value=_f(v, 3)).number_format = "0.000"
        ws.cell(row=r, column=12, value=float(res.ikm_value)).number_format = "0.00"
        ws.cell(row=r, column=13, value=res.grade.letter)
        ws.cell(row=r, column=14, value=res.grade.label)
        ws.cell(row=r, column=15, value=res.respondents)
        if row.level == "hall":
            for j in range(1, 16):
                ws.cell(row=r, column=j).font = Font(bold=True)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value="Unsur:").font = Font(bold=True)
    for e in ELEMENTS:
        r += 1
        ws.cell(row=r, column=1, value=e.code)
        ws.cell(row=r, column=2, value=e.name)
    r += 2
    ws.cell(row=r, column=1, value=f"Pengaduan: SP4N-LAPOR! {LAPOR_URL}")

    # the regulation's working table per group
    wd = wb.create_sheet("Rincian")
    wd["A1"] = "Rincian NRR per unsur (jumlah nilai / responden; NRR tertimbang = NRR x 1/9)"
    wd["A1"].font = Font(bold=True)
    wd["A3"] = f"Periode: {rep.period.label()}"
    r = 5
    for row in rep.rows:
        res = row.result
        wd.cell(row=r, column=1, value=f"{row.name} ({res.respondents} responden)").font = Font(bold=True)
        r += 1
        for j, h in enumerate(["", *(e.code for e in ELEMENTS)], start=1):
            c = wd.cell(row=r, column=j, value=h)
            c.font = Font(bold=True)
            c.fill = fill
        blocks: tuple[tuple[str, tuple[Any, ...], str | None], ...] = (
            ("Jumlah nilai", res.sums, None), ("NRR", res.nrr, "0.000"), ("NRR tertimbang", res.nrr_weighted, "0.000"))
        for label, values, fmt in blocks:
            r += 1
            wd.cell(row=r, column=1, value=label)
            for j, val in enumerate(values):
                cell = wd.cell(row=r, column=2 + j, value=val if fmt is None else _f(Fraction(val), 3))
                if fmt:
                    cell.number_format = fmt
        r += 1
        wd.cell(row=r, column=1, value="IKM unit pelayanan")
        wd.cell(row=r, column=2, value=float(res.ikm_value)).number_format = "0.00"
        wd.cell(row=r, column=3, value=f"{res.grade.letter} ({res.grade.label})")
        r += 2
    wd.column_dimensions["A"].width = 30
    wd.freeze_panes = "B5"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def write_skm_pdf(rep: SkmReport, out: Path, logo: Path | None = None) -> Path:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    from antrian.reports.pdfdoc import Letterhead, build_pdf, styles, table

    st = styles()
    head = Letterhead(rep.hall_name, rep.operator, rep.city, "Survei Kepuasan Masyarakat", rep.period.label(),
                      rep.generated_at, logo)
    usable = 267 * mm
    o = rep.overall.result
    story = [
        Paragraph(f"Indeks Kepuasan Masyarakat (IKM) - {rep.period.label()}", st["h1"]),
        Paragraph(
            f"{rep.overall.name}: IKM <b>{o.ikm_decimal}</b>, mutu pelayanan <b>{o.grade.letter} "
            f"({o.grade.label})</b>, {o.respondents} responden. Dihitung menurut PermenPAN-RB Nomor 14 Tahun "
            "2017: NRR per unsur = jumlah nilai / jumlah responden; NRR tertimbang = NRR x 1/9; "
            "IKM = jumlah NRR tertimbang x 25.", st["body"]),
        Spacer(1, 4),
    ]
    data = [["Kode", "Instansi" if rep.by == "agency" else "Layanan"] + [e.code for e in ELEMENTS]
            + ["IKM", "Mutu", "Responden"]]
    for row in rep.rows:
        res = row.result
        data.append([row.code if row.level != "hall" else "Jumlah", Paragraph(row.name, st["cell"])]
                    + [fmt3(v) for v in res.nrr] + [str(res.ikm_decimal), f"{res.grade.letter} ({res.grade.label})",
                                                     res.respondents])
    w = [28 * mm, 0] + [13 * mm] * 9 + [14 * mm, 26 * mm, 17 * mm]
    w[1] = usable - sum(w)
    story.append(table(data, w, font_size=7, bold_last=True, align_numbers_from=2))
    story.append(Spacer(1, 6))
    legend = [["Kode", "Unsur pelayanan"]] + [[e.code, e.name] for e in ELEMENTS]
    mutu_table = [["Nilai interval IKM", "Mutu", "Kinerja"], ["88,31 - 100,00", "A", "Sangat Baik"],
                  ["76,61 - 88,30", "B", "Baik"], ["65,00 - 76,60", "C", "Kurang Baik"],
                  ["25,00 - 64,99", "D", "Tidak Baik"]]
    from reportlab.platypus import Table

    story.append(KeepTogether([Table([[table(legend, [12 * mm, 90 * mm], font_size=7, align_numbers_from=9),
                                       table(mutu_table, [32 * mm, 14 * mm, 26 * mm], font_size=7,
                                             align_numbers_from=9)]], hAlign="LEFT")]))
    story.append(Spacer(1, 6))
    story.append(Paragraph("Rincian per unsur", st["h2"]))
    for row in rep.rows:
        res = row.result
        d: list[list[Any]] = [["", *(e.code for e in ELEMENTS)],
             ["Jumlah nilai", *res.sums],
             ["NRR", *(fmt3(v) for v in res.nrr)],
             ["NRR tertimbang", *(fmt3(v) for v in res.nrr_weighted)]]
        story.append(KeepTogether([
            Paragraph(f"{row.name} - {res.respondents} responden - IKM {res.ikm_decimal} "
                      f"({res.grade.letter}, {res.grade.label})", st["body"]),
            table(d, [30 * mm] + [16 * mm] * 9, font_size=7),
            Spacer(1, 4),
        ]))
    story.append(Paragraph(f"Pengaduan pelayanan publik: SP4N-LAPOR! {LAPOR_URL}", st["small"]))
    return build_pdf(out, head, story)
