"""CSV writer: the Rekap Layanan in long form (one row per day and agency/service), which
spreadsheets and scripts read without guessing at merged headers."""

from __future__ import annotations

import csv
from pathlib import Path

from antrian.reports.model import MEASURES, Report

CSV_HEADERS = ["date", "agency", "agency_name", "prefix", "service", "service_name", *MEASURES]


def write_csv(report: Report, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADERS)
        for d in report.period.days:
            for row in report.rekap:
                c = row.daily.get(d)
                if c is None:
                    continue
                w.writerow([d.isoformat(), row.agency_code, row.agency_name, row.prefix, row.service_code or "",
                            row.service_name if row.service_code else "", *(c.get(m) for m in MEASURES)])
    return out
